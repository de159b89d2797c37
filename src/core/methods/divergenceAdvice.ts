// What to tell the user when a method's training diverges, naming the setting to change and its
// current value; shared by the image and the regression versions of each method. `setting` is the
// hyperparameter to lower first, so the page can mark its control.

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

/** MAML has two step sizes: a blow-up within the first steps points at the inner one. */
export function mamlAdvice(innerLearningRate: number, learningRate: number, step: number): DivergenceAdvice {
  return {
    text:
      `Lower the inner learning rate (innerLearningRate, now ${innerLearningRate}) if the loss blew up ` +
      `within the first steps, otherwise the outer one (learningRate, now ${learningRate}), and train again.`,
    setting: step <= EARLY_STEPS ? 'innerLearningRate' : 'learningRate',
  };
}

export function metaLstmAdvice(learningRate: number, gradientClip: number): DivergenceAdvice {
  const clip = gradientClip > 0 ? '' : ', or turn gradient clipping back on (gradientClip, e.g. 0.25)';
  return { text: `Lower the meta-learner's learning rate (learningRate, now ${learningRate})${clip}, and train again.`, setting: 'learningRate' };
}
