// Every error the sidecar can meet is mapped to an HTTP status here, once. Bodies are `{ "detail": "…" }`.
import { InputError } from '../pipeline/index.js';
import {
  BusyError,
  CancelledError,
  IndexUnavailableError,
  ModelMismatchError,
  NotFoundError,
  RemoteFetchError,
  UnsupportedError,
} from '../services/errors.js';
import { StashError } from '../stash/stash-client.js';
import { CompatUnavailableError } from '../stash/stash-sense-compat.service.js';
import { HttpError } from './http-error.js';

/** Status 499 (nginx's "client closed request"): logged only, never sent (the client is gone). */
export const CLIENT_CLOSED_REQUEST = 499;

interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  limit?: unknown;
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof InputError) return new HttpError(400, error.message);
  if (error instanceof NotFoundError) return new HttpError(404, error.message);
  if (error instanceof UnsupportedError) return new HttpError(400, error.message);
  if (error instanceof RemoteFetchError) return new HttpError(502, error.message);
  if (error instanceof IndexUnavailableError || error instanceof ModelMismatchError) {
    return new HttpError(503, error.message);
  }
  if (error instanceof BusyError) {
    return new HttpError(503, error.message, { 'Retry-After': String(error.retryAfterSec) });
  }
  if (error instanceof StashError) {
    return new HttpError(error.kind === 'not-found' ? 404 : 502, error.message);
  }
  if (error instanceof CompatUnavailableError) {
    const status = { no_stash: 503, not_configured: 503, refused: 409, busy: 409, unreachable: 502 }[
      error.failure
    ];
    return new HttpError(status, error.message);
  }
  if (error instanceof CancelledError) return new HttpError(CLIENT_CLOSED_REQUEST, error.message);

  // body-parser (express.json) errors carry `type` and `status`.
  const bodyError = (error ?? {}) as BodyParserError;
  if (bodyError.type === 'entity.too.large') {
    const limit = typeof bodyError.limit === 'number' ? ` of ${formatLimit(bodyError.limit)}` : '';
    return new HttpError(
      413,
      `request body is larger than the limit${limit}; JSON requests only carry a path or URL`,
    );
  }
  if (bodyError.type === 'entity.parse.failed') {
    return new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (bodyError.type === 'encoding.unsupported' || bodyError.type === 'charset.unsupported') {
    return new HttpError(415, `${(error as Error).message}; send UTF-8 JSON`);
  }
  if (
    typeof bodyError.status === 'number' &&
    bodyError.status >= 400 &&
    bodyError.status < 500 &&
    bodyError.expose
  ) {
    return new HttpError(bodyError.status, (error as Error).message);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, `internal error: ${message}. This is a bug; the sidecar log has the details.`);
}
