// The stash-sense / stash-sense2 plugins' own calls (their Python sidecar's API): thin adapters over
// StashSenseCompatService, which calls the usual services. The calls whose paths we share (/health, /database/info,
// /identify, /identify/scene) are answered by their usual routes. Reference: ../shared/compat/stash-sense-plugin-api.md.
import {
  StashSenseCreatePerformerRequestSchema,
  StashSenseGalleryRequestSchema,
  StashSenseImageRequestSchema,
  StashSenseLinkPerformerRequestSchema,
  StashSenseSearchPerformersRequestSchema,
} from '@stash-sense/contracts';
import { type Request, Router } from 'express';
import type { z } from 'zod';
import { HttpError } from '../http-error.js';
import { requestSignal } from '../request-signal.js';
import type { SidecarServices } from '../services.js';
import { parseRequest } from '../validation.js';

/** The JSON body of a compat call; unknown fields are ignored (the schemas are not strict). */
function body<S extends z.ZodType>(req: Request, schema: S, example: string): z.output<S> {
  if (req.body === undefined || (req.headers['content-type'] && !req.is('application/json')))
    throw new HttpError(400, `send a JSON body like ${example} with Content-Type: application/json`);
  return parseRequest(schema, req.body);
}

export function stashSenseCompatRoutes(services: SidecarServices): Router {
  const router = Router();

  router.get('/database/check-update', async (_req, res) => {
    res.json(await services.compat.checkUpdate());
  });

  router.post('/identify/image', async (req, res) => {
    const request = body(req, StashSenseImageRequestSchema, '{"image_id": "12"}');
    res.json(await services.compat.identifyStashImage(request, requestSignal(req, res)));
  });

  router.post('/identify/gallery', async (req, res) => {
    const request = body(req, StashSenseGalleryRequestSchema, '{"gallery_id": "3"}');
    res.json(await services.compat.identifyGallery(request, requestSignal(req, res)));
  });

  router.post('/stash/search-performers', async (req, res) => {
    const request = body(req, StashSenseSearchPerformersRequestSchema, '{"query": "jane"}');
    res.json(await services.compat.searchPerformers(request.query));
  });

  router.post('/stash/create-performer', async (req, res) => {
    const request = body(
      req,
      StashSenseCreatePerformerRequestSchema,
      '{"scene_id": "1", "endpoint": "stashdb.org", "stashdb_id": "<uuid>"}',
    );
    res.json(await services.compat.createPerformer(request));
  });

  router.post('/stash/link-performer', async (req, res) => {
    const request = body(
      req,
      StashSenseLinkPerformerRequestSchema,
      '{"scene_id": "1", "performer_id": "7", "stash_ids": [{"endpoint": "https://stashdb.org/graphql", "stash_id": "<uuid>"}]}',
    );
    res.json(await services.compat.linkPerformer(request));
  });

  return router;
}
