// Adaptation as a sequence of observable steps, for every method of every family (in the spirit of
// learn2learn's clone()/adapt()): a method starts an adaptation to one task's support data from a
// copy of its current state, and the caller takes its steps one at a time, looking at the learner
// whenever it likes. Test-time adaptation (take the method's own number of steps), the episode
// viewer's accuracy after each inner step and the sine plot's fit after 0..S steps are all this.
import type { LabeledImages } from '../episodes/episode';

/** A learner's predictions: class probabilities (count x way, row-major) for images, outputs for regression inputs. */
export interface Predictor<Input = LabeledImages> {
  predict(input: Input): Promise<Float32Array>;
  dispose(): void;
}

/** One task's adaptation in progress. It owns its tensors; the method's own state is never changed. */
export interface Adaptation<Input = LabeledImages> extends Predictor<Input> {
  /** Steps the method takes when it adapts at test time (0 for a closed-form method such as ProtoNet). */
  readonly steps: number;
  /** Steps taken so far. */
  readonly taken: number;
  /**
   * Takes one more step on the support data. Methods that adapt by repeated updates (SGD, Adam,
   * the LSTM meta-learner) can go on past `steps`; a closed-form method has no step to take.
   */
  step(): Promise<void>;
}

/** Takes the remaining steps of the method's own count, so `a` predicts as the method adapted does. */
export async function adaptFully<I>(a: Adaptation<I>): Promise<Adaptation<I>> {
  try {
    while (a.taken < a.steps) await a.step();
    return a;
  } catch (error) {
    a.dispose();
    throw error;
  }
}

/**
 * Looks at the learner after each number of steps in `at` (in any order; each count is looked at
 * once however often it is listed), taking the steps in between. Returns the looks in the order of `at`.
 */
export async function observeSteps<I, T>(a: Adaptation<I>, at: readonly number[], look: (a: Adaptation<I>) => Promise<T>): Promise<T[]> {
  for (const s of at) {
    if (!Number.isInteger(s) || s < a.taken) throw new Error(`Adaptation steps to look at must be whole numbers from ${a.taken} on, got ${s}.`);
  }
  const seen = new Map<number, T>();
  for (const s of [...new Set(at)].sort((x, y) => x - y)) {
    while (a.taken < s) await a.step();
    seen.set(s, await look(a));
  }
  return at.map((s) => seen.get(s)!);
}

export interface StepwiseOptions<State, Input> {
  /** The learner's state before any step, owned by the adaptation from now on. */
  initial: State;
  steps: number;
  /** The state after one more step from `state` (step `taken` + 1); `state` is disposed afterwards. */
  next(state: State, taken: number): State | Promise<State>;
  predict(state: State, input: Input): Promise<Float32Array>;
  disposeState(state: State): void;
  /** Tensors every step reads (the support set, derived weights), disposed with the adaptation. */
  disposeShared?(): void;
}

/** An Adaptation over a learner state that each step replaces: the common case of every method that adapts in steps. */
export function stepwiseAdaptation<State, Input>(options: StepwiseOptions<State, Input>): Adaptation<Input> {
  let state: State | null = options.initial;
  let taken = 0;
  const current = (): State => {
    if (state === null) throw new Error('This adaptation was disposed.');
    return state;
  };
  return {
    steps: options.steps,
    get taken() {
      return taken;
    },
    async step() {
      const from = current();
      const next = await options.next(from, taken);
      if (next !== from) options.disposeState(from);
      state = next;
      taken++;
    },
    predict: (input) => options.predict(current(), input),
    dispose() {
      if (state === null) return;
      options.disposeState(state);
      state = null;
      options.disposeShared?.();
    },
  };
}

/** An Adaptation with no steps: the learner is made from the support set in one move (prototypes). */
export function closedFormAdaptation<Input>(predictor: Predictor<Input>, method: string): Adaptation<Input> {
  return {
    steps: 0,
    taken: 0,
    step: () => Promise.reject(new Error(`${method} adapts in one move from the support set; there are no adaptation steps to take.`)),
    predict: (input) => predictor.predict(input),
    dispose: () => predictor.dispose(),
  };
}
