// Step 3: how the user's classes become a classifier (nearest prototype, a fitted linear head, or
// a trained run's own adaptation such as MAML's inner steps), fitting it, and estimating how
// reliable it is on the user's own images: leave-one-out or repeated episodes, always as a mean
// with its 95% confidence interval, next to chance and the settings that produced it; its
// calibration (how far the stated confidence can be trusted) and where it goes wrong (per class,
// the confusion matrix, the mistakes).
import { useState } from 'react';
import type { AccuracyEstimate, AccuracyProtocol, ClassifierKind, InputRange, InputRangeComparison } from '../../../worker/ownImagesProtocol';
import { formatAccuracy } from '../../../core/train/stats';
import { useOwnImages } from '../../state/ownImagesContext';
import { InlineField } from './InlineField';
import { readiness } from '../../state/ownImagesStore';
import { CalibrationView, calibrationSentence } from './CalibrationView';
import { ConfusionView } from './ConfusionView';

/** Input scalings in words. */
export const RANGE_WORDS: Record<InputRange, string> = { '0,1': '0 to 1', '-1,1': '-1 to 1', '0,255': '0 to 255' };

/** "Input scaling: tried both on your 75 images (leave-one-out, nearest prototype): 0 to 1 got 47 right, -1 to 1 got 29; using 0 to 1 (18 more right)." */
export function rangeComparisonSentence(c: InputRangeComparison): string {
  const [a, b] = c.results;
  const chosen = c.results.find((r) => r.range === c.chosen)!;
  const other = c.results.find((r) => r.range !== c.chosen)!;
  const margin = chosen.correct - other.correct;
  return `Input scaling: this model does not say how its pixels are scaled, so both were tried on your ${a.total} images (leave-one-out, nearest prototype): ${RANGE_WORDS[a.range]} got ${a.correct} right, ${RANGE_WORDS[b.range]} ${b.correct}; using ${RANGE_WORDS[c.chosen]}${margin > 0 ? ` (${margin} more right)` : ' (a tie: the one in use stays)'}.`;
}

const KIND_LABELS: Record<ClassifierKind, { label: string; hint: string }> = {
  prototype: {
    label: 'Nearest prototype',
    hint: 'Each class is the mean of its images’ features; a new image goes to the nearest mean (Prototypical Networks on frozen features). Nothing is trained.',
  },
  head: {
    label: 'Fine-tuned head',
    hint: 'A linear softmax layer is fitted on the features of your images (the backbone stays frozen): transfer learning.',
  },
  runAdapt: {
    label: 'The run’s own adaptation',
    hint: 'The trained run adapts as it does at test time: MAML and Meta-LSTM take their inner steps on your images, ProtoNet builds prototypes.',
  },
};

export function ClassifierPanel() {
  const dataset = useOwnImages((s) => s.datasets.find((d) => d.id === s.datasetId) ?? null);
  const backbone = useOwnImages((s) => s.backbone);
  const classifierKind = useOwnImages((s) => s.classifierKind);
  const head = useOwnImages((s) => s.head);
  const classifier = useOwnImages((s) => s.classifier);
  const estimate = useOwnImages((s) => s.estimate);
  const setClassifierKind = useOwnImages((s) => s.setClassifierKind);
  const setHead = useOwnImages((s) => s.setHead);
  const adapt = useOwnImages((s) => s.adapt);
  const estimateAccuracy = useOwnImages((s) => s.estimateAccuracy);
  const rangeComparison = useOwnImages((s) => s.backbone.rangeComparison);
  const [protocolKind, setProtocolKind] = useState<'leaveOneOut' | 'episodes'>('leaveOneOut');
  const [shot, setShot] = useState(1);
  const available = backbone.summary?.classifiers ?? (['prototype', 'head'] as ClassifierKind[]);
  const blocked = readiness(backbone, dataset);
  const fitting = classifier.status === 'working' || estimate.status === 'working';
  const stale = (version?: number) => version !== undefined && dataset !== null && version !== dataset.updatedAt;

  const protocol = (): AccuracyProtocol =>
    protocolKind === 'leaveOneOut' ? { kind: 'leaveOneOut' } : { kind: 'episodes', shot, episodes: 200, seed: 2017 };

  return (
    <section className="panel own-classifier" aria-labelledby="own-classifier-title">
      <h2 id="own-classifier-title">3. Adapt and check</h2>
      <fieldset className="own-classifier__kinds">
        <legend>Classifier</legend>
        {(Object.keys(KIND_LABELS) as ClassifierKind[]).map((kind) => (
          // The hint is tied to the radio by aria-describedby, not put in its label: the label stays
          // the method's name, so no control's name repeats another's words.
          <div key={kind} className={`choice${available.includes(kind) ? '' : ' choice--unavailable'}`}>
            <input
              type="radio"
              id={`own-kind-${kind}`}
              name="own-classifier-kind"
              value={kind}
              checked={classifierKind === kind}
              disabled={!available.includes(kind) || fitting}
              aria-describedby={`own-kind-${kind}-hint`}
              onChange={() => setClassifierKind(kind)}
            />
            <div>
              <label htmlFor={`own-kind-${kind}`}>{KIND_LABELS[kind].label}</label>
              <p id={`own-kind-${kind}-hint`} className="field__hint">
                {KIND_LABELS[kind].hint}
                {!available.includes(kind) && (kind === 'runAdapt' ? ' Choose a playground run in step 2 to use it.' : ' This network gives no features.')}
              </p>
            </div>
          </div>
        ))}
      </fieldset>
      {classifierKind === 'head' && (
        <div className="own-classifier__head">
          <InlineField label="Steps">
            {(id) => (
              <input id={id} type="number" min={1} max={2000} value={head.steps} onChange={(e) => setHead({ steps: Number(e.target.value) })} />
            )}
          </InlineField>{' '}
          <InlineField label="Learning rate">
            {(id) => (
              <input id={id} type="number" min={0} step="any" value={head.learningRate} onChange={(e) => setHead({ learningRate: Number(e.target.value) })} />
            )}
          </InlineField>{' '}
          <InlineField label="Weight decay">
            {(id) => (
              <input id={id} type="number" min={0} step="any" value={head.weightDecay} onChange={(e) => setHead({ weightDecay: Number(e.target.value) })} />
            )}
          </InlineField>
        </div>
      )}

      <div className="button-row">
        <button type="button" className="primary" onClick={() => void adapt()} disabled={fitting || blocked !== null || !!backbone.summary?.classifier}>
          Adapt to my classes
        </button>
      </div>
      {blocked && !backbone.summary?.classifier && <p className="muted">{blocked}</p>}
      {classifier.status === 'working' && (
        <p role="status" className="muted">
          {backbone.progress?.what === 'calibration'
            ? `Calibrating on held-out predictions of your images (${backbone.progress.done} of ${backbone.progress.total} folds)…`
            : `Computing features and fitting${backbone.progress ? ` (${backbone.progress.done} of ${backbone.progress.total} images)` : ''}…`}
        </p>
      )}
      {classifier.status === 'error' && (
        <p className="field__error" role="alert">
          {classifier.message}
        </p>
      )}
      {classifier.status === 'done' && classifier.result && (
        <p aria-live="polite">
          Ready: {classifier.result.description}, for{' '}
          {classifier.result.classes.map((c, i) => (classifier.result!.imagesPerClass[i] === undefined ? c : `${c} (${classifier.result!.imagesPerClass[i]})`)).join(', ')}.
          {stale(classifier.datasetVersion) && <strong> Your classes changed since: classifying adapts again.</strong>}
          <br />
          <span className="muted">{calibrationSentence(classifier.result.calibration)}</span>
        </p>
      )}
      {rangeComparison && backbone.summary?.kind !== 'run' && <p className="muted">{rangeComparisonSentence(rangeComparison)}</p>}

      <h3>How reliable is it on your images?</h3>
      <div className="own-classifier__estimate">
        <InlineField label="Estimate by">
          {(id) => (
            <select id={id} value={protocolKind} onChange={(e) => setProtocolKind(e.target.value as 'leaveOneOut' | 'episodes')} disabled={fitting}>
              <option value="leaveOneOut">leave-one-out (each image classified from all the others)</option>
              <option value="episodes">repeated episodes (K shots per class, the rest as queries; 200 episodes)</option>
            </select>
          )}
        </InlineField>
        {protocolKind === 'episodes' && (
          <InlineField label="Shots (K)">
            {(id) => (
              <input id={id} type="number" min={1} max={50} value={shot} onChange={(e) => setShot(Math.max(1, Math.round(Number(e.target.value)) || 1))} disabled={fitting} />
            )}
          </InlineField>
        )}{' '}
        <button type="button" onClick={() => void estimateAccuracy(protocol())} disabled={fitting || blocked !== null || classifierKind === undefined}>
          Estimate accuracy
        </button>
      </div>
      {estimate.status === 'working' && (
        <p role="status" className="muted">
          Estimating{backbone.progress ? ` (features of ${backbone.progress.done} of ${backbone.progress.total} images)` : ''}…
        </p>
      )}
      {estimate.status === 'error' && (
        <p className="field__error" role="alert">
          {estimate.message}
        </p>
      )}
      {estimate.status === 'done' && estimate.result && (
        <div className="own-estimate" aria-live="polite">
          <p className="own-estimate__headline">{estimateHeadline(estimate.result)}</p>
          <p className="own-estimate__setup">{setupLine(estimate.result, KIND_LABELS[estimate.result.kind].label)}</p>
          <p className="muted">
            {estimate.result.settings}; chance is {(100 * estimate.result.chance).toFixed(1)}%. {timingLine(estimate.result)}
            {estimate.result.summary.episodes < 30 && ' With this few images the interval is wide: add images for a tighter estimate.'}
            {stale(estimate.datasetVersion) && <strong> Your classes changed since this estimate.</strong>}
          </p>
          <CalibrationView calibration={estimate.result.calibration} />
          <ConfusionView estimate={estimate.result} dataset={dataset} />
        </div>
      )}
    </section>
  );
}

/**
 * "Leave-one-out accuracy: 93.3% (95% CI 70.2% to 98.8%)" — Wilson's interval for right/wrong per
 * image — or "Episode accuracy: 91.2% ± 1.3% (95% CI)", the field's form for episodes.
 */
export function estimateHeadline(estimate: AccuracyEstimate): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  if (estimate.protocol.kind === 'leaveOneOut') {
    const right = Math.round(estimate.summary.mean * estimate.summary.episodes);
    return `Leave-one-out accuracy: ${pct(estimate.summary.mean)} (95% CI ${pct(estimate.interval.low)} to ${pct(estimate.interval.high)}; ${right} of ${estimate.summary.episodes} right)`;
  }
  return `Episode accuracy: ${formatAccuracy(estimate.summary, 1)} (95% CI)`;
}

/** "Backbone: MobileNet v2 · layer …/AvgPool · pixels 0 to 1 · classifier: nearest prototype". */
export function setupLine(estimate: AccuracyEstimate, kindLabel: string): string {
  const setup = estimate.setup;
  if (!setup) return `Classifier: ${kindLabel.toLowerCase()}.`;
  const parts = [`Backbone: ${setup.backbone}`];
  if (setup.layer) parts.push(`feature layer ${setup.layer}`);
  if (setup.inputRange) parts.push(`pixels scaled ${RANGE_WORDS[setup.inputRange]}`);
  parts.push(`classifier: ${kindLabel.toLowerCase()}`);
  return `${parts.join(' · ')}.`;
}

/** "Took 3.8 s, of which 3.2 s computing features of 75 images (0.043 s per image)." */
export function timingLine(estimate: AccuracyEstimate): string {
  const total = `Took ${estimate.seconds.toFixed(1)} s`;
  const images = estimate.featureImages ?? 0;
  if (images === 0 || estimate.featureSeconds === undefined) return `${total} (features were already computed).`;
  return `${total}, of which ${estimate.featureSeconds.toFixed(1)} s computing features of ${images} image${images === 1 ? '' : 's'} (${(estimate.featureSeconds / images).toFixed(3)} s per image).`;
}
