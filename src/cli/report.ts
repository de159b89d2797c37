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
