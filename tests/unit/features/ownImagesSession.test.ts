// "Classify your own images" through the worker session, as the page drives it (sessionHarness,
// wasm, real compute): a model backbone from files, classifiers fitted on PNG pictures, accuracy
// estimates, classification, export and re-import with the same predictions; a run trained in the
// playground as the backbone (features, its own adaptation, export as a rebuilt Conv-4); and the
// refusals a person can cause, each saying what to do.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccuracyEstimate, BackboneSummary, Classification, ClassifierSummary, ModelFiles } from '../../../src/worker/ownImagesProtocol';
import type { SavedTensors } from '../../../src/core/nn/params';
import { buildTinyMobilenet } from '../../fixtures/tinyMobilenet';
import { sessionHarness } from '../fixtures/sessionHarness';
import { CLASS_NAMES, ownClasses, picturePng } from './ownImageFixtures';

const argMax = (row: number[]) => row.indexOf(Math.max(...row));
const worstDifference = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((p, c) => Math.abs(p - b[i][c]))));
const newPictures = [0, 1, 2].map((c) => picturePng(c, 50));

describe('own images through the worker session: a model backbone', () => {
  const h = sessionHarness();
  let tiny: ModelFiles;
  const classes = ownClasses(5);

  beforeAll(async () => {
    await h.send({ type: 'init', backend: 'wasm' });
    tiny = await buildTinyMobilenet();
  });

  it('loads the model, fits prototype and head classifiers, estimates accuracy and classifies new images', async () => {
    const summary = (await h.send({ type: 'loadBackbone', backboneId: 'tiny', source: { kind: 'model', name: 'tiny MobileNet', files: tiny } })) as BackboneSummary;
    // Keras MobileNet layer names suggest -1..1; nobody stated it, so it is marked as a guess.
    expect(summary).toMatchObject({ backboneId: 'tiny', kind: 'layers', featureLayer: 'conv_pw_13_relu', recommendedLayer: 'conv_pw_13_relu', featureSize: 16, inputRange: '-1,1', inputRangeSource: 'guessed' });
    const fitted = (await h.send({ type: 'fitClassifier', classifierId: 'proto', backboneId: 'tiny', kind: 'prototype', classes })) as ClassifierSummary;
    expect(fitted).toMatchObject({ classifierId: 'proto', kind: 'prototype', classes: CLASS_NAMES, imagesPerClass: [5, 5, 5] });
    expect(fitted.description).toBe('nearest prototype on 16 features (global average pool of conv_pw_13_relu (7×7×16))');
    const progress = h.of('featureProgress').filter((e) => e.what === 'features');
    expect(progress.at(-1)).toEqual({ type: 'featureProgress', backboneId: 'tiny', done: 15, total: 15, what: 'features' });
    // Calibrated on leave-one-out predictions of the 15 images (a prototype is cheap to rebuild); the
    // head on 10-fold cross-validation. Calibration never changes which class wins.
    expect(fitted.calibration).toMatchObject({ calibrated: true, predictions: 15, images: 15, heldOutBy: 'leave-one-out' });
    expect(fitted.calibration.temperature).toBeGreaterThan(0);
    expect(fitted.calibration.temperature).not.toBe(1);
    const head = (await h.send({ type: 'fitClassifier', classifierId: 'head', backboneId: 'tiny', kind: 'head', classes })) as ClassifierSummary;
    expect(head.description).toMatch(/^linear softmax head \(100 Adam steps, learning rate 0.01, weight decay 0.001\) on 16 features/);
    expect(head.calibration).toMatchObject({ calibrated: true, predictions: 15, heldOutBy: '10-fold cross-validation' });
    // Features were cached: the head needed no new extraction.
    expect(h.of('featureProgress').filter((e) => e.what === 'features')).toHaveLength(progress.length);

    for (const kind of ['prototype', 'head'] as const) {
      const loo = (await h.send({ type: 'estimateAccuracy', backboneId: 'tiny', kind, classes, protocol: { kind: 'leaveOneOut' } })) as AccuracyEstimate;
      expect(loo.summary.mean).toBeGreaterThan(0.9);
      expect(loo.perImage.map((p) => p.key)).toEqual(classes.flatMap((c) => c.images.map((i) => i.key)));
      expect(loo.calibration.predictions).toBe(15);
      // The time counts feature extraction; the setup names backbone, layer, scaling and classifier.
      expect(loo.seconds).toBeGreaterThanOrEqual(loo.featureSeconds!);
      expect(loo.setup).toMatchObject({ backbone: 'tiny MobileNet', layer: 'conv_pw_13_relu', inputRange: '-1,1' });
      const episodes = { kind: 'episodes' as const, shot: 2, episodes: 8, seed: 3 };
      const a = (await h.send({ type: 'estimateAccuracy', backboneId: 'tiny', kind, classes, protocol: episodes })) as AccuracyEstimate;
      const b = (await h.send({ type: 'estimateAccuracy', backboneId: 'tiny', kind, classes, protocol: episodes })) as AccuracyEstimate;
      expect(a.summary).toEqual(b.summary);
      expect(a.summary.episodes).toBe(8);
    }

    for (const classifierId of ['proto', 'head']) {
      const result = (await h.send({ type: 'classify', classifierId, images: newPictures, names: ['a.png', 'b.png', 'c.png'] })) as Classification;
      expect(result.classes).toEqual(CLASS_NAMES);
      expect(result).toMatchObject({ names: ['a.png', 'b.png', 'c.png'], calibrated: true });
      for (const row of result.probabilities) expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
      expect(result.probabilities.map(argMax)).toEqual([0, 1, 2]);
    }
  });

  it('exports a classifier that loads back ready to classify, with the same probabilities', async () => {
    const before = (await h.send({ type: 'classify', classifierId: 'head', images: newPictures })) as Classification;
    const files = (await h.send({ type: 'exportClassifier', classifierId: 'head', name: 'shapes' })) as ModelFiles;
    const json = JSON.parse(JSON.stringify(files.modelJson)); // as the file travels
    const summary = (await h.send({ type: 'loadBackbone', backboneId: 'shapes', source: { kind: 'model', name: 'shapes', files: { modelJson: json, weights: files.weights } } })) as BackboneSummary;
    expect(summary.classifier).toMatchObject({ classifierId: 'shapes', backboneId: 'shapes', kind: 'head', classes: CLASS_NAMES });
    const after = (await h.send({ type: 'classify', classifierId: 'shapes', images: newPictures })) as Classification;
    // The calibration temperature went into the exported weights: the same calibrated probabilities.
    expect(before.calibrated).toBe(true);
    expect(worstDifference(before.probabilities, after.probabilities)).toBeLessThan(1e-5);
    expect(summary.classifier!.calibration.reason).toMatch(/^Calibrated when it was exported \(temperature \d+\.\d\d, folded into its weights\)/);
    // Disposing a backbone drops its classifiers.
    await h.send({ type: 'disposeBackbone', backboneId: 'shapes' });
    await expect(h.send({ type: 'classify', classifierId: 'shapes', images: newPictures })).rejects.toThrow(/No classifier "shapes"; fit one first/);
  });

  it('tries both input scalings on the images by leave-one-out, keeps the better and its features', async () => {
    await h.send({ type: 'loadBackbone', backboneId: 'ranges', source: { kind: 'model', name: 'tiny MobileNet', files: tiny } });
    const comparison = (await h.send({ type: 'compareInputRanges', backboneId: 'ranges', classes })) as { chosen: string; results: Array<{ range: string; correct: number; total: number }> };
    expect(comparison.results.map((r) => [r.range, r.total])).toEqual([
      ['-1,1', 15],
      ['0,1', 15],
    ]);
    const best = Math.max(...comparison.results.map((r) => r.correct));
    expect(comparison.results.find((r) => r.range === comparison.chosen)!.correct).toBe(best);
    // The features of the chosen scaling are kept: fitting computes none.
    const before = h.of('featureProgress').length;
    const fitted = (await h.send({ type: 'fitClassifier', classifierId: 'r', backboneId: 'ranges', kind: 'prototype', classes })) as ClassifierSummary;
    expect(h.of('featureProgress').slice(before).filter((e) => e.what === 'features')).toHaveLength(0);
    const loo = (await h.send({ type: 'estimateAccuracy', backboneId: 'ranges', kind: 'prototype', classes, protocol: { kind: 'leaveOneOut' } })) as AccuracyEstimate;
    expect(Math.round(loo.summary.mean * 15)).toBe(best);
    expect(loo.setup!.inputRange).toBe(comparison.chosen);
    expect(loo.featureImages).toBe(0);
    expect(fitted.classes).toEqual(CLASS_NAMES);
    await h.send({ type: 'disposeBackbone', backboneId: 'ranges' });
  });

  it('refuses bad requests with what to do', async () => {
    const fit = (patch: object) => h.send({ type: 'fitClassifier', classifierId: 'x', backboneId: 'tiny', kind: 'prototype', classes, ...patch });
    await expect(fit({ backboneId: 'nope' })).rejects.toThrow('No backbone "nope" is loaded; load it first (loadBackbone).');
    await expect(fit({ classes: classes.slice(0, 1) })).rejects.toThrow('A classifier needs at least 2 classes; got 1. Add another class.');
    await expect(fit({ classes: [classes[0], { ...classes[1], name: ' red squares ' }] })).rejects.toThrow('Two classes are named "red squares"; give every class its own name.');
    await expect(fit({ classes: [classes[0], { name: 'empty', images: [] }] })).rejects.toThrow('Class "empty" has no images; add at least one (or remove the class).');
    await expect(fit({ classes: [classes[0], { name: 'copy', images: [classes[0].images[0]] }] })).rejects.toThrow('Image "0-0" is in both "red squares" and "copy"; an image can belong to one class only.');
    const broken = { name: 'broken', images: [{ key: 'notes.txt', bytes: new TextEncoder().encode('hello') }] };
    await expect(fit({ classes: [classes[0], broken] })).rejects.toThrow(/^Image "notes.txt" could not be read \(.*not a PNG or JPEG image\); remove it or pick another file.$/);
    await expect(fit({ kind: 'runAdapt' })).rejects.toThrow(/cannot make a runAdapt classifier: only runs trained in the playground adapt on their own. Use prototype or head./);
    await expect(fit({ kind: 'head', head: { steps: 10, learningRate: -1, weightDecay: 0 } })).rejects.toThrow(/learning rate must be above 0/);
    await expect(h.send({ type: 'estimateAccuracy', backboneId: 'tiny', kind: 'prototype', classes, protocol: { kind: 'episodes', shot: 5, episodes: 3, seed: 1 } })).rejects.toThrow(
      /Class "red squares" has 5 images; 5-shot episodes need more than 5 per class/,
    );
    await expect(h.send({ type: 'exportClassifier', classifierId: 'nope', name: 'n' })).rejects.toThrow(/No classifier "nope"/);
    const missing = { kind: 'model' as const, name: 'm', files: { modelJson: tiny.modelJson, weights: [] } };
    await expect(h.send({ type: 'loadBackbone', backboneId: 'm', source: missing })).rejects.toThrow(/The weight file "group1-shard1of1.bin" listed in model.json was not picked/);
    await expect(h.send({ type: 'loadBackbone', backboneId: 'r', source: { kind: 'run', runId: 'none' } })).rejects.toThrow(/No run "none" in this worker/);
    await expect(h.send({ type: 'classify', classifierId: 'proto', images: [new Uint8Array([1, 2, 3])] })).rejects.toThrow(/Image "image 1" could not be read/);
  });

  it('needs a backend first', async () => {
    const fresh = sessionHarness();
    await expect(fresh.send({ type: 'loadBackbone', backboneId: 'b', source: { kind: 'model', name: 'm', files: tiny } })).rejects.toThrow('Choose a backend first (init).');
  });
});

describe('own images through the worker session: a run as the backbone', () => {
  const h = sessionHarness();
  const classes = ownClasses(3, 28);
  const pictures = [0, 1, 2].map((c) => picturePng(c, 50, 28));

  beforeAll(async () => {
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
  });

  it('uses a stopped ProtoNet run: features, its own adaptation, and export as a rebuilt Conv-4', async () => {
    await h.send({ type: 'start', runId: 'p', config: { datasetId: 'glyphs', sampler: { way: 3, shot: 1, query: 4 }, method: 'protonet', steps: 500, seed: 1, metaBatch: 1 } });
    await expect(h.send({ type: 'loadBackbone', backboneId: 'run', source: { kind: 'run', runId: 'p' } })).rejects.toThrow(
      'Stop the run or wait for it to finish before using it as a backbone.',
    );
    await h.until('progress', (p) => p.step >= 3);
    await h.send({ type: 'stop', runId: 'p' });
    await h.until('finished', (f) => f.runId === 'p');

    const summary = (await h.send({ type: 'loadBackbone', backboneId: 'run', source: { kind: 'run', runId: 'p' } })) as BackboneSummary;
    expect(summary).toMatchObject({ kind: 'run', inputShape: [28, 28, 1], inputRange: '0,1', featureSize: 64, classifiers: ['prototype', 'head', 'runAdapt'], layers: [], featureLayer: null });
    // The glyphs are bright strokes on dark: pictures of dark ink on paper are inverted to match.
    expect(summary.featureNote).toMatch(/your images are inverted first/);
    const proto = (await h.send({ type: 'fitClassifier', classifierId: 'rp', backboneId: 'run', kind: 'prototype', classes })) as ClassifierSummary;
    expect(proto.imagesPerClass).toEqual([3, 3, 3]);
    const adapt = (await h.send({ type: 'fitClassifier', classifierId: 'ra', backboneId: 'run', kind: 'runAdapt', classes })) as ClassifierSummary;
    expect(adapt.description).toMatch(/run p \(protonet on .*\)'s own adaptation to 9 support images/);
    const byPrototype = (await h.send({ type: 'classify', classifierId: 'rp', images: pictures })) as Classification;
    const byAdapt = (await h.send({ type: 'classify', classifierId: 'ra', images: pictures })) as Classification;
    // ProtoNet's adaptation is nearest prototype on the same (running batch norm) embeddings.
    expect(worstDifference(byPrototype.probabilities, byAdapt.probabilities)).toBeLessThan(1e-4);
    const loo = (await h.send({ type: 'estimateAccuracy', backboneId: 'run', kind: 'runAdapt', classes, protocol: { kind: 'leaveOneOut' } })) as AccuracyEstimate;
    expect(loo.summary.episodes).toBe(9);

    await expect(h.send({ type: 'exportClassifier', classifierId: 'ra', name: 'x' })).rejects.toThrow(/A runAdapt classifier is the run's own adaptation and cannot be saved/);
    const files = (await h.send({ type: 'exportClassifier', classifierId: 'rp', name: 'glyph run' })) as ModelFiles;
    // The inversion travels with the model, so it classifies the same pictures the same way when imported.
    expect((files.modelJson as { userDefinedMetadata: { fewShotLab: { invertInput?: boolean } } }).userDefinedMetadata.fewShotLab.invertInput).toBe(true);
    const back = (await h.send({ type: 'loadBackbone', backboneId: 'exported', source: { kind: 'model', name: 'exported run', files } })) as BackboneSummary;
    expect(back).toMatchObject({ kind: 'layers', inputShape: [28, 28, 1], inputRange: '0,1', featureLayer: 'features', featureSize: 64 });
    const again = (await h.send({ type: 'classify', classifierId: 'exported', images: pictures })) as Classification;
    expect(worstDifference(byPrototype.probabilities, again.probabilities)).toBeLessThan(1e-5);

    // A later visit: a new worker rebuilds the run from its settings and the state the page kept.
    const config = { datasetId: 'glyphs', sampler: { way: 3, shot: 1, query: 4 }, method: 'protonet', steps: 500, seed: 1, metaBatch: 1 };
    const state = (await h.send({ type: 'runState', runId: 'p' })) as SavedTensors;
    const later = sessionHarness();
    await later.send({ type: 'init', backend: 'wasm' });
    const restoring = { kind: 'run' as const, runId: 'p', name: 'ProtoNet #1 (glyphs)', restore: { config, state } };
    await expect(later.send({ type: 'loadBackbone', backboneId: 'r', source: restoring })).rejects.toThrow(/The dataset "glyphs" of run "p" is not loaded; load it/);
    await later.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
    const restored = (await later.send({ type: 'loadBackbone', backboneId: 'r', source: restoring })) as BackboneSummary;
    expect(restored).toMatchObject({ name: 'ProtoNet #1 (glyphs)', kind: 'run', featureSize: 64 });
    await later.send({ type: 'fitClassifier', classifierId: 'rp', backboneId: 'r', kind: 'prototype', classes });
    const byRestored = (await later.send({ type: 'classify', classifierId: 'rp', images: pictures })) as Classification;
    expect(worstDifference(byPrototype.probabilities, byRestored.probabilities)).toBeLessThan(1e-5);
  });
});
