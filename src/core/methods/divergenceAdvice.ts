// What to tell the user when a method's training diverges, naming the setting to change and its
// current value; shared by the image and the regression versions of each method. `setting` is the
// hyperparameter to lower first, so the page can mark its control. The words name each setting as
// its control's label does (the *Info.ts files: "Inner learning rate (α)", "Outer learning rate
// (β)", "Meta-learner's learning rate"), and the code name follows in brackets for the CLI and links,
// so the one message reads right on the page and in a terminal.

export interface DivergenceAdvice {
  text: string;
  /** The hyperparameter's name, e.g. "learningRate". */
  setting: string;
}

/** A blow-up within this many steps points at MAML's inner step size rather than the outer one. */
const EARLY_STEPS = 10;

export function learningRateAdvice(what: string, learningRate: number): DivergenceAdvice {
  return { text: `Lower the ${what} (learningRate, now ${learningRate}) and train again.`, setting: 'learningRate' };
}

/**
 * MAML has two step sizes. A first step's loss is measured before any outer update, so only the
 * inner steps can have blown it up; later, the one raised furthest above its default is the likelier
 * (sine MAML with learningRate 1, 1000 times its default, blows up at step 2); when neither stands
 * out, a blow-up within the first steps points at the inner one.
 */
export function mamlAdvice(
  innerLearningRate: number,
  learningRate: number,
  step: number,
  defaults?: { innerLearningRate: number; learningRate: number },
): DivergenceAdvice {
  const innerRaise = defaults ? innerLearningRate / defaults.innerLearningRate : 1;
  const outerRaise = defaults ? learningRate / defaults.learningRate : 1;
  const inner = step <= 1 || (innerRaise === outerRaise ? step <= EARLY_STEPS : innerRaise > outerRaise);
  const innerRate = `inner learning rate (innerLearningRate, now ${innerLearningRate})`;
  const outerRate = `outer learning rate (learningRate, now ${learningRate})`;
  const [first, then] = inner ? [innerRate, outerRate] : [outerRate, innerRate];
  return { text: `Lower the ${first} first, and if it still diverges the ${then}; then train again.`, setting: inner ? 'innerLearningRate' : 'learningRate' };
}

export function metaLstmAdvice(learningRate: number, gradientClip: number): DivergenceAdvice {
  const clip = gradientClip > 0 ? '' : ', or turn gradient clipping back on (gradientClip, e.g. 0.25)';
  return { text: `Lower the meta-learner's learning rate (learningRate, now ${learningRate})${clip}, and train again.`, setting: 'learningRate' };
}
