import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CLIENT_CLOSED_REQUEST, toHttpError } from './error-mapping.js';
import { HttpError } from './http-error.js';
import type { SidecarLogger } from './logger.js';

/** Unknown route → 404; a known route with another method → 405 with Allow. */
export function notFoundHandler(allowedMethods: ReadonlyMap<string, readonly string[]>): RequestHandler {
  return (req, _res, next) => {
    const allowed = allowedMethods.get(req.path);
    if (allowed) {
      next(
        new HttpError(405, `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`, {
          Allow: allowed.join(', '),
        }),
      );
      return;
    }
    next(
      new HttpError(
        404,
        `no such endpoint: ${req.method} ${req.path}. The API is described at GET /openapi.json`,
      ),
    );
  };
}

/** Maps every error to `{ detail }` with its status; internal errors (500) are logged with their stack, 502/503 with their detail. */
export function errorHandler(log: SidecarLogger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const http = toHttpError(error);
    if (http.status === 500) {
      log.error(`${req.method} ${req.path} failed: ${(error as Error)?.stack ?? String(error)}`);
    } else if (http.status > 500) {
      log.info(`${req.method} ${req.path}: ${http.detail}`);
    }
    if (http.status === CLIENT_CLOSED_REQUEST || res.headersSent) {
      res.destroy();
      return;
    }
    res.status(http.status).set(http.headers).json({ detail: http.detail });
  };
}
