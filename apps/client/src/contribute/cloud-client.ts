// The cloud's contribution API as the client uses it: POST /v1/contributions with an API key (scope `contribute`).
import {
  ErrorBodySchema,
  type ContributionReceipt,
  ContributionReceiptSchema,
  type ContributionRequest,
} from '@stash-sense/contracts';
import { ConfigError } from '../config.js';
import { fetchTextWithin } from '../services/deadline.js';

export class CloudRequestError extends Error {
  constructor(
    message: string,
    /** The HTTP status, or null when no answer came (network error, timeout). */
    readonly status: number | null,
    /** How long the cloud asked us to wait (429/503 `Retry-After`), when it said. */
    readonly retryAfterMs: number | null = null,
    /** The cloud's own explanation (its error body's message and details), or the start of the answer. */
    readonly detail: string = message,
  ) {
    super(message);
    this.name = 'CloudRequestError';
  }
}

export interface CloudClientOptions {
  serverUrl: string;
  apiKey: string;
  /** Deadline of one call, answer included. Default CLOUD_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * 60 s: the cloud answers a 100-face contribution in well under a second (docs/benchmarks.md, ingest p99 ≤ 0.2 s);
 * the rest is for slow uplinks. STASH_SENSE_CLOUD_TIMEOUT_MS changes it (cloudTimeoutFromEnv).
 */
export const CLOUD_REQUEST_TIMEOUT_MS = 60_000;

/** The deadline of one cloud call: STASH_SENSE_CLOUD_TIMEOUT_MS (milliseconds) when set, else the default. */
export function cloudTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.STASH_SENSE_CLOUD_TIMEOUT_MS?.trim();
  if (!text) return CLOUD_REQUEST_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000)
    throw new ConfigError(`STASH_SENSE_CLOUD_TIMEOUT_MS must be 100 to 3600000 milliseconds, got "${text}"`);
  return ms;
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/**
 * One JSON call to the cloud with the API key: the parsed answer, or a CloudRequestError carrying the status, the
 * cloud's explanation and its Retry-After. Every client call to the cloud's JSON API goes through here.
 */
export async function cloudJson(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: CloudClientOptions,
  body?: unknown,
): Promise<unknown> {
  const url = new URL(path, options.serverUrl);
  const { response: res, text } = await fetchTextWithin(
    options.timeoutMs ?? CLOUD_REQUEST_TIMEOUT_MS,
    (signal) =>
      fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      }),
    (step, reason) =>
      new CloudRequestError(
        step === 'request'
          ? `cannot reach the cloud at ${url.origin}: ${reason}`
          : // The cloud may have stored the request: status null makes it a retry, which its idempotency key keeps safe.
            `${method} ${url.pathname}: the answer broke off (${reason})`,
        null,
      ),
  );
  if (!res.ok) {
    let detail = text.slice(0, 500);
    const parsed = ErrorBodySchema.safeParse(safeJson(text));
    if (parsed.success) {
      detail = parsed.data.message;
      if (parsed.data.details !== undefined)
        detail += ` ${JSON.stringify(parsed.data.details).slice(0, 500)}`;
    }
    throw new CloudRequestError(
      `${method} ${url.pathname}: ${res.status} ${detail}`,
      res.status,
      parseRetryAfter(res.headers.get('retry-after')),
      detail,
    );
  }
  const parsed = safeJson(text);
  if (parsed === undefined)
    throw new CloudRequestError(`${method} ${url.pathname}: the answer is not JSON`, res.status);
  return parsed;
}

export async function postContribution(
  request: ContributionRequest,
  options: CloudClientOptions,
): Promise<ContributionReceipt> {
  try {
    return ContributionReceiptSchema.parse(await cloudJson('POST', '/v1/contributions', options, request));
  } catch (error) {
    if (!(error instanceof CloudRequestError) || error.status === null || error.status < 400) throw error;
    const hint =
      error.status === 401
        ? ' (check the API key)'
        : error.status === 403
          ? ' (the key needs the contribute scope)'
          : '';
    throw new CloudRequestError(
      `the cloud refused the contribution: ${error.status} ${error.detail}${hint}`,
      error.status,
      error.retryAfterMs,
      error.detail,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
