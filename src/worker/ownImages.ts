// The worker's side of "classify your own images": holds the loaded backbones (model files or a
// snapshot of a finished run), a feature cache per backbone keyed by OwnImage.key (the same image
// is decoded and embedded once, however often the page fits or estimates), and the fitted
// classifiers. The session (session.ts) hands every OwnImagesRequest to `handle`; replies are
// plain data (ownImagesProtocol.ts). Requests are checked first and refused with what to do.
// Every classifier is calibrated when it is fitted: one temperature fitted on held-out predictions
// of the user's own images (leave-one-out for a nearest prototype, k-fold for the others), applied
// to every image it classifies afterwards and folded into an exported model's weights.
import type { ImageDecoder } from '../core/data/dataset';
import { fitImage, invert } from '../core/data/resize';
import { estimateAccuracy } from '../core/features/accuracyEstimate';
import type { Backbone, ImagePredictor } from '../core/features/backbone';
import { exportClassifier } from '../core/features/exportClassifier';
import { classifyFeatures, checkHeadSettings, DEFAULT_HEAD, headClassifier, linearLogits, prototypeClassifier, withTemperature, type LinearClassifier } from '../core/features/featureClassifiers';
import { calibrate, logitsOfProbabilities, notCalibrated } from '../core/features/calibrate';
import { softmaxWithTemperature } from '../core/features/calibration';
import { describeFolds, foldsOf, heldOutLogits } from '../core/features/heldOut';
import { loadModelBackbone } from '../core/features/modelBackbone';
import { runBackbone } from '../core/features/runBackbone';
import type { SavedTensors } from '../core/nn/params';
import type { LoadedSource } from './datasets';
import { classificationRunMethod } from '../core/classification/plan';
import { FAMILIES } from '../core/experiment/datasets';
import type {
  AccuracyEstimate,
  BackboneSource,
  BackboneSummary,
  Classification,
  ClassifierKind,
  ClassifierSummary,
  HeadSettings,
  InputRange,
  InputRangeComparison,
  ModelFiles,
  OwnClass,
  OwnImage,
  OwnImagesEvent,
  OwnImagesRequest,
} from './ownImagesProtocol';
import type { RunConfig } from './protocol';

/** What the session lets this part see of a run. */
export interface RunAccess {
  status: 'training' | 'paused' | 'finished';
  config: RunConfig;
  source: LoadedSource | undefined;
  /** The method's state, read when no training step runs. */
  readState(): Promise<SavedTensors>;
}

export interface OwnImagesHost {
  decode: ImageDecoder;
  post(event: OwnImagesEvent): void;
  findRun(runId: string): RunAccess | undefined;
  /** A dataset loaded in this worker (for runs of an earlier visit, rebuilt on it). */
  findSource(datasetId: string): LoadedSource | undefined;
  /** Most progress events per second (default 4). */
  progressPerSecond?: number;
}

interface LoadedBackbone {
  summary: BackboneSummary;
  backbone: Backbone;
  /** Feature rows by image key. */
  features: Map<string, Float32Array>;
  /** Fitted bytes by image key: kept for backbones that adapt (runs: small images, adapted many times). */
  fitted: Map<string, Uint8Array>;
}

interface FittedClassifier {
  summary: ClassifierSummary;
  /** Logits are divided by this before the softmax (summary.calibration.temperature). */
  temperature: number;
  /** prototype / head: a linear map on the backbone's features. */
  linear?: LinearClassifier;
  /** runAdapt: the run's adapted predictor. */
  predictor?: ImagePredictor;
}

const now = () => performance.now() / 1000;

/**
 * Folds of the held-out predictions a classifier is calibrated on when fitted: a nearest prototype
 * costs arithmetic, so every image is held out on its own; a head or a run's adaptation costs a fit
 * per fold, so at most 10 folds (each image still scored by a classifier that never saw it).
 */
const CALIBRATION_FOLDS: Record<ClassifierKind, number> = { prototype: Infinity, head: 10, runAdapt: 10 };

export class OwnImages {
  private readonly backbones = new Map<string, LoadedBackbone>();
  private readonly classifiers = new Map<string, FittedClassifier>();

  constructor(private readonly host: OwnImagesHost) {}

  handle(request: OwnImagesRequest): Promise<unknown> {
    switch (request.type) {
      case 'loadBackbone':
        return this.load(request.backboneId, request.source);
      case 'disposeBackbone':
        return Promise.resolve(this.disposeBackbone(request.backboneId));
      case 'fitClassifier':
        return this.fit(request.classifierId, request.backboneId, request.kind, request.classes, request.head);
      case 'estimateAccuracy':
        return this.estimate(request.backboneId, request.kind, request.classes, request.protocol, request.head);
      case 'classify':
        return this.classify(request.classifierId, request.images, request.names);
      case 'exportClassifier':
        return this.export(request.classifierId, request.name);
      case 'compareInputRanges':
        return this.compareInputRanges(request.backboneId, request.classes);
    }
  }

  private async load(backboneId: string, source: BackboneSource): Promise<BackboneSummary> {
    if (typeof backboneId !== 'string' || backboneId === '') throw new Error('A backbone needs an id.');
    const backbone =
      source.kind === 'model'
        ? await loadModelBackbone(source.name, source.files, {
            layer: source.layer,
            inputRange: source.inputRange,
            inputRangeFrom: source.inputRangeFrom,
            recommendOutput: source.recommendOutput,
            recommendLayer: source.recommendLayer,
          })
        : await this.runBackboneOf(source.runId, source.name, source.restore);
    // Loaded again under the same id (another layer, another file): the old one goes.
    this.disposeBackbone(backboneId);
    const summary: BackboneSummary = { backboneId, ...backbone.summary };
    if (backbone.ready) {
      // A classifier exported by Few-Shot Lab: ready under the backbone's id. How many images it
      // was fitted on is not in the file, so imagesPerClass is empty.
      const { classifier, metadata } = backbone.ready;
      summary.classifier = {
        classifierId: backboneId,
        backboneId,
        kind: metadata.kind,
        classes: [...metadata.classes],
        imagesPerClass: [],
        description: `${describeLinear(classifier.kind, classifier.size, backbone)}, exported by Few-Shot Lab`,
        // Its temperature (if any) is already in the weights: applied once, not again here.
        calibration: notCalibrated(
          metadata.temperature
            ? `Calibrated when it was exported (temperature ${metadata.temperature.toFixed(2)}, folded into its weights); its images are not here to check it again.`
            : 'Exported without calibration (too few images then); its probabilities are the raw scores.',
          metadata.temperature ?? 1,
        ),
      };
      this.classifiers.set(backboneId, { summary: summary.classifier, linear: classifier, temperature: 1 });
    }
    this.backbones.set(backboneId, { summary, backbone, features: new Map(), fitted: new Map() });
    return summary;
  }

  /**
   * A copy of a finished image run's method (the run may be started again later; this stays): this
   * worker's run, or an earlier visit's rebuilt from its settings and kept state (`restore`).
   */
  private async runBackboneOf(runId: string, shownName?: string, restore?: Extract<BackboneSource, { kind: 'run' }>['restore']): Promise<Backbone> {
    const run = this.host.findRun(runId);
    if (run && run.status !== 'finished') throw new Error('Stop the run or wait for it to finish before using it as a backbone.');
    if (!run && !restore) throw new Error(`No run "${runId}" in this worker; train a run first (a crashed worker loses finished runs).`);
    const config = run?.config ?? restore!.config;
    const source = run ? run.source : this.host.findSource(config.datasetId);
    if (!source) throw new Error(`The dataset "${config.datasetId}" of run "${runId}" is not loaded; load it, then choose the run again.`);
    if (source.data.family !== 'classification') {
      throw new Error(`Run "${runId}" is ${FAMILIES[source.data.family].title}; only runs on image datasets can be backbones.`);
    }
    const state = run ? await run.readState() : restore!.state;
    const dataset = source.data.dataset;
    const method = classificationRunMethod(config, dataset);
    try {
      method.loadState(state);
    } catch (error) {
      method.dispose();
      throw error;
    }
    return runBackbone(method, {
      name: shownName ?? `run ${runId} (${config.method} on ${dataset.name})`,
      inputShape: [dataset.height, dataset.width, dataset.channels],
      invertInput: dataset.brightStrokes === true,
    });
  }

  private disposeBackbone(backboneId: string): null {
    const loaded = this.backbones.get(backboneId);
    if (!loaded) return null;
    for (const [id, c] of this.classifiers) {
      if (c.summary.backboneId === backboneId) this.dropClassifier(id);
    }
    loaded.backbone.dispose();
    this.backbones.delete(backboneId);
    return null;
  }

  private dropClassifier(classifierId: string): void {
    this.classifiers.get(classifierId)?.predictor?.dispose();
    this.classifiers.delete(classifierId);
  }

  private backbone(backboneId: string): LoadedBackbone {
    const loaded = this.backbones.get(backboneId);
    if (!loaded) throw new Error(`No backbone "${backboneId}" is loaded; load it first (loadBackbone).`);
    return loaded;
  }

  private checkKind(loaded: LoadedBackbone, kind: ClassifierKind): void {
    if (!['prototype', 'head', 'runAdapt'].includes(kind)) throw new Error(`Unknown classifier kind "${kind}"; use prototype, head or runAdapt.`);
    if (!loaded.summary.classifiers.includes(kind)) {
      const why = kind === 'runAdapt' ? 'only runs trained in the playground adapt on their own' : `it gives no features (${loaded.summary.featureNote})`;
      throw new Error(`The backbone "${loaded.summary.name}" cannot make a ${kind} classifier: ${why}. Use ${loaded.summary.classifiers.join(' or ')}.`);
    }
  }

  /** Every image in a flat list with its class index, after checking the classes. */
  private flatten(classes: OwnClass[]): { images: OwnImage[]; labels: number[]; names: string[] } {
    if (!Array.isArray(classes) || classes.length < 2) throw new Error(`A classifier needs at least 2 classes; got ${Array.isArray(classes) ? classes.length : 0}. Add another class.`);
    const names = classes.map((c) => (typeof c.name === 'string' ? c.name.trim() : ''));
    const unnamed = names.findIndex((n) => n === '');
    if (unnamed >= 0) throw new Error(`Class ${unnamed + 1} has no name; name every class.`);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new Error(`Two classes are named "${twice}"; give every class its own name.`);
    const empty = classes.find((c) => !Array.isArray(c.images) || c.images.length === 0);
    if (empty) throw new Error(`Class "${empty.name.trim()}" has no images; add at least one (or remove the class).`);
    const images: OwnImage[] = [];
    const labels: number[] = [];
    const classOf = new Map<string, string>();
    classes.forEach((c, label) => {
      for (const image of c.images) {
        if (typeof image.key !== 'string' || !(image.bytes instanceof Uint8Array)) throw new Error(`An image of class "${names[label]}" has no key or no bytes.`);
        const other = classOf.get(image.key);
        if (other !== undefined) {
          throw new Error(
            other === names[label]
              ? `Image "${image.key}" is in class "${other}" twice; remove one copy.`
              : `Image "${image.key}" is in both "${other}" and "${names[label]}"; an image can belong to one class only.`,
          );
        }
        classOf.set(image.key, names[label]);
        images.push(image);
        labels.push(label);
      }
    });
    return { images, labels, names };
  }

  /** Decodes and fits one image to the backbone's input; the message names the image. */
  private async fitted(loaded: LoadedBackbone, bytes: Uint8Array, name: string): Promise<Uint8Array> {
    const [height, width, channels] = loaded.backbone.inputShape;
    try {
      const decoded = await this.host.decode(bytes, name);
      const fitted = fitImage(decoded, { height, width, channels: channels as 1 | 3 }, true);
      return loaded.backbone.invertInput ? invert(fitted) : fitted;
    } catch (error) {
      throw new Error(`Image "${name}" could not be read (${(error as Error).message}); remove it or pick another file.`);
    }
  }

  /** Fitted bytes of images, cached by key for backbones that adapt. */
  private async fittedAll(loaded: LoadedBackbone, images: OwnImage[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const image of images) {
      let bytes = loaded.fitted.get(image.key);
      if (!bytes) {
        bytes = await this.fitted(loaded, image.bytes, image.key);
        if (loaded.backbone.adapt) loaded.fitted.set(image.key, bytes);
      }
      out.push(bytes);
    }
    return out;
  }

  /** A throttled featureProgress reporter (the last call always goes out). */
  private progress(backboneId: string, what: string): (done: number, total: number) => void {
    const every = 1 / (this.host.progressPerSecond ?? 4);
    let last = 0;
    return (done, total) => {
      const t = now();
      if (done === total || t - last >= every) {
        last = t;
        this.host.post({ type: 'featureProgress', backboneId, done, total, what });
      }
    };
  }

  /** Feature rows of images, computing (and caching) only those not seen before. */
  private async features(loaded: LoadedBackbone, images: OwnImage[]): Promise<Float32Array[]> {
    const embed = loaded.backbone.embed;
    if (!embed) throw new Error(`The backbone "${loaded.summary.name}" gives no features.`);
    const missing = images.filter((image, i) => !loaded.features.has(image.key) && images.findIndex((o) => o.key === image.key) === i);
    if (missing.length > 0) {
      const report = this.progress(loaded.summary.backboneId, 'features');
      // Decode and fit in chunks so a big batch of photos never sits decoded in memory all at once.
      const chunk = 32;
      for (let start = 0; start < missing.length; start += chunk) {
        const part = missing.slice(start, start + chunk);
        const fitted = await this.fittedAll(loaded, part);
        const rows = await embed(fitted, (done) => report(start + done, missing.length));
        part.forEach((image, i) => loaded.features.set(image.key, rows[i]));
      }
    }
    return images.map((image) => loaded.features.get(image.key)!);
  }

  private async fit(classifierId: string, backboneId: string, kind: ClassifierKind, classes: OwnClass[], head?: HeadSettings): Promise<ClassifierSummary> {
    if (typeof classifierId !== 'string' || classifierId === '') throw new Error('A classifier needs an id.');
    const loaded = this.backbone(backboneId);
    this.checkKind(loaded, kind);
    const settings = head ?? DEFAULT_HEAD;
    if (kind === 'head') checkHeadSettings(settings);
    const { images, labels, names } = this.flatten(classes);
    const way = names.length;
    const imagesPerClass = names.map((_, c) => labels.filter((l) => l === c).length);
    const fitted: FittedClassifier = {
      summary: { classifierId, backboneId, kind, classes: names, imagesPerClass, description: '', calibration: notCalibrated('') },
      temperature: 1,
    };
    const scorer = await this.subsetScorer(loaded, kind, images, labels, way, settings);
    if (kind === 'runAdapt') {
      const support = await this.fittedAll(loaded, images);
      fitted.predictor = await loaded.backbone.adapt!(support, labels, way);
      fitted.summary.description = `${loaded.summary.name}'s own adaptation to ${images.length} support images`;
    } else {
      const rows = await this.features(loaded, images);
      fitted.linear = kind === 'prototype' ? prototypeClassifier(rows, labels, way) : headClassifier(rows, labels, way, settings);
      fitted.summary.description = describeLinear(kind, fitted.linear.size, loaded.backbone, settings);
    }
    // Calibration on held-out predictions (never the support set's own fit, which would teach it to
    // be surer still); skipped, with the reason, when a class has 1 image or there are too few.
    const canHoldOut = imagesPerClass.every((n) => n >= 2) && images.length >= 2;
    const folds = canHoldOut ? foldsOf(labels, way, Math.min(CALIBRATION_FOLDS[kind], images.length)) : [];
    const report = this.progress(backboneId, 'calibration');
    const logits = canHoldOut ? await heldOutLogits(folds, scorer.classify, report) : [];
    const { summary: calibration } = calibrate({ logits, labels: canHoldOut ? labels : [], imageOf: canHoldOut ? labels.map((_, i) => i) : [], imagesPerClass, heldOutBy: canHoldOut ? describeFolds(folds) : '' });
    fitted.summary.calibration = calibration;
    fitted.temperature = calibration.temperature;
    this.dropClassifier(classifierId);
    this.classifiers.set(classifierId, fitted);
    return fitted.summary;
  }

  private async estimate(
    backboneId: string,
    kind: ClassifierKind,
    classes: OwnClass[],
    protocol: Parameters<typeof estimateAccuracy>[0],
    head?: HeadSettings,
  ): Promise<AccuracyEstimate> {
    const loaded = this.backbone(backboneId);
    this.checkKind(loaded, kind);
    const settings = head ?? DEFAULT_HEAD;
    if (kind === 'head') checkHeadSettings(settings);
    if (!protocol || (protocol.kind !== 'leaveOneOut' && protocol.kind !== 'episodes')) throw new Error('The accuracy protocol must be leaveOneOut or episodes.');
    // The clock starts before any feature is computed: the time a person waited.
    const started = now();
    const { images, labels, names } = this.flatten(classes);
    const way = names.length;
    const trials = this.progress(backboneId, protocol.kind === 'leaveOneOut' ? 'leave-one-out' : 'episodes');
    const scorer = await this.subsetScorer(loaded, kind, images, labels, way, settings);
    const estimate = await estimateAccuracy(protocol, {
      kind,
      classes: names,
      labels,
      keys: images.map((i) => i.key),
      classify: scorer.classify,
      describe: scorer.describe,
      onTrial: trials,
    });
    const summary = loaded.summary;
    return {
      ...estimate,
      seconds: now() - started,
      featureSeconds: scorer.featureSeconds,
      featureImages: scorer.featureImages,
      setup: {
        backbone: summary.name,
        layer: summary.featureLayer,
        inputRange: summary.kind === 'run' ? null : loaded.backbone.inputRange,
        classifier: scorer.describe,
      },
    };
  }

  /**
   * Held-out logits of any subset of the images from a classifier built on another subset: a linear
   * map on cached features (features computed first, timed), or the run's adaptation (its
   * probabilities' logs as logits).
   */
  private async subsetScorer(loaded: LoadedBackbone, kind: ClassifierKind, images: OwnImage[], labels: number[], way: number, settings: HeadSettings) {
    const started = now();
    const missing = new Set(images.filter((i) => !loaded.features.has(i.key)).map((i) => i.key)).size;
    let classify: (support: number[], query: number[]) => Promise<ArrayLike<number>[]>;
    let describe: string;
    if (kind === 'runAdapt') {
      const fitted = await this.fittedAll(loaded, images);
      classify = async (support, query) => {
        const predictor = await loaded.backbone.adapt!(support.map((i) => fitted[i]), support.map((i) => labels[i]), way);
        try {
          return (await predictor.predict(query.map((i) => fitted[i]))).map(logitsOfProbabilities);
        } finally {
          predictor.dispose();
        }
      };
      describe = `${loaded.summary.name}'s own adaptation`;
    } else {
      const rows = await this.features(loaded, images);
      const build = (support: number[]) =>
        kind === 'prototype'
          ? prototypeClassifier(support.map((i) => rows[i]), support.map((i) => labels[i]), way)
          : headClassifier(support.map((i) => rows[i]), support.map((i) => labels[i]), way, settings);
      classify = async (support, query) => linearLogits(build(support), query.map((i) => rows[i]));
      describe = describeLinear(kind, rows[0].length, loaded.backbone, settings);
    }
    const runAdapt = kind === 'runAdapt';
    return { classify, describe, featureSeconds: runAdapt ? 0 : now() - started, featureImages: runAdapt ? 0 : missing };
  }

  /**
   * A model whose scaling nobody stated: leave-one-out accuracy of a nearest prototype on the user's
   * images with pixels scaled 0..1 and -1..1; the better one (the current one on a tie) stays, and
   * its features are kept, so the comparison costs one extra pass over the images.
   */
  private async compareInputRanges(backboneId: string, classes: OwnClass[]): Promise<InputRangeComparison> {
    const loaded = this.backbone(backboneId);
    const backbone = loaded.backbone;
    if (!backbone.embedWithRange || !backbone.setInputRange) throw new Error(`The backbone "${loaded.summary.name}" has no input scaling to compare (a playground run takes its images as trained).`);
    const { images, labels, names } = this.flatten(classes);
    const way = names.length;
    const counts = names.map((_, c) => labels.filter((l) => l === c).length);
    if (counts.some((n) => n < 2)) throw new Error('Comparing input scalings needs at least 2 images in every class (leave-one-out); add images first.');
    const current = backbone.inputRange;
    const ranges: InputRange[] = current === '-1,1' ? ['-1,1', '0,1'] : ['0,1', '-1,1'];
    const report = this.progress(backboneId, 'features');
    const results: InputRangeComparison['results'] = [];
    const featuresOf = new Map<InputRange, Float32Array[]>();
    for (const [r, range] of ranges.entries()) {
      const fitted = await this.fittedAll(loaded, images);
      const rows = await backbone.embedWithRange(range, fitted, (done) => report(r * images.length + done, 2 * images.length));
      featuresOf.set(range, rows);
      let correct = 0;
      for (let i = 0; i < images.length; i++) {
        const support = images.map((_, j) => j).filter((j) => j !== i);
        const proto = prototypeClassifier(support.map((j) => rows[j]), support.map((j) => labels[j]), way);
        const [logits] = linearLogits(proto, [rows[i]]);
        if (argMaxOf(logits) === labels[i]) correct++;
      }
      results.push({ range, correct, total: images.length });
    }
    // Strictly better only: on a tie the scaling in use stays.
    const chosen = results[1].correct > results[0].correct ? results[1].range : results[0].range;
    if (chosen !== current) {
      backbone.setInputRange(chosen);
      loaded.summary.inputRange = chosen;
      loaded.features.clear();
      for (const c of [...this.classifiers.keys()]) if (this.classifiers.get(c)!.summary.backboneId === backboneId) this.dropClassifier(c);
    }
    loaded.summary.inputRangeSource = 'chosen';
    const kept = featuresOf.get(chosen)!;
    images.forEach((image, i) => loaded.features.set(image.key, kept[i]));
    return { chosen, results };
  }

  private async classify(classifierId: string, images: Uint8Array[], names?: string[]): Promise<Classification> {
    const classifier = this.classifiers.get(classifierId);
    if (!classifier) throw new Error(`No classifier "${classifierId}"; fit one first (a restarted worker loses its classifiers: fit again).`);
    if (!Array.isArray(images) || images.length === 0) throw new Error('Give at least one image to classify.');
    const named = images.map((_, i) => (Array.isArray(names) && typeof names[i] === 'string' && names[i] !== '' ? names[i] : `image ${i + 1}`));
    const loaded = this.backbone(classifier.summary.backboneId);
    const fitted: Uint8Array[] = [];
    for (let i = 0; i < images.length; i++) fitted.push(await this.fitted(loaded, images[i], named[i]));
    const t = classifier.temperature;
    let probabilities: ArrayLike<number>[];
    if (classifier.linear) {
      const rows = await loaded.backbone.embed!(fitted);
      probabilities = classifyFeatures(classifier.linear, rows, t);
    } else {
      const raw = await classifier.predictor!.predict(fitted);
      probabilities = t === 1 ? raw : raw.map((row) => softmaxWithTemperature(logitsOfProbabilities(row), t));
    }
    return {
      classes: [...classifier.summary.classes],
      probabilities: probabilities.map((row) => Array.from(row)),
      names: named,
      calibrated: classifier.summary.calibration.calibrated,
      temperature: classifier.summary.calibration.temperature,
    };
  }

  private async export(classifierId: string, name: string): Promise<ModelFiles> {
    const classifier = this.classifiers.get(classifierId);
    if (!classifier) throw new Error(`No classifier "${classifierId}"; fit one first.`);
    if (!classifier.linear) {
      throw new Error("A runAdapt classifier is the run's own adaptation and cannot be saved as a standard model; fit a prototype or head classifier on this run and export that.");
    }
    const loaded = this.backbone(classifier.summary.backboneId);
    // The temperature goes into the weights, so the exported model's softmax gives the calibrated probabilities.
    const t = classifier.temperature;
    return exportClassifier(
      loaded.backbone,
      withTemperature(classifier.linear, t),
      { classes: classifier.summary.classes, kind: classifier.summary.kind, backbone: loaded.summary.name, ...(classifier.summary.calibration.calibrated && { temperature: t }) },
      name,
    );
  }
}

/** E.g. "nearest prototype on 256 features (global average pool of conv_pw_13_relu (7×7×256))". */
function describeLinear(kind: 'prototype' | 'head', size: number, backbone: Backbone, head?: HeadSettings): string {
  const on = `${size} features (${backbone.summary.featureNote})`;
  if (kind === 'prototype') return `nearest prototype on ${on}`;
  const fitting = head ? ` (${head.steps} Adam steps, learning rate ${head.learningRate}, weight decay ${head.weightDecay})` : '';
  return `linear softmax head${fitting} on ${on}`;
}

function argMaxOf(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
