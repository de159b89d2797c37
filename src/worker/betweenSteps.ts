// Jobs that must never overlap a training step of their run: the episode viewer and sine plot
// read the model's parameters, and a step's optimizer update disposes and replaces those tensors.
// While the run's training loop is stepping, jobs wait in a queue the loop empties between two
// steps (it awaits them, so the next step waits too). While the loop is parked (paused at its gate,
// or finished) jobs run at once, and a loop that resumes waits for them before its next step. Jobs
// of a run run one at a time, in the order asked.

interface Queued {
  start: () => Promise<void>;
  reject: (error: Error) => void;
}

export class BetweenSteps {
  private queue: Queued[] = [];
  /** Settles when every job started so far has settled. */
  private tail: Promise<void> = Promise.resolve();
  private parked: boolean;
  private closedBecause: Error | null = null;

  /** `stepping`: the training loop may be inside a step now (false for a finished run). */
  constructor(stepping: boolean) {
    this.parked = !stepping;
  }

  /** Runs `job` when no step is running: at once when the loop is parked, else after this step. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.closedBecause) return Promise.reject(this.closedBecause);
    return new Promise<T>((resolve, reject) => {
      const start = () => Promise.resolve().then(job).then(resolve, reject);
      if (this.parked) this.chain(start);
      else this.queue.push({ start, reject });
    });
  }

  /** The training loop calls this between two steps: runs the queued jobs and waits for them. */
  async drain(): Promise<void> {
    for (const { start } of this.queue.splice(0)) this.chain(start);
    await this.tail;
  }

  /** The loop stops stepping (waits at its pause gate, or has finished): jobs run at once from now. */
  park(): void {
    this.parked = true;
    for (const { start } of this.queue.splice(0)) this.chain(start);
  }

  /** The loop is about to step again: later jobs queue, and this waits for the running ones. */
  async unpark(): Promise<void> {
    this.parked = false;
    await this.tail;
  }

  /** The run's model is gone (its backend failed for good): queued and later jobs fail with `reason`. */
  close(reason: Error): void {
    this.closedBecause = reason;
    this.parked = true;
    for (const { reject } of this.queue.splice(0)) reject(reason);
  }

  /** Settles once the jobs started so far have settled (before the run's model is disposed). */
  idle(): Promise<void> {
    return this.tail;
  }

  private chain(start: () => Promise<void>): void {
    this.tail = this.tail.then(start);
  }
}
