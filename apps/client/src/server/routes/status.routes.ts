// GET /health, GET /database/info, POST /database/update, GET /openapi.json
import { buildSidecarOpenApiDocument, type SidecarHealth } from '@stash-sense/contracts';
import { Router } from 'express';
import { CLIENT_VERSION } from '../../version.js';
import type { SidecarServices } from '../services.js';

export function statusRoutes(services: SidecarServices): Router {
  const router = Router();
  const startedAt = performance.now();
  let openApi: unknown;

  router.get('/health', async (_req, res) => {
    const body: SidecarHealth = {
      status: 'ok',
      version: CLIENT_VERSION,
      uptimeSec: Math.round((performance.now() - startedAt) / 1000),
      device: services.device,
      model: services.model,
      index: await services.indexStore.status(),
      queue: { running: services.queue.running, waiting: services.queue.queued },
    };
    res.json(body);
  });

  router.get('/database/info', async (_req, res) => {
    res.json(await services.indexStore.info());
  });

  router.post('/database/update', async (_req, res) => {
    const { result, failure } = await services.updater.update();
    const status =
      failure === 'not_configured'
        ? 503
        : failure === 'refused'
          ? 409
          : failure === 'unreachable'
            ? 502
            : 200;
    res.status(status).json(result);
  });

  router.get('/openapi.json', (_req, res) => {
    openApi ??= buildSidecarOpenApiDocument({ version: CLIENT_VERSION });
    res.json(openApi);
  });

  return router;
}
