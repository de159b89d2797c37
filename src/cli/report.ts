// Plain-text output of the CLI: a two-column table, aligned columns, and an
// experiment's report (one method's results as a table; several as columns with their paired
// differences against the first), in the words and number format of the task family.
import type { InitialisedBackend } from '../core/backend';
import type { TaskFamily } from '../core/experiment/taskFamily';
import type { ExperimentArgs } from './experimentArgs';
import type { MethodComparison, MethodRun } from './experimentJson';

export function printTable(rows: Array<[string, string]>, stream: NodeJS.WriteStream = process.stdout): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  const line = '-'.repeat(width + 2 + Math.max(...rows.map(([, v]) => v.length)));
  stream.write(`${line}\n`);
  for (const [k, v] of rows) stream.write(`${k.padEnd(width)}  ${v}\n`);
  stream.write(`${line}\n`);
}

/** Aligned columns under a header row and a rule. */
export function printColumns(header: string[], rows: string[][], stream: NodeJS.WriteStream = process.stdout): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  stream.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) stream.write(`${line(r)}\n`);
}

export interface ExperimentReport {
  family: TaskFamily;
  args: ExperimentArgs;
  runs: MethodRun[];
  comparison: MethodComparison[];
  /** The class split or the tasks, as the plan describes them. */
  dataDescription: string;
  datasets: string;
  backend: InitialisedBackend;
  time: string;
}

const statusOf = (run: MethodRun) => (run.training.status === 'done' ? 'done' : `${run.training.status}: ${run.training.message ?? ''}`);

export function printExperimentReport({ family, args, runs, comparison, dataDescription, datasets, backend, time }: ExperimentReport): void {
  const { metric } = family;
  const tasks = family.taskNoun.many;
  const testSampler = family.samplerControls.way ? `${args.way}-way ${args.shot}-shot, ${args.query} queries/class` : `K = ${args.shot} points, ${args.query} query points`;
  const trainSampler = family.samplerControls.way ? `${args.trainWay}-way ${args.trainShot}-shot ${args.trainQuery}-query` : `K = ${args.trainShot}, ${args.trainQuery} query points`;
  const shared: Array<[string, string]> = [
    ['dataset', datasets],
    ['data', dataDescription],
    [tasks, `${testSampler}, ${args.evalEpisodes} test ${tasks}, seed ${args.evalSeed}`],
    ['training', `${args.episodes} steps, ${trainSampler}, seed ${args.seed}`],
    ['backend', `${backend.backend} (${backend.info})`],
    ['time', time],
  ];
  const batchNorm = (run: MethodRun) => run.evaluation?.labels.batchNormAtTest;
  if (runs.length === 1) {
    const [run] = runs;
    printTable([
      ['method', run.title],
      ...shared.slice(0, 4),
      ['status', statusOf(run)],
      ...(run.evaluation
        ? run.evaluation.results.map((r): [string, string] => [r.label, `${metric.format(r.summary)} (95% CI)`])
        : [[metric.shortLabel, `not evaluated (training ${run.training.status})`] as [string, string]]),
      ...(batchNorm(run) ? [['batch norm at test', String(batchNorm(run))] as [string, string]] : []),
      ...shared.slice(4),
    ]);
    return;
  }
  printTable(shared);
  const labels = runs.find((r) => r.evaluation)?.evaluation?.results.map((r) => r.label) ?? [metric.shortLabel];
  const showBatchNorm = runs.some(batchNorm);
  const header = [
    'method',
    ...labels.map((l) => `${l} (95% CI)`),
    ...labels.map((l) => (labels.length === 1 ? `paired difference vs ${runs[0].title}` : `vs ${runs[0].title} ${l}`)),
    ...(showBatchNorm ? ['batch norm at test'] : []),
  ];
  printColumns(
    header,
    runs.map((run, i) => [
      run.training.status === 'done' ? run.title : `${run.title} (${run.training.status})`,
      ...labels.map((_, k) => (run.evaluation ? metric.format(run.evaluation.results[k].summary) : 'not evaluated')),
      ...labels.map((_, k) => {
        if (i === 0) return 'baseline';
        const d = comparison[i - 1].differences[k]?.difference;
        return d ? metric.format(d) : '-';
      }),
      ...(showBatchNorm ? [String(batchNorm(run) ?? '-')] : []),
    ]),
  );
}
