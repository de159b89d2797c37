// A run as the playground keeps it: the setup that produced it, its curves, where and how long it
// trained, and every evaluation of it. Plain data: the store holds these, the history saves them to
// IndexedDB, and exports are made from them.
import type { ChosenBackend } from '../../worker/protocol';
import type { EvaluationMessage, ProgressPoint, ValidationPointMessage } from '../../worker/protocol';
import type { Setup } from './setup';

/**
 * 'interrupted': the page closed, reloaded or crashed while the run trained; it resumes from its kept
 * checkpoint (StoredRun.kept) if there is one.
 */
export type RunStatus = 'starting' | 'training' | 'paused' | 'interrupted' | 'done' | 'stopped' | 'diverged' | 'failed';

/** What of a run's state the browser keeps (src/ui/history: the "runStates" store), without the tensors. */
export interface KeptState {
  /** The training step the kept state is from. */
  step: number;
  /** Seconds of training at that step. */
  elapsed: number;
  /** Size of its tensors' values in bytes. */
  bytes: number;
  /** ms since the epoch. */
  savedAt: number;
  /** A checkpoint taken while training (with the optimiser's state): the run can continue from it. */
  resumable: boolean;
}

export interface RunProgress {
  step: number;
  totalSteps: number;
  stepsPerSecond: number;
  etaSeconds: number;
}

export interface StoredRun {
  id: string;
  /** Shown in the history and the comparison table; the user can rename it. */
  name: string;
  /** ms since the epoch. */
  createdAt: number;
  setup: Setup;
  /** e.g. "glyphs (120 classes, 28x28x1)". */
  datasetLabel: string;
  status: RunStatus;
  /** Why it stopped, diverged or failed, in words that say what to do. */
  message?: string;
  points: ProgressPoint[];
  validation: ValidationPointMessage[];
  progress: RunProgress | null;
  /** Meta-batch actually used (episodes or tasks per step). */
  metaBatch: number | null;
  backend: ChosenBackend | null;
  /** Seconds of training. */
  seconds: number;
  /** Newest last. */
  evaluations: EvaluationMessage[];
  /** What of its state the browser keeps, if anything (written after the state itself). */
  kept?: KeptState;
  /** Set on a run started from a trained snapshot the app ships (src/snapshots): which, and its steps. */
  snapshot?: { id: string; steps: number };
  /** Set on a run read from a JSON export (src/ui/history/importRun.ts): which file, and when. */
  imported?: { fileName: string; at: number };
  /**
   * Set on a run trained or evaluated outside the browser (an exported experiment's run.py, whose
   * results.json the history imports): the engine, its version, the device and the processes.
   */
  trainedElsewhere?: TrainedElsewhere;
}

export interface TrainedElsewhere {
  engine: string;
  version: string;
  device: string;
  /** e.g. "cuda (NVIDIA A100)", "cpu (8 threads)". */
  deviceName: string;
  processes: number;
}
