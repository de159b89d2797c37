// What "Your images" needs of the playground, asked through its named selectors and actions only:
// the runs that can serve as backbones, whether a compute backend is ready, and an earlier visit's
// run rebuilt from its kept state.
import type { BackboneSource } from '../../../worker/ownImagesProtocol';
import type { PlaygroundStore } from '../playground/types';
import { runConfigOf } from '../runConfig';
import { backboneCandidates, backendFailure, datasetProblem, isBackendReady, isRunLive, runOf } from '../selectors';
import type { OwnImagesDeps, TrainedRun } from './types';

/** Runs that can serve as backbones: image runs whose training ended in this visit, or whose state was kept. */
export function backboneRuns(playground: PlaygroundStore): TrainedRun[] {
  const state = playground.getState();
  return backboneCandidates(state).map((r) => ({ id: r.id, name: r.name, datasetLabel: r.datasetLabel, live: isRunLive(state, r.id) }));
}

export function sameRuns(a: TrainedRun[], b: TrainedRun[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i].id && r.name === b[i].name && r.datasetLabel === b[i].datasetLabel && r.live === b[i].live);
}

/** Resolves once the playground has a compute backend (the page may still be choosing one). */
export function backendReady(playground: PlaygroundStore): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = (): boolean => {
      const state = playground.getState();
      const failure = backendFailure(state);
      if (isBackendReady(state)) resolve();
      else if (failure !== null) reject(new Error(`No compute backend: ${failure.replace(/\.$/, '')}. Pick another Backend on the Playground tab.`));
      else return false;
      return true;
    };
    if (check()) return;
    const off = playground.subscribe(() => {
      if (check()) off();
    });
  });
}

/**
 * An earlier visit's run as a backbone: its dataset is loaded in the worker, and the run rebuilt
 * from its kept state. Resolves to the backbone's source, or to why the run cannot be used.
 */
export async function keptRunSource(deps: Pick<OwnImagesDeps, 'playground' | 'runStates'>, run: TrainedRun, name: string): Promise<BackboneSource | string> {
  const { playground } = deps;
  const stored = runOf(playground.getState(), run.id)!;
  const [summary, state] = await Promise.all([
    backendReady(playground).then(() => playground.getState().loadDataset(stored.setup.dataset)),
    deps.runStates?.getRunState(run.id).catch(() => undefined),
  ]);
  if (!summary || !state) {
    const why = !summary
      ? datasetProblem(playground.getState(), stored.setup.dataset) ?? `its dataset (${stored.setup.dataset}) could not be loaded`
      : 'its trained state is no longer in this browser';
    return `${run.name} cannot be used: ${why}`;
  }
  return { kind: 'run', runId: run.id, name, restore: { config: runConfigOf(stored.setup), state } };
}
