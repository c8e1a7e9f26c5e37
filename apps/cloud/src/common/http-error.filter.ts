import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ErrorBody } from '@stash-sense/contracts';
import type { Response } from 'express';
import { DomainError, type DomainErrorKind, RateLimitedError } from './domain-errors.js';

const STATUS_OF: Record<DomainErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

const NAME_OF_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Maps every error to the uniform body `{ error, message, details }`; never leaks internals on 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (exception instanceof RateLimitedError) res.setHeader('Retry-After', String(exception.retryAfterSec));
    if (res.headersSent) return;
    res.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      const status = STATUS_OF[exception.kind];
      return {
        status,
        body: { error: exception.kind, message: exception.message, details: exception.details },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 413) {
        return {
          status,
          body: {
            error: 'payload_too_large',
            message: 'request body is larger than the limit (BODY_LIMIT): send less per request',
          },
        };
      }
      if (status === 400 && exception.cause instanceof SyntaxError) {
        return {
          status,
          body: {
            error: 'bad_request',
            message: `request body is not valid JSON: ${exception.cause.message}`,
          },
        };
      }
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      return { status, body: { error: NAME_OF_STATUS[status] ?? 'error', message } };
    }
    // Errors raised by Express body parsing before Nest sees the request (too large, bad JSON).
    const raw = exception as {
      status?: number;
      type?: string;
      expose?: boolean;
      message?: string;
      limit?: number;
    };
    if (raw && typeof raw.status === 'number' && raw.expose) {
      const status = raw.status;
      const message =
        raw.type === 'entity.too.large'
          ? `request body is larger than the ${raw.limit ?? ''} byte limit: send fewer faces per request`
          : raw.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : (raw.message ?? 'bad request');
      return { status, body: { error: NAME_OF_STATUS[status] ?? 'bad_request', message } };
    }
    return { status: 500, body: { error: 'internal', message: 'internal error: the failure was logged' } };
  }
}
