// The fine-tuning baseline on sine waves (the MAML paper's "pretrained" network) as the page and
// the CLI describe it, without TensorFlow.js: settings, defaults, hints and what the "About" panel
// says on sine waves (the rest of its text is the image method's). The implementation and its spec
// are in finetuneRegression.ts.
import { FINETUNE_INFO } from '../methods/finetuneInfo';
import type { RegressionMethodInfo } from './regressionMethodInfo';

export type RegressionFineTuneHyperparameters = {
  /** Adam step size of the joint pre-training. */
  learningRate: number;
  /** SGD step size when fine-tuning to a task's support points. */
  adaptLearningRate: number;
};

/** Adam 0.001 as for MAML; fine-tuning with MAML's alpha = 0.01, so both adapt alike at test. */
export const REGRESSION_FINETUNE_DEFAULTS: RegressionFineTuneHyperparameters = {
  learningRate: 1e-3,
  adaptLearningRate: 0.01,
};

export const REGRESSION_FINETUNE_INFO: RegressionMethodInfo<RegressionFineTuneHyperparameters> = {
  name: 'finetune',
  title: 'Fine-tuning baseline (pre-trained on all tasks)',
  paper: 'Finn, Abbeel & Levine 2017 ("pretrained" baseline)',
  defaults: { ...REGRESSION_FINETUNE_DEFAULTS },
  metaBatch: 25,
  hyperparameters: {
    learningRate: { label: 'Pre-training learning rate', hint: 'Adam step size of the joint pre-training over all training tasks.', min: 1e-6, max: 1 },
    adaptLearningRate: { label: 'Fine-tuning learning rate', hint: 'SGD step size when fine-tuning on a task\'s support points (MAML\'s alpha: 0.01).', min: 0, max: 10 },
  },
  explanation: {
    ...FINETUNE_INFO.explanation,
    regression:
      'On sine waves: the "pretrained" baseline of the MAML paper, one MLP trained to regress all tasks at once and then fine-tuned by SGD (step 0.01) on a task\'s K points. ' +
      'As the phases vary, joint training learns roughly the average wave, close to flat, and a few steps barely move it: that is the point of the paper\'s comparison.',
  },
};
