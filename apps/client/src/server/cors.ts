import type { RequestHandler } from 'express';

/**
 * CORS for the configured Stash origin only: the Stash plugin's JavaScript runs on Stash's pages and calls the
 * sidecar from the browser. A wildcard would let any web page drive this unauthenticated local API, so every other
 * origin gets no CORS headers (the browser then blocks the answer) and its preflights are refused.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins.flatMap(withLoopbackAliases));
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) {
      if (req.method === 'OPTIONS' && origin) {
        res.status(403).json({
          detail: `origin ${origin} may not call this sidecar; it allows the Stash at STASH_SENSE_STASH_URL (${[...allowed].join(', ') || 'none configured'})`,
        });
        return;
      }
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Stash-Sense-Token');
      res.setHeader('Access-Control-Max-Age', '600');
      if (req.headers['access-control-request-private-network'] === 'true')
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      res.status(204).end();
      return;
    }
    next();
  };
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The origin, plus its other loopback spellings when it is a loopback one: Stash configured as
 * http://localhost:9999 is often opened as http://127.0.0.1:9999 (a different origin to the browser).
 */
export function withLoopbackAliases(origin: string): string[] {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return [];
  }
  if (!LOOPBACK.includes(url.hostname)) return [url.origin];
  const port = url.port ? `:${url.port}` : '';
  return LOOPBACK.map((host) => `${url.protocol}//${host}${port}`);
}
