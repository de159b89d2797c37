// A classified batch of images as CSV (RFC 4180: comma-separated, fields with a comma, quote or line
// break quoted, quotes doubled, CRLF line ends), one row per image: file, top class, its calibrated
// probability, "not sure", the runner-up, then every class's probability. A field a spreadsheet
// would run as a formula (starting with = + - @) is prefixed with ' so a file name cannot execute.
// Plain TypeScript, no DOM.

export interface CsvRow {
  name: string;
  probabilities: number[];
  top: number;
  runnerUp: number;
  notSure: boolean;
}

function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const number = (p: number) => p.toFixed(4);

export function batchCsv(rows: readonly CsvRow[], classes: readonly string[]): string {
  const header = ['file', 'top_class', 'probability', 'not_sure', 'runner_up', 'runner_up_probability', ...classes.map((c) => `p(${c})`)];
  const lines = [header.map(field).join(',')];
  for (const row of rows) {
    lines.push(
      [
        field(row.name),
        field(classes[row.top]),
        number(row.probabilities[row.top]),
        row.notSure ? 'yes' : 'no',
        field(classes[row.runnerUp]),
        number(row.probabilities[row.runnerUp]),
        ...row.probabilities.map(number),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
