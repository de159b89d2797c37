// The current run's latest evaluation, beside the run controls: the mean with its 95% confidence
// interval and every setting that produced it (sampler, episodes, seed, split, batch-norm mode,
// backend), so a number is never shown without what it means. Its progress is shown under the
// Evaluate button (RunControls); a failure is said here, where the result would be.
import { familyOf } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { formatSummary } from '../run/format';

export function EvaluationPanel() {
  const run = usePlayground((s) => s.runs.find((r) => r.id === s.currentRunId));
  const evaluation = usePlayground((s) => (s.evaluation && s.evaluation.runId === s.currentRunId ? s.evaluation : null));
  if (!run) return null;
  const latest = run.evaluations.at(-1);
  const family = familyOf(run.setup.dataset);
  return (
    <section className="panel evaluation" aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">{`Evaluation on ${family.testSource}`}</h2>
      {evaluation?.error && (
        <p className="field__error" role="alert">
          {evaluation.error}
        </p>
      )}
      {evaluation && !evaluation.error && !latest && <p className="muted">Evaluating: the result appears here.</p>}
      {!latest && !evaluation && (
        <p className="muted">{`Press Evaluate after training to measure ${family.evaluationTarget(run.setup.evalEpisodes)}.`}</p>
      )}
      {latest && (
        <div className="evaluation__result" aria-live="polite">
          {latest.results.map((r) => (
            <p key={r.label} className="evaluation__headline">
              {latest.metric === 'accuracy' ? 'Accuracy' : r.label}: <strong>{formatSummary(r.summary, latest.metric)}</strong> (95% CI)
            </p>
          ))}
          <p className="muted">
            {family.describeEvaluation(latest)}
            {latest.labels.batchNormAtTest ? `; batch norm at test: ${batchNormText(latest.labels.batchNormAtTest)}` : ''}
            {/* An evaluation made by run.py (an imported PyTorch run) names its engine and device. */}
            {latest.labels.engine ? `; computed with ${latest.labels.engine}` : `; computed on ${latest.backend}`}
            {latest.stoppedEarly ? '; stopped early, so fewer episodes than asked' : ''}.
          </p>
        </div>
      )}
    </section>
  );
}

export function batchNormText(mode: string): string {
  switch (mode) {
    case 'running':
      return 'running averages from training (non-transductive)';
    case 'support':
      return "the support set's statistics (non-transductive)";
    case 'batch':
      return 'the query batch itself (transductive: queries influence each other)';
    default:
      return mode;
  }
}
