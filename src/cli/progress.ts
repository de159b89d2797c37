// A terminal progress bar with rate and ETA, written to stderr so stdout stays clean for tables.
// On a terminal it redraws one line; otherwise (CI logs, pipes) it prints a line every 10%.

export interface ProgressBar {
  update(done: number, extra?: string): void;
  finish(extra?: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** How counts read: steps by default ("12/300  3.10/s"); a download passes formatBytes. */
export type CountFormat = (count: number) => string;

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, count?: CountFormat): ProgressBar {
  const start = performance.now();
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  let lastDraw = 0;
  const line = (done: number, extra?: string): string => {
    const elapsed = (performance.now() - start) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = done > 0 ? (total - done) / rate : NaN;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(total, 1));
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const pct = ((100 * done) / Math.max(total, 1)).toFixed(0).padStart(3);
    const amounts = count ? `${count(done)} of ${count(total)}  ${count(rate)}/s` : `${done}/${total}  ${rate.toFixed(2)}/s`;
    return `${label} [${bar}] ${pct}% ${amounts}  elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}${extra ? '  ' + extra : ''}`;
  };
  return {
    update(done, extra) {
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        stream.write(`\r\x1b[K${line(done, extra)}`);
      } else {
        const decile = Math.floor((10 * done) / Math.max(total, 1));
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${line(done, extra)}\n`);
        }
      }
    },
    finish(extra) {
      if (tty) stream.write(`\r\x1b[K${line(total, extra)}\n`);
      else if (lastDecile < 10) stream.write(`${line(total, extra)}\n`);
    },
  };
}
