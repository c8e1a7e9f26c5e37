/**
 * A deadline for one HTTP exchange (request, answer and its body), on a timer that keeps the process alive, raced
 * against every step.
 *
 * Why not `AbortSignal.timeout`: its timer does not keep the process alive. When the HTTP stack lost a request whose
 * connection the other side had reset, nothing was left to wait for, and Node ended the CLI with exit code 13 (an
 * unsettled top-level await) and no message — seen on a `contribute` run while the cloud refused connections. With
 * a Deadline the call fails with "no answer within N s" instead, and callers retry or report it.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly expired: Promise<never>;

  constructor(readonly timeoutMs: number) {
    let expire!: (reason: Error) => void;
    this.expired = new Promise<never>((_resolve, reject) => (expire = reject));
    this.expired.catch(() => undefined);
    this.timer = setTimeout(() => {
      const reason = new Error(
        `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`}`,
      );
      this.controller.abort(reason);
      expire(reason);
    }, timeoutMs);
  }

  /** Aborted when the deadline passes: give it to fetch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `step`, or the deadline's error if it passes first. */
  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.expired]);
  }

  /** Why a step failed: the deadline's message when it passed, else the error's own. */
  reasonOf(error: unknown): string {
    const reason: unknown = this.controller.signal.reason;
    if (this.controller.signal.aborted && reason instanceof Error) return reason.message;
    return error instanceof Error ? error.message : String(error);
  }

  /** Stops the timer (call when the exchange is over, however it ended). */
  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * One HTTP exchange whose answer is read as text, within one Deadline: `request` gets the deadline's signal; a
 * failure before the answer (`'request'`) or while reading it (`'answer'`) becomes the caller's error via `fail`.
 */
export async function fetchTextWithin(
  timeoutMs: number,
  request: (signal: AbortSignal) => Promise<Response>,
  fail: (step: 'request' | 'answer', reason: string) => Error,
): Promise<{ response: Response; text: string }> {
  const deadline = new Deadline(timeoutMs);
  try {
    let response: Response;
    try {
      response = await deadline.race(request(deadline.signal));
    } catch (error) {
      throw fail('request', deadline.reasonOf(error));
    }
    try {
      return { response, text: await deadline.race(response.text()) };
    } catch (error) {
      throw fail('answer', deadline.reasonOf(error));
    }
  } finally {
    deadline.clear();
  }
}
