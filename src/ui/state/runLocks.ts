// Which runs are training in another tab of this browser. Each tab trains in its own worker but
// shares the run history, so a tab opened while another trains would otherwise take that run for
// one cut off by a closed page. A tab holds a Web Lock named after each run it trains; a lock held
// by no tab means nobody is training the run. Where the browser has no Web Locks, every run that
// was training counts as cut off (the only case before this existed).

export interface RunLocks {
  /** Holds the run's lock until the returned function is called. */
  hold(runId: string): () => void;
  /** Ids of the runs whose lock some tab holds (this tab's own included). */
  held(): Promise<Set<string>>;
}

const PREFIX = 'few-shot-lab-run:';

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

/** The browser's Web Locks, or undefined where there are none (older browsers, Node). */
export function browserRunLocks(locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks): RunLocks | undefined {
  if (!locks) return undefined;
  return {
    hold(runId) {
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      locks.request(PREFIX + runId, () => released).catch(() => {});
      return release;
    },
    async held() {
      const { held = [] } = await locks.query();
      return new Set(held.map((l) => l.name ?? '').filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length)));
    },
  };
}
