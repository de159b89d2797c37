// Runs evaluated on identical test episodes, side by side: mean ± 95% CI per run and the paired
// difference to a baseline the user picks (with its own CI, and whether it excludes zero). Runs
// evaluated on different episodes go in separate tables.
import { useMemo } from 'react';
import { metricNamed } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { comparisonGroups } from '../../state/comparison';
import { formatDifference, formatSummary, isSignificant } from '../run/format';
import { batchNormText } from './EvaluationPanel';

export function ComparisonTable() {
  const runs = usePlayground((s) => s.runs);
  const baselines = usePlayground((s) => s.baselines);
  const setBaseline = usePlayground((s) => s.setBaseline);
  // A table needs two runs on the same episodes; one run's result is in the evaluation panel.
  const groups = useMemo(() => comparisonGroups(runs, baselines).filter((g) => g.rows.length > 1), [runs, baselines]);
  if (groups.length === 0) return null;
  return (
    <section className="panel comparison" aria-labelledby="comparison-title">
      <h2 id="comparison-title">Comparison on identical test episodes</h2>
      {groups.map((group) => {
        const better = metricNamed(group.metric).lowerIsBetter ? 'lower' : 'higher';
        // On a phone the table scrolls sideways in its own box (focusable, so keys scroll it too)
        // rather than widening the page.
        return (
          <div key={group.key} className="comparison__scroll" tabIndex={0} role="group" aria-label={`Comparison: ${group.title}`}>
            <table className="comparison__table">
              <caption>{group.title}</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">{group.metric === 'accuracy' ? 'Accuracy (95% CI)' : `${group.rows[0].evaluation.results[0].label} (95% CI)`}</th>
                  <th scope="col">Paired difference to baseline</th>
                  <th scope="col">Batch norm at test</th>
                  <th scope="col">Baseline</th>
                </tr>
              </thead>
              <tbody>
                {group.rows.map((row) => (
                  <tr key={row.runId}>
                    <th scope="row">{row.name}</th>
                    <td>{formatSummary(row.summary, group.metric)}</td>
                    <td>
                      {row.difference
                        ? `${formatDifference(row.difference, group.metric)}${isSignificant(row.difference) ? '' : ' (not significant)'}`
                        : 'baseline'}
                    </td>
                    <td>{row.evaluation.labels.batchNormAtTest ? batchNormText(String(row.evaluation.labels.batchNormAtTest)) : '—'}</td>
                    <td>
                      <input
                        type="radio"
                        name={`baseline-${group.key}`}
                        aria-label={`Use ${row.name} as the baseline`}
                        checked={row.runId === group.baselineId}
                        onChange={() => setBaseline(group.key, row.runId)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
              {group.rows.length > 1 && (
                <tfoot>
                  <tr>
                    <td colSpan={5} className="muted">
                      Difference = run minus baseline on the same episodes; {better} is better. An interval that includes 0 means these episodes cannot tell the two apart.
                    </td>
                  </tr>
                </tfoot>
              )}
            </table>
          </div>
        );
      })}
    </section>
  );
}
