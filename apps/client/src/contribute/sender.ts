// Delivers the outbox to the cloud: POST /v1/contributions with the entry's own request, so every retry carries the
// same idempotency key and a retry after a lost answer stores nothing twice (the cloud replays its answer).
// 5xx, 408, 429, network errors and unreadable answers → retried with exponential backoff (longer when the cloud's
// Retry-After asks for it); any other 4xx → a permanent failure, recorded with its reason and never retried.
import type { ContributionReceipt, ContributionRequest } from '@stash-sense/contracts';
import { type CloudClientOptions, CloudRequestError, postContribution } from './cloud-client.js';
import type { Outbox, OutboxEntry } from './outbox.js';

export const SENDER_CONFIG = {
  /**
   * First retry after 2 s, doubling to at most an hour: a cloud restart (seconds) is covered by the first few
   * tries within one run, a longer outage by later runs without hammering it. Override the base with
   * STASH_SENSE_OUTBOX_BACKOFF_MS (tests).
   */
  backoffBaseMs: 2_000,
  backoffFactor: 2,
  backoffMaxMs: 60 * 60 * 1000,
} as const;

export interface BackoffConfig {
  backoffBaseMs: number;
  backoffFactor: number;
  backoffMaxMs: number;
}

export function senderConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BackoffConfig {
  const base = Number(env.STASH_SENSE_OUTBOX_BACKOFF_MS);
  return { ...SENDER_CONFIG, ...(Number.isFinite(base) && base > 0 ? { backoffBaseMs: base } : {}) };
}

/** Delay before the next try after `attempts` failed tries (1 → base, 2 → base×factor, …, capped). */
export function backoffDelayMs(attempts: number, config: BackoffConfig = SENDER_CONFIG): number {
  const exp = config.backoffBaseMs * config.backoffFactor ** Math.max(0, attempts - 1);
  return Math.min(config.backoffMaxMs, exp);
}

/** Whether a failed POST is worth retrying. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CloudRequestError) {
    const s = error.status;
    // null: no answer; below 400: an answer that could not be read (the cloud may have stored it; the key makes a retry safe).
    return s === null || s < 400 || s === 408 || s === 429 || s >= 500;
  }
  return true; // an unreadable answer (proxy page, cut body): the cloud may have stored it; the key makes a retry safe
}

export type PostContribution = (
  request: ContributionRequest,
  cloud: CloudClientOptions,
) => Promise<ContributionReceipt>;

export interface SendOptions {
  cloud: CloudClientOptions;
  backoff?: BackoffConfig;
  now?: () => Date;
  post?: PostContribution;
  /** Only these entries (default: every queued entry that is due). */
  only?: ReadonlySet<string>;
  /** Try every queued entry now, due or not (a new run the user started: the backoff paces automatic retries). */
  ignoreSchedule?: boolean;
}

export interface SendReport {
  sent: OutboxEntry[];
  failed: OutboxEntry[];
  retrying: OutboxEntry[];
}

export function dueEntries(
  outbox: Outbox,
  now: Date,
  only?: ReadonlySet<string>,
  ignoreSchedule = false,
): OutboxEntry[] {
  return outbox
    .entries()
    .filter(
      (e) =>
        e.state === 'queued' &&
        (!only || only.has(e.id)) &&
        (ignoreSchedule || !e.nextAttemptAt || Date.parse(e.nextAttemptAt) <= now.getTime()),
    );
}

/** One pass: tries every due entry once and records the outcome. */
export async function sendDue(outbox: Outbox, options: SendOptions): Promise<SendReport> {
  const now = options.now ?? (() => new Date());
  const post = options.post ?? postContribution;
  const report: SendReport = { sent: [], failed: [], retrying: [] };
  for (const entry of dueEntries(outbox, now(), options.only, options.ignoreSchedule)) {
    const attempts = entry.attempts + 1;
    if (!entry.request) {
      outbox.recordFailed(entry.id, attempts, null, 'the request was lost from the outbox');
      report.failed.push(outbox.get(entry.id)!);
      continue;
    }
    try {
      const receipt = await post(entry.request, options.cloud);
      outbox.recordSent(entry.id, attempts, receipt);
      report.sent.push(outbox.get(entry.id)!);
    } catch (error) {
      const message = (error as Error).message;
      if (isRetryable(error)) {
        // The cloud's Retry-After (rate limit, maintenance) wins when it asks for longer than the backoff.
        const retryAfterMs = error instanceof CloudRequestError ? (error.retryAfterMs ?? 0) : 0;
        const wait = Math.max(backoffDelayMs(attempts, options.backoff), retryAfterMs);
        const next = new Date(now().getTime() + wait);
        outbox.recordRetry(entry.id, attempts, message, next);
        report.retrying.push(outbox.get(entry.id)!);
      } else {
        outbox.recordFailed(entry.id, attempts, (error as CloudRequestError).status ?? null, message);
        report.failed.push(outbox.get(entry.id)!);
      }
    }
  }
  return report;
}

export interface DrainOptions extends SendOptions {
  /** Keep retrying within this run for up to this long (0: one pass). */
  retryForMs: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (entry: OutboxEntry, waitMs: number) => void;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Sends what is due, then keeps retrying the retryable ones on their backoff schedule until `retryForMs`. */
export async function drain(outbox: Outbox, options: DrainOptions): Promise<SendReport> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const deadline = now().getTime() + options.retryForMs;
  const total: SendReport = { sent: [], failed: [], retrying: [] };
  let ignoreSchedule = options.ignoreSchedule === true;
  for (;;) {
    const pass = await sendDue(outbox, { ...options, ignoreSchedule });
    ignoreSchedule = false;
    total.sent.push(...pass.sent);
    total.failed.push(...pass.failed);
    const waiting = outbox
      .entries()
      .filter((e) => e.state === 'queued' && (!options.only || options.only.has(e.id)));
    if (!waiting.length || options.signal?.aborted) break;
    const nextAt = Math.min(...waiting.map((e) => (e.nextAttemptAt ? Date.parse(e.nextAttemptAt) : 0)));
    if (nextAt > deadline) break;
    const wait = Math.max(0, nextAt - now().getTime());
    const first = waiting.find((e) => (e.nextAttemptAt ? Date.parse(e.nextAttemptAt) : 0) === nextAt);
    if (first) options.onRetry?.(first, wait);
    await sleep(wait, options.signal);
  }
  total.retrying = outbox
    .entries()
    .filter((e) => e.state === 'queued' && (!options.only || options.only.has(e.id)));
  return total;
}
