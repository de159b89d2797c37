// The shape of a method's tfjs-free description (its <name>Info.ts file beside the implementation):
// name, title, paper, defaults, each hyperparameter's hint and range, and the teaching text. The
// playground's main thread reads these without loading tfjs, so this file and every *Info.ts file
// import nothing that does (not even types).

/** Hyperparameters are flat name -> number/string, so they fit in a URL and a CLI flag. */
export type Hyperparameters = Record<string, number | string>;

export interface HyperparameterInfo {
  /** What the page calls it, in words ("Inner-loop learning rate (α)"); the code name (the key)
   * stays for links and the CLI. Required, so a new method cannot show a code name as a label. */
  label: string;
  /** One-line hint shown next to the control. */
  hint: string;
  /** Allowed values for string-valued settings. */
  choices?: readonly string[];
  /** What the page shows for each choice, e.g. running -> "Running statistics (from training)". */
  choiceLabels?: Readonly<Record<string, string>>;
  min?: number;
  max?: number;
}

export interface PaperReference {
  /** Authors, title, venue, year. */
  citation: string;
  /** The paper's arXiv abstract page (or its OpenReview page when it has no arXiv version). */
  url: string;
}

/** Teaching text for lecturers and students, shown in the method's "About" panel. */
export interface MethodExplanation {
  title: string;
  /** One sentence: what is learned. */
  learns: string;
  /** The key formula, plain text with Unicode. */
  update: string;
  /** The same formula spelled out in words, for screen readers. */
  updateSpoken: string;
  /** One or two sentences, with a caveat. */
  worksWellWhen: string;
  paper: PaperReference;
  /** Where this playground's defaults differ from the paper's settings, and why. */
  defaults: string;
  /** What the method is on sine-wave regression: set by the regression family's descriptions. */
  regression?: string;
}

/**
 * A method as the UI and the CLI describe it (its MethodSpec adds `create`), typed by its
 * hyperparameters H: the defaults are an H and every one of H's names has a hint.
 */
export interface MethodInfo<H extends Hyperparameters = Hyperparameters> {
  name: string;
  /** Human name, e.g. "Prototypical Networks". */
  title: string;
  /** The paper, e.g. "Snell, Swersky & Zemel 2017". */
  paper: string;
  defaults: H;
  /** Conv-4 filters this method uses by default (64 if absent). */
  filters?: number;
  /** Episodes per training step when the user does not say (the meta-batch); 1 if absent. */
  metaBatch?: number;
  /**
   * The training episodes this method learns from fastest when the user does not choose them:
   * at least `minWay` ways (never fewer than the test's, never more than the training classes) and
   * `query` queries per class (classification/trainingRecipe.ts). Absent: the test's episodes.
   */
  trainingEpisodes?: { minWay: number; query: number };
  hyperparameters: Record<keyof H & string, HyperparameterInfo>;
  /** What the "About" panel says about it. */
  explanation: MethodExplanation;
}

/** How MAML and the Meta-LSTM normalise queries at test time: with the support set's statistics
 * (non-transductive) or the query batch's own (transductive, as the papers' code). */
export type QueryNormalisation = 'support' | 'batch';
