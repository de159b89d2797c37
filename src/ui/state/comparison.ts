// The comparison table: evaluations of different runs on identical test episodes (same dataset,
// class split, sampler, episode seed and count), each with its mean and 95% CI, and the paired
// difference to a chosen baseline run with its own CI. Runs evaluated on different episodes are
// never put in one table: their numbers are not comparable pair by pair.
import { familyOf } from '../../core/experiment/datasets';
import type { MetricName } from '../../core/experiment/taskFamily';
import { pairedDifference, type AccuracySummary } from '../../core/train/stats';
import type { EvaluationMessage } from '../../worker/protocol';
import type { StoredRun } from './runTypes';

export interface ComparisonRow {
  runId: string;
  name: string;
  method: string;
  evaluation: EvaluationMessage;
  /** The evaluation's first result (accuracy, or MSE after the first step count). */
  summary: AccuracySummary;
  /** Against the baseline (this minus baseline); null for the baseline itself or when it has none. */
  difference: AccuracySummary | null;
}

export interface ComparisonGroup {
  key: string;
  /** e.g. "glyphs · 5-way 1-shot 15-query · 600 episodes of seed 2017 · split seed 1". */
  title: string;
  metric: MetricName;
  baselineId: string;
  rows: ComparisonRow[];
}

function groupKey(run: StoredRun, e: EvaluationMessage): string {
  const s = run.setup;
  const split = familyOf(s.dataset).splitsClasses ? `${s.split.train}/${s.split.val}/${s.split.test}@${s.seed}` : '';
  return [s.dataset, run.datasetLabel, split, e.settings.way, e.settings.shot, e.settings.query, e.episodes, e.seed, e.metric].join('|');
}

function groupTitle(run: StoredRun, e: EvaluationMessage): string {
  const s = run.setup;
  const family = familyOf(s.dataset);
  const split = family.splitsClasses ? ` · class split ${s.split.train}/${s.split.val}/${s.split.test} of seed ${s.seed}` : '';
  return `${run.datasetLabel} · ${family.describeEpisodes(e.settings)} · ${e.episodes} test episodes of seed ${e.seed}${split}`;
}

/**
 * Groups every run's latest complete evaluation by the episodes it used. `baselines` maps a group
 * key to the chosen baseline run (default: the group's oldest run).
 */
export function comparisonGroups(runs: StoredRun[], baselines: Record<string, string> = {}): ComparisonGroup[] {
  const groups = new Map<string, ComparisonGroup>();
  const oldestFirst = [...runs].sort((a, b) => a.createdAt - b.createdAt);
  for (const run of oldestFirst) {
    const evaluation = [...run.evaluations].reverse().find((e) => !e.stoppedEarly);
    if (!evaluation) continue;
    const key = groupKey(run, evaluation);
    let group = groups.get(key);
    if (!group) {
      group = { key, title: groupTitle(run, evaluation), metric: evaluation.metric, baselineId: run.id, rows: [] };
      groups.set(key, group);
    }
    group.rows.push({ runId: run.id, name: run.name, method: run.setup.method, evaluation, summary: evaluation.results[0].summary, difference: null });
  }
  for (const group of groups.values()) {
    const chosen = baselines[group.key];
    if (chosen && group.rows.some((r) => r.runId === chosen)) group.baselineId = chosen;
    const base = group.rows.find((r) => r.runId === group.baselineId)!;
    for (const row of group.rows) {
      if (row === base) continue;
      row.difference = pairedDifference(row.evaluation.results[0].perEpisode, base.evaluation.results[0].perEpisode);
    }
  }
  return [...groups.values()];
}
