// The Run history's "PyTorch" export: a run's experiment as one zip holding the folder run.py trains
// and evaluates (core/export/pytorchExport.ts: run.py, config, class split, test episodes as index
// lists, images, weights). Made on the page from the run's setup and its kept weights; the images
// of the built-in glyphs are drawn here exactly as the worker draws them. Omniglot and image folders
// are exported from the command line (npm run experiment -- ... --export-pytorch DIR), which reads
// the archive itself. No DOM: the panel downloads the bytes.
import { zipSync } from 'fflate';
import { generateGlyphs } from '../../core/data/glyphs';
import { familyOf } from '../../core/experiment/datasets';
import { pytorchExport, PYTORCH_METHODS } from '../../core/export/pytorchExport';
import { resolveHyperparameters } from '../../core/methods/catalog';
import type { SavedTensors } from '../../core/nn/params';
import type { MethodLabels } from '../../core/methods/method';
import { EVALUATION_SEED, runConfigOf } from '../state/runConfig';
import type { StoredRun } from '../state/runTypes';
import { methodInfo } from '../state/setup';
import runPy from '../../export/run.py?raw';

/** Why a run cannot be exported from the page, or null when it can. */
export function pytorchExportProblem(run: StoredRun, hasWeights: boolean): string | null {
  const { setup } = run;
  if (!familyOf(setup.dataset).splitsClasses) return 'Sine-wave runs are not exported to PyTorch; image-classification runs are.';
  if (!(PYTORCH_METHODS as readonly string[]).includes(setup.method)) return `${methodInfo(setup.dataset, setup.method)?.title ?? setup.method} is not exported to PyTorch yet (${PYTORCH_METHODS.join(', ')} are).`;
  if (setup.dataset !== 'glyphs') {
    return `The page exports runs on the built-in glyphs; for ${setup.dataset}, export from the command line: npm run experiment -- --dataset ${setup.dataset} ... --export-pytorch DIR.`;
  }
  if (!hasWeights) return "This run's weights are not kept in this browser; train it again (or resume it) to export it.";
  return null;
}

/** The export folder of a run as one zip (folder name = the run's file name). */
export function pytorchExportZip(run: StoredRun, weights: SavedTensors, folder: string, version?: string): Uint8Array {
  const problem = pytorchExportProblem(run, true);
  if (problem) throw new Error(problem);
  const { setup } = run;
  const info = methodInfo(setup.dataset, setup.method)!;
  const config = runConfigOf(setup);
  // A checkpoint also holds the optimiser's state ("training/..."): the export takes the weights.
  const state: SavedTensors = Object.fromEntries(Object.entries(weights).filter(([name]) => !name.startsWith('training/')));
  const evaluation = run.evaluations.at(-1);
  const hyper = resolveHyperparameters(info, setup.hyperparameters);
  // The method's labels as its evaluation reports them (batch-norm mode first); a run not evaluated yet gives the mode alone.
  const labels: MethodLabels = evaluation?.labels ?? { batchNormAtTest: (hyper.batchNormAtTest ?? 'running') as MethodLabels['batchNormAtTest'] };
  const files = pytorchExport({
    config,
    method: { name: info.name, title: info.title, hyperparameters: hyper },
    metaBatch: config.metaBatch ?? info.metaBatch ?? 1,
    labels,
    // The worker's glyphs (worker/datasets.ts): seed 1, the defaults.
    dataset: generateGlyphs({ seed: 1 }),
    state,
    evaluation: { episodes: evaluation?.episodes ?? setup.evalEpisodes, seed: evaluation?.seed ?? EVALUATION_SEED },
    run: {
      id: run.id,
      name: run.name,
      datasetLabel: run.datasetLabel,
      setup: setup as unknown as Record<string, unknown>,
      stepsDone: Math.max(run.kept?.step ?? 0, 0),
    },
    runPy,
    version,
  });
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
  // Already compressed (.npz) or small: stored, so zipping is instant.
  for (const f of files) entries[`${folder}/${f.path}`] = [f.bytes, { level: 0 }];
  return zipSync(entries);
}
