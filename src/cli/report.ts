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

/** Aligned columns under a header row and a rule. */
export function printColumns(header: string[], rows: string[][], stream: NodeJS.WriteStream = process.stdout): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  stream.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) stream.write(`${line(r)}\n`);
}

/** One line per method: accuracy +- CI and the paired difference to the first method. */
export function printComparison(rows: ComparisonRow[], stream: NodeJS.WriteStream = process.stdout): void {
  const header = ['method', 'accuracy (95% CI)', `paired difference vs ${rows[0]?.method ?? ''}`, 'batch norm at test', 'training'];
  printColumns(header, rows.map((r) => [r.method, r.accuracy, r.difference, r.batchNorm, r.status]), stream);
}
