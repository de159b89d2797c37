// The compute worker's logic, free of any DOM or worker global so it runs (and is tested) in Node
// too: handles the page's requests (protocol.ts), trains runs with throttled progress and regular
// checkpoints (one more when a run pauses), resumes a run exactly from a checkpoint, pauses between
// steps, evaluates, inspects a run's model between two of its steps (the episode viewer, the sine
// plot), restores a finished run from a kept state, and moves a run to the next backend when its
// backend fails mid-run (resuming from the last checkpoint, telling the page). The worker entry
// (entry.ts) only wires this to postMessage and supplies the browser's backend chooser and decoder.
import type { ImageDecoder } from '../core/data/dataset';
import { saveTensors, type SavedTensors } from '../core/nn/params';
import { problemsOf } from '../core/settingProblems';
import { BetweenSteps } from './betweenSteps';
import { loadSource, type LoadedSource } from './datasets';
import { checkFitSteps } from '../core/regression/fitSine';
import { OwnImages } from './ownImages';
import type {
  BackendName,
  ChosenBackend,
  BackendPreference,
  BenchmarkResult,
  Checkpoint,
  EpisodeInspection,
  ProgressPoint,
  Request,
  ResumeFrom,
  RunConfig,
  SineFit,
  ValidationPointMessage,
  WorkerError,
  WorkerEvent,
} from './protocol';
import type { ExperimentPlan } from '../core/experiment/experimentPlan';
import { planExperiment } from '../core/experiment/planExperiment';
import { FAMILIES } from '../core/experiment/datasets';


/** How the environment picks and switches tfjs backends (browser: backendChoice.ts). */
export interface BackendProvider {
  choose(preference: BackendPreference): Promise<ChosenBackend>;
  /** Initialises the next working backend after `failed` in BACKEND_ORDER, or null if none is left. */
  fallbackAfter(failed: BackendName): Promise<ChosenBackend | null>;
}

export interface SessionOptions {
  post: (event: WorkerEvent) => void;
  backends: BackendProvider;
  decode: ImageDecoder;
  /** Most progress messages per second (default 4). */
  progressPerSecond?: number;
  /** Seconds of training between checkpoints (default 3). */
  checkpointSeconds?: number;
  /** Ends the worker (the 'crash' fault). */
  terminate?: () => void;
}

interface RunState {
  config: RunConfig;
  plan: ExperimentPlan;
  status: 'training' | 'paused' | 'finished';
  stopRequested: boolean;
  resumeGate: Promise<void> | null;
  openGate: (() => void) | null;
  /** Steps whose points the page already has (not sent again after a resume). */
  shownSteps: number;
  checkpoint: Checkpoint | null;
  /** Inspections of the model, run between two training steps. */
  jobs: BetweenSteps;
}

class InjectedBackendFault extends Error {
  constructor() {
    super('Injected backend failure (fault test): the backend stopped working.');
    this.name = 'InjectedBackendFault';
  }
}

const now = () => performance.now() / 1000;

export class WorkerSession {
  private backend: ChosenBackend | null = null;
  private readonly sources = new Map<string, LoadedSource>();
  private readonly runs = new Map<string, RunState>();
  private cancelRequested = false;
  private faultPending = false;
  private choosing: Promise<unknown> = Promise.resolve();
  private ownImagesPart: OwnImages | null = null;

  constructor(private readonly options: SessionOptions) {}

  /** The user's own images (ownImages.ts); sees runs only through findRun. */
  private get ownImages(): OwnImages {
    this.ownImagesPart ??= new OwnImages({
      decode: this.options.decode,
      post: this.options.post,
      progressPerSecond: this.options.progressPerSecond,
      findSource: (datasetId) => this.sources.get(datasetId),
      findRun: (runId) => {
        const run = this.runs.get(runId);
        if (!run) return undefined;
        return {
          status: run.status,
          config: run.config,
          source: this.sources.get(run.config.datasetId),
          // As an inspection: never while a step (or a backend fallback) replaces the tensors.
          readState: () => run.jobs.run(() => saveTensors(run.plan.stateTensors())),
        };
      },
    });
    return this.ownImagesPart;
  }

  /** Handles one request; replies (with its id) when the request's work is accepted or done. */
  async handle(request: Request): Promise<void> {
    try {
      const value = await this.dispatch(request);
      this.options.post({ type: 'reply', id: request.id, ok: true, value });
    } catch (error) {
      this.options.post({ type: 'reply', id: request.id, ok: false, error: workerErrorOf(error) });
    }
  }

  private async dispatch(request: Request): Promise<unknown> {
    switch (request.type) {
      case 'init': {
        // One backend choice at a time: a second request (the user changing Backend while Auto is
        // still probing) waits for the first instead of initialising tfjs twice at once.
        const choice = this.choosing.then(() => this.options.backends.choose(request.backend));
        this.choosing = choice.catch(() => undefined);
        this.backend = await choice;
        this.options.post({ type: 'backend', ...this.backend });
        return this.backend;
      }
      case 'loadDataset': {
        const loaded = await loadSource(request.datasetId, request.source, this.options.decode);
        this.sources.set(request.datasetId, loaded);
        return loaded.summary;
      }
      case 'start':
        return this.start(request.runId, request.config, request.resume);
      case 'pause':
        return this.pause(request.runId);
      case 'resume':
        return this.resume(request.runId);
      case 'stop': {
        const run = this.run(request.runId);
        run.stopRequested = true;
        this.openGate(run);
        return null;
      }
      case 'evaluate':
        return this.evaluate(request.runId, request.episodes, request.seed);
      case 'cancel': {
        this.cancelRequested = true;
        for (const run of this.runs.values()) {
          run.stopRequested = true;
          this.openGate(run);
        }
        return null;
      }
      case 'inspectEpisode':
        return this.inspectEpisode(request.runId, request.seed);
      case 'runState': {
        const run = this.run(request.runId);
        if (run.status !== 'finished') throw new Error(`Run "${request.runId}" is still training; its state is kept once it ends.`);
        return run.jobs.run(() => saveTensors(run.plan.stateTensors()));
      }
      case 'fitSine':
        return this.fitSine(request.runId, request.seed, request.maxSteps);
      case 'restore':
        return this.restore(request.runId, request.config, request.state);
      case 'benchmark':
        return this.benchmark(request.datasetId, request.method, request.steps, request.warmup ?? 2, request.budgetSeconds ?? Infinity);
      case 'injectFault':
        if (request.fault === 'crash') {
          // Let the reply go out first, then die as a crashed worker would.
          setTimeout(() => (this.options.terminate ? this.options.terminate() : undefined), 0);
        } else {
          this.faultPending = true;
        }
        return null;
      case 'loadBackbone':
      case 'disposeBackbone':
      case 'fitClassifier':
      case 'estimateAccuracy':
      case 'classify':
      case 'exportClassifier':
      case 'compareInputRanges':
        if (!this.backend) throw new Error('Choose a backend first (init).');
        return this.ownImages.handle(request);
    }
  }

  private run(runId: string): RunState {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`No run "${runId}" in this worker.`);
    return run;
  }

  private pause(runId: string): null {
    const run = this.run(runId);
    if (run.status === 'training' && !run.resumeGate) {
      run.resumeGate = new Promise((resolve) => (run.openGate = resolve));
      run.status = 'paused';
    }
    return null;
  }

  private resume(runId: string): null {
    const run = this.run(runId);
    this.openGate(run);
    if (run.status === 'paused') run.status = 'training';
    return null;
  }

  private openGate(run: RunState): void {
    run.openGate?.();
    run.openGate = null;
    run.resumeGate = null;
  }

  /** Checks the settings and starts training; replies at once, training reports by events. */
  private start(runId: string, config: RunConfig, resume?: ResumeFrom): { metaBatch: number } {
    if (!this.backend) throw new Error('Choose a backend first (init).');
    if (this.runs.get(runId)?.status === 'training' || this.runs.get(runId)?.status === 'paused') {
      throw new Error(`Run "${runId}" is already training.`);
    }
    const source = this.sources.get(config.datasetId);
    if (!source) throw new Error(`Dataset "${config.datasetId}" is not loaded; load it before starting a run.`);
    const plan = planExperiment(source.data, config); // throws SettingsError with what to change
    if (resume?.checkpoint) loadInto(plan, resume.checkpoint.state, 'checkpoint');
    const run: RunState = {
      config,
      plan,
      status: 'training',
      stopRequested: false,
      resumeGate: null,
      openGate: null,
      shownSteps: resume?.shownSteps ?? 0,
      checkpoint: resume?.checkpoint ?? null,
      jobs: new BetweenSteps(true),
    };
    this.replace(runId, run);
    this.cancelRequested = false;
    void this.train(runId, run);
    return { metaBatch: plan.metaBatch };
  }

  /**
   * A finished run from a kept state (the 'restore' request): planned from its config, the state
   * loaded, never trained here. Its dataset gives the class split and the episodes, so evaluating
   * with a seed gives the episodes the original run was evaluated on.
   */
  private restore(runId: string, config: RunConfig, state: SavedTensors): null {
    if (!this.backend) throw new Error('Choose a backend first (init).');
    const current = this.runs.get(runId)?.status;
    if (current === 'training' || current === 'paused') throw new Error(`Run "${runId}" is training; stop it before restoring it from a kept state.`);
    const source = this.sources.get(config.datasetId);
    if (!source) {
      throw new Error(`Dataset "${config.datasetId}" is not loaded; load it before restoring a run trained on it (its classes and episodes come from it).`);
    }
    const plan = planExperiment(source.data, config); // throws SettingsError with what to change
    loadInto(plan, state, 'kept state');
    this.replace(runId, {
      config,
      plan,
      status: 'finished',
      stopRequested: false,
      resumeGate: null,
      openGate: null,
      shownSteps: 0,
      checkpoint: null,
      jobs: new BetweenSteps(false),
    });
    return null;
  }

  private replace(runId: string, run: RunState): void {
    const previous = this.runs.get(runId);
    // An inspection of the previous (finished) run may still be reading its model.
    if (previous) void previous.jobs.idle().then(() => previous.plan.dispose());
    this.runs.set(runId, run);
  }

  private async train(runId: string, run: RunState): Promise<void> {
    const post = this.options.post;
    const flushEvery = 1 / (this.options.progressPerSecond ?? 4);
    const checkpointEvery = this.options.checkpointSeconds ?? 3;
    const total = run.config.steps;
    let points: ProgressPoint[] = [];
    let validation: ValidationPointMessage[] = [];
    let lastFlush = 0;
    let lastCheckpoint = now();
    let step = run.checkpoint?.step ?? 0;
    const rate = { at: now(), step };
    let stepsPerSecond = 0;
    const flush = (force: boolean) => {
      const t = now();
      if (!force && t - lastFlush < flushEvery) return;
      lastFlush = t;
      if (run.status === 'paused') {
        // Time spent paused is not training time: measure the rate from the resume on.
        rate.at = t;
        rate.step = step;
      } else if (t - rate.at > 0.5) {
        // Smoothed over about the last 20 s, so a validation pass or one slow step does not make
        // the time left jump; the first measurement is taken as it is.
        const instant = (step - rate.step) / (t - rate.at);
        const weight = stepsPerSecond > 0 ? 1 - Math.exp(-(t - rate.at) / 20) : 1;
        stepsPerSecond += weight * (instant - stepsPerSecond);
        rate.at = t;
        rate.step = step;
      }
      post({
        type: 'progress',
        runId,
        points,
        validation,
        step,
        totalSteps: total,
        stepsPerSecond,
        etaSeconds: stepsPerSecond > 0 ? (total - step) / stepsPerSecond : Number.NaN,
        paused: run.status === 'paused',
      });
      points = [];
      validation = [];
    };
    const checkpoint = async (at: number, elapsed: number) => {
      lastCheckpoint = now();
      run.checkpoint = { step: at, elapsed, state: await saveTensors(run.plan.checkpointTensors()) };
      // Points first: a page holding a checkpoint ahead of its curve would, after a crash,
      // resume past steps it never received.
      flush(true);
      post({ type: 'checkpoint', runId, checkpoint: run.checkpoint });
    };
    const started = now();
    // A resumed or continued run counts the time it had trained before, as its curve's points do.
    const trainedBefore = run.checkpoint?.elapsed ?? 0;
    for (;;) {
      const offset = run.checkpoint?.elapsed ?? 0;
      const startStep = run.checkpoint?.step ?? 0;
      const t0 = now();
      try {
        const result = await run.plan.train({
          startStep,
          shouldStop: () => run.stopRequested,
          onStep: async (p) => {
            if (this.faultPending) {
              this.faultPending = false;
              throw new InjectedBackendFault();
            }
            step = p.step;
            const point: ProgressPoint = { step: p.step, loss: p.loss, learningRate: p.learningRate, elapsed: offset + (now() - t0) };
            if (p.accuracy !== undefined) point.accuracy = p.accuracy;
            if (p.step > run.shownSteps) {
              points.push(point);
              run.shownSteps = p.step;
            }
            if (now() - lastCheckpoint >= checkpointEvery) await checkpoint(p.step, point.elapsed);
            flush(false);
            await run.jobs.drain(); // inspections asked for during this step
            if (run.resumeGate) {
              // A paused run may be left for good (the tab closed): the page keeps its checkpoint at
              // the pause step, so that it resumes from there.
              if (run.checkpoint?.step !== p.step) await checkpoint(p.step, point.elapsed);
              flush(true);
              run.jobs.park();
              await run.resumeGate;
              await run.jobs.unpark();
            }
          },
          onValidation: (v) => void validation.push(v),
        });
        flush(true);
        run.status = 'finished';
        run.jobs.park();
        post({ type: 'finished', runId, status: result.status, message: result.message, problem: result.problem, stepsDone: result.stepsDone, seconds: trainedBefore + now() - started });
        return;
      } catch (error) {
        flush(true);
        let moved = false;
        try {
          moved = await this.fallBack(runId, run, error as Error, step);
        } catch (fallbackError) {
          post({ type: 'error', runId, message: `Moving the run to another backend failed too: ${(fallbackError as Error).message}` });
        }
        if (!moved) {
          run.status = 'finished';
          run.jobs.close(new Error(`Run "${runId}" failed (${(error as Error).message}) and its model is gone; start it again to inspect it.`));
          post({ type: 'finished', runId, status: 'failed', message: (error as Error).message, stepsDone: step, seconds: trainedBefore + now() - started });
          return;
        }
      }
    }
  }

  /**
   * After a failure mid-run: initialise the next backend, rebuild the run there and load its last
   * checkpoint. Returns false when no backend is left (the run ends with the error).
   */
  private async fallBack(runId: string, run: RunState, error: Error, step: number): Promise<boolean> {
    const failed = this.backend!.backend;
    try {
      run.plan.dispose();
    } catch {
      // The failed backend may not be able to free its tensors; they go with it.
    }
    const next = await this.options.backends.fallbackAfter(failed);
    if (!next) {
      this.options.post({ type: 'error', runId, message: `The ${failed} backend failed at step ${step} (${error.message}) and no other backend works; the run ended.` });
      return false;
    }
    this.backend = next;
    const source = this.sources.get(run.config.datasetId)!;
    run.plan = planExperiment(source.data, run.config);
    if (run.checkpoint) run.plan.loadCheckpoint(run.checkpoint.state);
    const from = run.checkpoint ? `its checkpoint at step ${run.checkpoint.step}` : 'the start (no checkpoint yet)';
    this.options.post({ type: 'backend', ...next, reason: `${failed} failed mid-run; switched to ${next.backend}` });
    this.options.post({
      type: 'warning',
      runId,
      message: `The ${failed} backend failed at step ${step} (${error.message}). Training continues on ${next.backend} from ${from}; the curve so far is kept.`,
    });
    return true;
  }

  private async evaluate(runId: string, episodes: number, seed: number): Promise<null> {
    const run = this.run(runId);
    if (run.status !== 'finished') throw new Error('Stop or finish training before evaluating this run.');
    this.cancelRequested = false;
    let last = 0;
    const result = await run.plan.evaluate({
      episodes,
      seed,
      shouldStop: () => this.cancelRequested,
      onProgress: (done, total) => {
        const t = now();
        if (done === total || t - last >= 1 / (this.options.progressPerSecond ?? 4)) {
          last = t;
          this.options.post({ type: 'evaluationProgress', runId, done, total });
        }
      },
    });
    this.options.post({ type: 'evaluated', evaluation: { ...result, runId, backend: this.backend!.backend } });
    return null;
  }

  /** The test episode `seed` picks, through the run's current model (between two training steps). */
  private async inspectEpisode(runId: string, seed: number): Promise<EpisodeInspection> {
    const run = this.run(runId);
    checkSeed(seed);
    if (!run.plan.inspectEpisode) {
      throw new Error(`Run "${runId}" fits sine waves and has no image episodes to view; use the sine plot (fitSine) to see its fits.`);
    }
    // run.plan is read when the job runs: a backend fallback may have rebuilt it meanwhile.
    const inspection = await run.jobs.run(() => run.plan.inspectEpisode!(seed));
    return { runId, ...inspection };
  }

  /** The sine task `seed` picks and the run's fits after 0..maxSteps steps (between two training steps). */
  private async fitSine(runId: string, seed: number, maxSteps: number): Promise<SineFit> {
    const run = this.run(runId);
    checkSeed(seed);
    if (!run.plan.fitSine) {
      throw new Error(`Run "${runId}" classifies images and has no sine waves to fit; use the episode viewer (inspectEpisode) to see its episodes.`);
    }
    checkFitSteps(maxSteps); // at once, rather than after the step in progress
    const fit = await run.jobs.run(() => run.plan.fitSine!(seed, maxSteps));
    return { runId, ...fit };
  }

  /**
   * Median milliseconds per training step of `method` at its defaults (5-way 1-shot 15-query for
   * images; K = 10 for sine waves: the family's defaults) on the current backend, after `warmup` untimed steps. Stops
   * when `budgetSeconds` have passed (software GPUs can take minutes per step).
   */
  private async benchmark(datasetId: string, method: string, steps: number, warmup: number, budgetSeconds: number): Promise<BenchmarkResult> {
    if (!this.backend) throw new Error('Choose a backend first (init).');
    const source = this.sources.get(datasetId);
    if (!source) throw new Error(`Dataset "${datasetId}" is not loaded.`);
    const family = FAMILIES[source.data.family];
    const plan = planExperiment(source.data, { datasetId, sampler: family.samplerConfig(family.samplerDefaults), method, steps: steps + warmup, seed: 1 });
    const times: number[] = [];
    const start = now();
    let last = start;
    try {
      await plan.train({
        startStep: 0,
        shouldStop: () => now() - start > budgetSeconds,
        onValidation: () => undefined,
        onStep: (p) => {
          const t = now();
          if (p.step > warmup) times.push((t - last) * 1000);
          last = t;
        },
      });
    } finally {
      plan.dispose();
    }
    times.sort((a, b) => a - b);
    const median = times.length === 0 ? null : times.length % 2 ? times[times.length >> 1] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    return { msPerStep: median, steps: times.length, backend: this.backend.backend, seconds: now() - start };
  }
}

/** Loads a checkpoint or kept state into a new plan; a state that does not fit frees the plan and says so. */
function loadInto(plan: ExperimentPlan, state: SavedTensors, what: string): void {
  try {
    plan.loadCheckpoint(state);
  } catch (error) {
    plan.dispose();
    throw new Error(`The ${what} does not fit this run's settings: ${(error as Error).message}`);
  }
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new Error(`The seed that picks the episode or sine task must be a whole number, got ${seed}.`);
}

/** A thrown error as the reply carries it: a SettingsError's first problem with a setting gives the
 * code and the control to mark; anything else is 'failed'. */
function workerErrorOf(error: unknown): WorkerError {
  const problems = problemsOf(error);
  const problem = problems.find((p) => p.field !== undefined) ?? problems[0];
  return { code: problem?.code ?? 'failed', field: problem?.field, message: (error as Error).message ?? String(error) };
}
