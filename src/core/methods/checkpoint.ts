// A method's checkpoint: what a run resumes from so that it continues exactly as if it had never
// stopped. It is the learnable state (stateTensors: what a kept run, a model file and a Your-images
// backbone hold) plus the training state (trainingStateTensors: the optimiser's moments and step
// count, anything else one training step hands to the next) under "training/". As in learn2learn
// and PyTorch's checkpoints, the optimiser's state belongs to the training, not to the model: the
// learnable state alone never grows with it. Methods of every task family implement the same
// optional pair, so plans (experiment/experimentPlan.ts), the worker and the tests share this code.
import type { Adam } from '../nn/adam';
import type { NamedTensors, SavedTensors } from '../nn/params';

/** The name prefix of the training state inside a checkpoint. */
export const TRAINING_PREFIX = 'training/';

/** What a checkpoint is made of (both families' method interfaces have these). */
export interface Checkpointable {
  stateTensors(): NamedTensors;
  /** Starts the training state afresh (a fresh optimiser) besides loading the learnable state. */
  loadState(saved: SavedTensors): void;
  trainingStateTensors?(): NamedTensors;
  loadTrainingState?(saved: SavedTensors): void;
}

/** The entries of `record` with `prefix` put before their names. */
export function prefixed<T>(record: Record<string, T>, prefix: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(record)) out[prefix + name] = value;
  return out;
}

/** The entries of `record` whose names start with `prefix`, without it. */
export function unprefixed<T>(record: Record<string, T>, prefix: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(record)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = value;
  return out;
}

/** The method's checkpoint as named tensors (the method keeps ownership); save it with saveTensors. */
export function checkpointTensors(method: Checkpointable): NamedTensors {
  const state = method.stateTensors();
  const clash = Object.keys(state).find((name) => name.startsWith(TRAINING_PREFIX));
  if (clash) throw new Error(`The learnable state's tensor "${clash}" would be taken for training state in a checkpoint.`);
  return { ...state, ...prefixed(method.trainingStateTensors?.() ?? {}, TRAINING_PREFIX) };
}

/** Splits a saved checkpoint into the learnable state and the training state (empty in an older checkpoint). */
export function splitCheckpoint(saved: SavedTensors): { state: SavedTensors; training: SavedTensors } {
  const state: SavedTensors = {};
  for (const [name, tensor] of Object.entries(saved)) if (!name.startsWith(TRAINING_PREFIX)) state[name] = tensor;
  return { state, training: unprefixed(saved, TRAINING_PREFIX) };
}

/**
 * Loads a checkpoint saved from checkpointTensors into a method made with the run's config. A
 * learnable state alone (a checkpoint from before training states were saved, a kept run) loads
 * too: the training state then starts afresh, as a resumed run always did before.
 */
export function loadCheckpoint(method: Checkpointable, saved: SavedTensors): void {
  const { state, training } = splitCheckpoint(saved);
  method.loadState(state);
  if (Object.keys(training).length > 0) method.loadTrainingState?.(training);
}

const ADAM = 'adam/';

/** A training state that is one Adam optimiser's (every method's today): "adam/m/...", "adam/v/...", "adam/step". */
export function adamTrainingState(optimizer: Adam): NamedTensors {
  return prefixed(optimizer.state(), ADAM);
}

/** Loads a training state saved by adamTrainingState into `optimizer`, which updates `params`. */
export function loadAdamTrainingState(optimizer: Adam, saved: SavedTensors, params: NamedTensors): void {
  const other = Object.keys(saved).filter((name) => !name.startsWith(ADAM));
  if (other.length > 0) throw new Error(`This method's training state is its Adam optimiser's; the saved one also has ${other.join(', ')}.`);
  optimizer.loadState(unprefixed(saved, ADAM), params);
}
