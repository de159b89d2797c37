// What to tell the user when a method's training diverges, naming the setting to change and its
// current value; shared by the image and the regression versions of each method.

export function learningRateAdvice(what: string, learningRate: number): string {
  return `Lower the ${what} (learningRate, now ${learningRate}) and train again.`;
}

/** MAML has two step sizes: a blow-up within the first steps points at the inner one. */
export function mamlAdvice(innerLearningRate: number, learningRate: number): string {
  return (
    `Lower the inner learning rate (innerLearningRate, now ${innerLearningRate}) if the loss blew up ` +
    `within the first steps, otherwise the outer one (learningRate, now ${learningRate}), and train again.`
  );
}

export function metaLstmAdvice(learningRate: number, gradientClip: number): string {
  const clip = gradientClip > 0 ? '' : ', or turn gradient clipping back on (gradientClip, e.g. 0.25)';
  return `Lower the meta-learner's learning rate (learningRate, now ${learningRate})${clip}, and train again.`;
}
