import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** The request header our own plugin (and curl) may use instead of Authorization. */
export const TOKEN_HEADER = 'x-stash-sense-token';

/**
 * The token a request carries: `Authorization: Bearer T`, `Authorization: Basic base64(any-user:T)` or
 * `X-Stash-Sense-Token: T`. Basic is what the stash-sense plugin's Python backend sends when its "Stash Sense API URL"
 * is `http://stash-sense:T@127.0.0.1:6960` (Python's requests turns a URL's user:password into that header); that
 * backend cannot send any other header.
 */
export function requestToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers[TOKEN_HEADER];
  if (typeof header === 'string' && header) return header.trim();
  const authorization = typeof headers.authorization === 'string' ? headers.authorization.trim() : '';
  const [scheme, value = ''] = authorization.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '')) return value;
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * With a token configured, every request but a CORS preflight (browsers send those without credentials) must carry
 * it; otherwise 401. Without one, everything passes (the sidecar then relies on binding to 127.0.0.1).
 */
export function requireToken(token: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!token || req.method === 'OPTIONS') return next();
    const given = requestToken(req.headers);
    if (given !== undefined && same(given, token)) return next();
    next(
      new HttpError(
        401,
        given === undefined
          ? 'this sidecar needs its token (STASH_SENSE_SIDECAR_TOKEN): send "Authorization: Bearer <token>" or "X-Stash-Sense-Token", or, in the stash-sense plugin, set the API URL to http://stash-sense:<token>@<host>:6960'
          : 'wrong sidecar token: use the value of STASH_SENSE_SIDECAR_TOKEN the sidecar was started with',
        { 'WWW-Authenticate': 'Bearer realm="stash-sense"' },
      ),
    );
  };
}
