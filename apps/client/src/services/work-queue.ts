import { BusyError, CancelledError } from './errors.js';

interface Waiting {
  start: () => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Runs async jobs at most `concurrency` at a time and queues at most `maxWaiting` more; beyond that `run` rejects
 * with BusyError at once. Face analysis is CPU-bound, so the sidecar runs one at a time: concurrent runs on the
 * same cores only make every request slower.
 */
export class WorkQueue {
  private active = 0;
  private readonly waiting: Waiting[] = [];
  private readonly jobMs: number[] = [];

  constructor(
    private readonly concurrency = 1,
    private readonly maxWaiting = 8,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new CancelledError();
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new BusyError(this.estimatedWaitSec());
      await new Promise<void>((resolve, reject) => {
        const entry: Waiting = {
          start: resolve,
          reject,
          signal,
          onAbort: () => {
            const at = this.waiting.indexOf(entry);
            if (at >= 0) this.waiting.splice(at, 1);
            reject(new CancelledError());
          },
        };
        signal?.addEventListener('abort', entry.onAbort, { once: true });
        this.waiting.push(entry);
      });
    }
    this.active += 1;
    const started = performance.now();
    try {
      return await job();
    } finally {
      this.recordDuration(performance.now() - started);
      this.active -= 1;
      this.next();
    }
  }

  private next(): void {
    const entry = this.waiting.shift();
    if (!entry) return;
    entry.signal?.removeEventListener('abort', entry.onAbort);
    entry.start();
  }

  private recordDuration(ms: number): void {
    this.jobMs.push(ms);
    if (this.jobMs.length > 20) this.jobMs.shift();
  }

  /** Rough wait for a new job: queued jobs × the recent mean job time (at least 1 s). */
  private estimatedWaitSec(): number {
    const mean = this.jobMs.length ? this.jobMs.reduce((a, b) => a + b, 0) / this.jobMs.length : 1000;
    return Math.max(1, Math.ceil(((this.waiting.length + this.active) * mean) / this.concurrency / 1000));
  }
}
