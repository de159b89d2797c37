// Plain-text output shared by the CLI entries: a two-column results table and the project version.
import { readFileSync } from 'node:fs';

export function printTable(rows: Array<[string, string]>, stream: NodeJS.WriteStream = process.stdout): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  const line = '-'.repeat(width + 2 + Math.max(...rows.map(([, v]) => v.length)));
  stream.write(`${line}\n`);
  for (const [k, v] of rows) stream.write(`${k.padEnd(width)}  ${v}\n`);
  stream.write(`${line}\n`);
}

export function projectVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

export interface ComparisonRow {
  method: string;
  accuracy: string;
  /** Paired difference against the first method on identical episodes, or "baseline". */
  difference: string;
  batchNorm: string;
  status: string;
}

/** One line per method: accuracy +- CI and the paired difference to the first method. */
export function printComparison(rows: ComparisonRow[], stream: NodeJS.WriteStream = process.stdout): void {
  const header: ComparisonRow = {
    method: 'method',
    accuracy: 'accuracy (95% CI)',
    difference: `paired difference vs ${rows[0]?.method ?? ''}`,
    batchNorm: 'batch norm at test',
    status: 'training',
  };
  const all = [header, ...rows];
  const keys: Array<keyof ComparisonRow> = ['method', 'accuracy', 'difference', 'batchNorm', 'status'];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: ComparisonRow) => keys.map((k, i) => r[k].padEnd(widths[i])).join('  ').trimEnd();
  stream.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) stream.write(`${line(r)}\n`);
}
