import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/**
 * Where `vite build` of apps/dashboard writes the moderation dashboard (infra/setup.sh builds it). The same
 * relative path from apps/cloud/src/dashboard (sources) and apps/cloud/dist/dashboard (compiled).
 */
export const DASHBOARD_DIST = resolve(import.meta.dirname, '../../../dashboard/dist');

/**
 * The dashboard is a static single-page app calling the admin API with a bearer token: nothing of it runs
 * server-side. Scripts and styles come from this origin only; API calls go to this origin; no framing.
 * Inline styles are allowed because the chart library sets style attributes.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard not built</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The moderation dashboard is not built</h1>
<p>This cloud serves the dashboard from <code>apps/dashboard/dist</code>, which is missing.
Build it with <code>npm run build:dashboard</code> (the install step, <code>npm run setup</code>, does it), then reload.</p>
</body></html>`;

/**
 * Serves the built dashboard under its mount point (/admin): hashed assets cached for a year, every other GET
 * answered with index.html (client-side routes such as /admin/moderation/…), a missing file with 404, and a
 * clear 404 page when the dashboard was not built. The directory is looked up per request, so a build made
 * while the cloud runs is served without a restart.
 */
export function dashboardRouter(dir: string = DASHBOARD_DIST): Router {
  const router = express.Router();
  const index = join(dir, 'index.html');
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
  );
  router.use(express.static(dir, { index: false, redirect: false }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      res.status(404).type('html').send(NOT_BUILT);
      return;
    }
    if (extname(req.path)) {
      res.status(404).type('text').send(`No such dashboard file: ${req.originalUrl}`);
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}
