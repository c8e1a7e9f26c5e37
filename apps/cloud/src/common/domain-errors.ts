/**
 * Typed domain errors. Services throw these; `HttpErrorFilter` maps each kind to one HTTP status
 * and the uniform body `{ error, message, details }`. Messages say what was wrong and what to do.
 */
export type DomainErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new DomainError('bad_request', message, details);
export const unauthorized = (message: string) => new DomainError('unauthorized', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSec: number) {
    super('rate_limited', `too many requests: retry after ${retryAfterSec} s`, { retryAfterSec });
  }
}
