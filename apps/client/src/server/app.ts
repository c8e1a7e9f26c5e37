// The sidecar's express application: routing, body limits and error mapping. No logic of its own.
import express from 'express';
import { CLIENT_LIMITS } from '../config.js';
import { requireToken } from './auth.js';
import { cors } from './cors.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { requestLog, type SidecarLogger } from './logger.js';
import { contributionsRoutes } from './routes/contributions.routes.js';
import { identifyRoutes } from './routes/identify.routes.js';
import { statusRoutes } from './routes/status.routes.js';
import { stashRoutes } from './routes/stash.routes.js';
import { stashSenseCompatRoutes } from './routes/stash-sense-compat.routes.js';
import type { SidecarServices } from './services.js';

/** Methods of each route, for 405 answers. */
const ROUTES = new Map<string, readonly string[]>([
  ['/health', ['GET']],
  ['/database/info', ['GET']],
  ['/database/update', ['POST']],
  ['/database/check-update', ['GET']],
  ['/openapi.json', ['GET']],
  ['/identify', ['POST']],
  ['/identify/scene', ['POST']],
  ['/identify/image', ['POST']],
  ['/identify/gallery', ['POST']],
  ['/stash/search-performers', ['POST']],
  ['/stash/create-performer', ['POST']],
  ['/stash/link-performer', ['POST']],
  ['/feedback', ['POST']],
  ['/contributions', ['GET']],
  ['/contributions/status', ['GET']],
]);

export interface SidecarAppOptions {
  maxUploadBytes: number;
  log: SidecarLogger;
  /** Browser origins allowed to call the API (CORS): the configured Stash's, so its plugin can call the sidecar. */
  corsOrigins?: readonly string[];
  /** When set, every request must carry this token (STASH_SENSE_SIDECAR_TOKEN; server/auth.ts). */
  token?: string;
}

export function createSidecarApp(services: SidecarServices, options: SidecarAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(options.log));
  app.use(cors(options.corsOrigins ?? []));
  app.use(requireToken(options.token));
  // POST /identify may carry a whole image as image_base64 (the stash-sense2 plugin's "Identify current frame"):
  // its JSON limit is the upload limit; identify.routes.ts holds other JSON bodies there to the usual 64 KiB.
  app.post(
    '/identify',
    express.json({
      limit: Math.ceil((options.maxUploadBytes * 4) / 3) + CLIENT_LIMITS.maxJsonBodyBytes,
      strict: true,
      verify: (req, _res, buffer) => {
        (req as typeof req & { jsonBytes?: number }).jsonBytes = buffer.length;
      },
    }),
  );
  app.use(express.json({ limit: CLIENT_LIMITS.maxJsonBodyBytes, strict: true }));
  app.use(statusRoutes(services));
  app.use(identifyRoutes(services, options.maxUploadBytes));
  app.use(contributionsRoutes());
  app.use(stashRoutes(services));
  app.use(stashSenseCompatRoutes(services));
  app.use(notFoundHandler(ROUTES));
  app.use(errorHandler(options.log));
  return app;
}
