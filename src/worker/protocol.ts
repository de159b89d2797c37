// The messages between the page and the compute worker, shared by both sides (the worker entry and
// the client the UI calls). Requests carry an id the worker echoes in its reply; events stream
// progress. Everything here is structured-cloneable plain data.
//
// A run is identified by the page's runId. Training progress is throttled (a few messages per
// second) but never lossy: each progress event carries every curve point since the previous one.
// Checkpoints (the method's state and optimiser after a step) go to the page every few seconds of
// work and when a run pauses, so a run can resume exactly after a backend failure, a crashed worker
// or a reload; steps recomputed after a resume are not sent again, so a curve the user saw never
// loses or changes a point.
import type { ClassInfo } from '../core/data/dataset';
import type { SavedTensors } from '../core/nn/params';
import type { ProblemCode, SettingField, SettingProblem } from '../core/settingProblems';
import type { OwnImagesEvent, OwnImagesRequest } from './ownImagesProtocol';
import type { RunConfig } from '../core/experiment/runConfig';
import type { EpisodeInspection as EpisodeView, ExperimentEvaluation, ProgressPoint, SineFit as SineFitView, ValidationResult } from '../core/experiment/results';

/**
 * Why a request failed: `code` a program can act on ('failed' when nothing more is known), `field`
 * the setting to change when the user's settings are to blame (the page marks that control), and
 * the message in words.
 */
export interface WorkerError {
  code: ProblemCode | 'failed';
  field?: SettingField;
  message: string;
}

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;
/** The backend a worker runs on and why (the page shows both). */
export interface ChosenBackend {
  backend: BackendName;
  /** e.g. "SIMD, 2 threads, fast kernels". */
  info: string;
  /** Why this backend, e.g. "WebGPU adapter is a software fallback (SwiftShader)". */
  reason: string;
}

/** The order tried by 'auto', and the order of fallbacks after a failure. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export type DatasetSource =
  | { kind: 'glyphs' }
  | { kind: 'sinusoid' }
  /** An official Omniglot archive (images_background.zip), as bytes. */
  | { kind: 'omniglot'; name: string; bytes: Uint8Array; rotations?: boolean }
  /** A zip laid out <class>/<image>. */
  | { kind: 'folderZip'; name: string; bytes: Uint8Array; imageSize?: number; channels?: 1 | 3 };

export interface DatasetSummary {
  id: string;
  name: string;
  /** 'classification' (image episodes) or 'regression' (sine-wave tasks). */
  task: 'classification' | 'regression';
  classes: number;
  groups: number;
  images: number;
  shape: [number, number, number] | null;
  warnings: string[];
  /**
   * Each class's name, group and image count (no pixels), so the page checks a setup against the
   * dataset's splits as it is edited, with core's rule (classification/dataProblems.ts). Image
   * datasets only.
   */
  classList?: ClassInfo[];
}

export type { RunConfig, SamplerConfig } from '../core/experiment/runConfig';
export type { InspectedImages, ProgressPoint, ValidationResult } from '../core/experiment/results';
/** A validation point as the page receives it. */
export type ValidationPointMessage = ValidationResult;

export interface Checkpoint {
  /** Steps done: a resumed run trains from step `step + 1` on, on the same episodes. */
  step: number;
  /** Seconds of training at this step. */
  elapsed: number;
  /**
   * The plan's checkpointTensors: the learnable state plus the training state (the optimiser's
   * moments and step count) under "training/" (core/methods/checkpoint.ts). A learnable state alone
   * (an older checkpoint) still resumes, with a fresh optimiser.
   */
  state: SavedTensors;
}

/** Where a run resumes from (a crashed worker, a reload): its checkpoint and what the page already shows. */
export interface ResumeFrom {
  /** null: no checkpoint yet, the run starts over (points already shown are not sent again). */
  checkpoint: Checkpoint | null;
  shownSteps: number;
}

export type Request =
  | { type: 'init'; id: number; backend: BackendPreference }
  | { type: 'loadDataset'; id: number; datasetId: string; source: DatasetSource }
  | { type: 'start'; id: number; runId: string; config: RunConfig; resume?: ResumeFrom }
  | { type: 'pause'; id: number; runId: string }
  | { type: 'resume'; id: number; runId: string }
  | { type: 'stop'; id: number; runId: string }
  | { type: 'evaluate'; id: number; runId: string; episodes: number; seed: number }
  | { type: 'cancel'; id: number }
  /** Times training steps of a method on the current backend (median ms per step). */
  | { type: 'benchmark'; id: number; datasetId: string; method: string; steps: number; warmup?: number; budgetSeconds?: number }
  /** A test episode (seed picks it) run through the run's current state, for the episode viewer. */
  | { type: 'inspectEpisode'; id: number; runId: string; seed: number }
  /** The trained state of a finished run (its method's tensors), for the page to keep. */
  | { type: 'runState'; id: number; runId: string }
  /**
   * A finished run made usable again from a kept state (runState's, or a checkpoint's) without
   * training: planned from `config` (its dataset loaded first), the state loaded, the run finished,
   * so that evaluate, inspectEpisode and fitSine work on it as on a run trained in this worker.
   */
  | { type: 'restore'; id: number; runId: string; config: RunConfig; state: SavedTensors }
  /** A sine task (seed picks it) and the run's fit to its support points after 0..maxSteps steps. */
  | { type: 'fitSine'; id: number; runId: string; seed: number; maxSteps: number }
  /** Testing the fault paths: the next training step fails as a lost backend would, or the worker dies. */
  | { type: 'injectFault'; id: number; fault: 'backend' | 'crash' }
  /** The user's own images (ownImagesProtocol.ts). */
  | OwnImagesRequest;

/** An evaluation's results as the page receives them: the plan's, with the run and the backend. */
export type EvaluationMessage = ExperimentEvaluation & { runId: string; backend: BackendName };

export type WorkerEvent =
  | { type: 'reply'; id: number; ok: true; value?: unknown }
  | { type: 'reply'; id: number; ok: false; error: WorkerError }
  | { type: 'backend'; backend: BackendName; info: string; reason: string }
  | { type: 'datasetProgress'; datasetId: string; done: number; total: number }
  | {
      type: 'progress';
      runId: string;
      points: ProgressPoint[];
      validation: ValidationResult[];
      step: number;
      totalSteps: number;
      stepsPerSecond: number;
      etaSeconds: number;
      paused: boolean;
    }
  | { type: 'checkpoint'; runId: string; checkpoint: Checkpoint }
  | { type: 'warning'; runId?: string; message: string }
  | { type: 'error'; runId?: string; message: string }
  | {
      type: 'finished';
      runId: string;
      status: 'done' | 'stopped' | 'diverged' | 'failed';
      message?: string;
      /** When diverged: the setting to change (the message names it too). */
      problem?: SettingProblem;
      stepsDone: number;
      seconds: number;
    }
  | { type: 'evaluationProgress'; runId: string; done: number; total: number }
  | { type: 'evaluated'; evaluation: EvaluationMessage }
  | OwnImagesEvent;

/** What the episode viewer shows of one test episode, answered by 'inspectEpisode'. */
export type EpisodeInspection = EpisodeView & { runId: string };

/** One sine task and the run's fits to its support points, answered by 'fitSine'. */
export type SineFit = SineFitView & { runId: string };

/** What a benchmark request answers: median ms per step, or null when not one step fitted the budget. */
export interface BenchmarkResult {
  msPerStep: number | null;
  steps: number;
  backend: BackendName;
  seconds: number;
}

export type EventOf<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;
