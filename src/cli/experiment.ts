// `npm run experiment`: trains a few-shot method on meta-train classes and evaluates it on held-out
// classes from the command line, on the same core the playground runs. Bad flags print the usage
// text and exit with status 2; other errors print their message (DEBUG=1 adds the stack).
import { parseExperimentArgs, USAGE, UsageError, type ExperimentArgs } from './experimentArgs';
import { runExperiment } from './runExperiment';
import { compareImported, pytorchFlags, readImportedRun, writePytorchExport, type ImportedEvaluation } from './pytorchExport';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ExperimentEvaluation } from '../core/experiment/results';
import { familyOf } from '../core/experiment/datasets';
import { PYTORCH_METHODS } from '../core/export/pytorchExport';

async function main(): Promise<void> {
  let args: ExperimentArgs;
  let pytorch: ReturnType<typeof pytorchFlags>;
  try {
    // --export-pytorch DIR and --import-run FILE are this file's; the rest is the experiment's.
    pytorch = pytorchFlags(process.argv.slice(2));
    args = parseExperimentArgs(pytorch.rest);
  } catch (error) {
    if (!(error instanceof UsageError) && /^--(export-pytorch|import-run)/.test((error as Error).message)) {
      process.stderr.write(`Error: ${(error as Error).message}\n\n${USAGE}${PYTORCH_USAGE}`);
      process.exit(2);
    }
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n\n${USAGE}${PYTORCH_USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(USAGE + PYTORCH_USAGE);
    return;
  }
  if (pytorch.exportDir) {
    // Said before any training: what run.py cannot take.
    const problem = !familyOf(args.dataset).splitsClasses
      ? `--export-pytorch is for image datasets; ${args.dataset} runs stay in Node and the browser.`
      : args.methods.filter((m) => !(PYTORCH_METHODS as readonly string[]).includes(m)).map((m) => `${m} is not exported to PyTorch yet (run.py implements ${PYTORCH_METHODS.join(', ')}).`)[0];
    if (problem) {
      process.stderr.write(`Error: ${problem}\n`);
      process.exit(2);
    }
  }
  try {
    const imported = pytorch.importRun ? readImportedRun(pytorch.importRun) : null;
    const results = await runExperiment(args, {
      afterMethod: pytorch.exportDir
        ? async (plan, data, config, run) => {
            const folder = await writePytorchExport(pytorch.exportDir!, plan, data, config, args, run.training.stepsDone);
            process.stderr.write(`Exported ${plan.method.title} for PyTorch to ${folder}: python3 ${folder}/run.py --train (or --evaluate)\n`);
          }
        : undefined,
    });
    if (imported) reportImported(imported, pytorch.importRun!, results, args.out);
    // wasm worker threads keep Node's event loop alive; the run is complete.
    process.exit(0);
  } catch (error) {
    process.stderr.write(`\nError: ${(error as Error).message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  }
}

const PYTORCH_USAGE = `
PyTorch (see the README, "Outgrowing the tab"):
  --export-pytorch DIR               after training, write each method's run as a folder for
                                     PyTorch: run.py, config, class split, the test episodes as
                                     index lists, images and weights (DIR/<method> with --compare)
  --import-run FILE                  compare with a run trained elsewhere (run.py's results.json):
                                     its accuracy and the paired difference on the same episodes
`;

type JsonRun = { method: string; evaluation: (Pick<ExperimentEvaluation, 'episodes' | 'seed' | 'settings'> & { results: ExperimentEvaluation['results'] }) | null };

/** Prints the imported run beside this run's methods and adds it to the results JSON. */
function reportImported(imported: ImportedEvaluation, file: string, results: Record<string, unknown>, out: string | undefined): void {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const lines = [`\nImported ${imported.name} (${imported.engine}): accuracy ${pct(imported.summary.mean)} ± ${pct(imported.summary.ci95)} on ${imported.episodes} episodes of seed ${imported.seed}`];
  const comparisons = [];
  for (const run of (results.runs as JsonRun[]) ?? []) {
    if (!run.evaluation) continue;
    const c = compareImported(imported, run.evaluation as unknown as ExperimentEvaluation);
    if ('difference' in c) {
      lines.push(`  ${imported.name} minus ${run.method}: ${c.difference.mean >= 0 ? '+' : ''}${pct(c.difference.mean)} ± ${pct(c.difference.ci95)} (paired, same ${c.difference.episodes} episodes)`);
      comparisons.push({ against: run.method, difference: c.difference });
    } else {
      lines.push(`  not compared with ${run.method}: ${c.reason}`);
      comparisons.push({ against: run.method, difference: null, reason: c.reason });
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (out) {
    const json = JSON.parse(readFileSync(out, 'utf8'));
    json.imported = { file, name: imported.name, engine: imported.engine, summary: imported.summary, comparisons };
    writeFileSync(out, JSON.stringify(json, null, 2));
  }
}

void main();
