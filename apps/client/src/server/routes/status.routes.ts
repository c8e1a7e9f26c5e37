// GET /health, GET /database/info, POST /database/update, GET /openapi.json. /health and /database/info also carry
// the stash-sense plugin's fields (its sidecar used the same paths).
import { buildSidecarOpenApiDocument, type SidecarHealth } from '@stash-sense/contracts';
import { Router } from 'express';
import type { UpdateFailure } from '../../index/index-updater.js';
import { CLIENT_VERSION } from '../../version.js';
import type { SidecarServices } from '../services.js';

/** HTTP status of a failed POST /database/update (the body is the DatabaseUpdateResult either way). */
const UPDATE_FAILURE_STATUS: Record<UpdateFailure, number> = {
  not_configured: 503,
  refused: 409,
  busy: 409,
  unreachable: 502,
};

export function statusRoutes(services: SidecarServices): Router {
  const router = Router();
  const startedAt = performance.now();
  let openApi: unknown;

  router.get('/health', async (_req, res) => {
    const index = await services.indexStore.status();
    const body: SidecarHealth = {
      status: 'ok',
      version: CLIENT_VERSION,
      uptimeSec: Math.round((performance.now() - startedAt) / 1000),
      device: services.device,
      model: services.model,
      index,
      queue: { running: services.queue.running, waiting: services.queue.queued },
      // The stash-sense plugin's fields (it reads performer_count; the old sidecar sent these three).
      database_loaded: index.loaded,
      performer_count: index.performerCount ?? 0,
      face_count: index.faceCount ?? 0,
    };
    res.json(body);
  });

  router.get('/database/info', async (_req, res) => {
    res.json(await services.compat.databaseInfo());
  });

  router.post('/database/update', async (_req, res) => {
    const { result, failure } = await services.updater.update();
    res.status(failure ? UPDATE_FAILURE_STATUS[failure] : 200).json(result);
  });

  router.get('/openapi.json', (_req, res) => {
    openApi ??= buildSidecarOpenApiDocument({ version: CLIENT_VERSION });
    res.json(openApi);
  });

  return router;
}
