// The sidecar's express application: routing, body limits and error mapping. No logic of its own.
import express from 'express';
import { CLIENT_LIMITS } from '../config.js';
import { cors } from './cors.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { requestLog, type SidecarLogger } from './logger.js';
import { contributionsRoutes } from './routes/contributions.routes.js';
import { identifyRoutes } from './routes/identify.routes.js';
import { statusRoutes } from './routes/status.routes.js';
import { stashRoutes } from './routes/stash.routes.js';
import type { SidecarServices } from './services.js';

/** Methods of each route, for 405 answers. */
const ROUTES = new Map<string, readonly string[]>([
  ['/health', ['GET']],
  ['/database/info', ['GET']],
  ['/database/update', ['POST']],
  ['/openapi.json', ['GET']],
  ['/identify', ['POST']],
  ['/identify/scene', ['POST']],
  ['/feedback', ['POST']],
  ['/contributions', ['GET']],
  ['/contributions/status', ['GET']],
]);

export interface SidecarAppOptions {
  maxUploadBytes: number;
  log: SidecarLogger;
  /** Browser origins allowed to call the API (CORS): the configured Stash's, so its plugin can call the sidecar. */
  corsOrigins?: readonly string[];
}

export function createSidecarApp(services: SidecarServices, options: SidecarAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(options.log));
  app.use(cors(options.corsOrigins ?? []));
  app.use(express.json({ limit: CLIENT_LIMITS.maxJsonBodyBytes, strict: true }));
  app.use(statusRoutes(services));
  app.use(identifyRoutes(services, options.maxUploadBytes));
  app.use(contributionsRoutes());
  app.use(stashRoutes(services));
  app.use(notFoundHandler(ROUTES));
  app.use(errorHandler(options.log));
  return app;
}
