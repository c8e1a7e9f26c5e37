// POST /stash/scene/:id/performers: add performers to a Stash scene (the plugin's "Add to scene").
import {
  SidecarAddScenePerformersRequestSchema,
  type SidecarAddScenePerformersResponse,
} from '@stash-sense/contracts';
import { Router } from 'express';
import { HttpError } from '../http-error.js';
import type { SidecarServices } from '../services.js';
import { parseRequest } from '../validation.js';

const FIELDS = ['performer_ids', 'stash_ids'] as const;

export function stashRoutes(services: SidecarServices): Router {
  const router = Router();

  router.post('/stash/scene/:id/performers', async (req, res) => {
    const sceneId = req.params.id;
    if (!/^\d+$/.test(sceneId)) throw new HttpError(400, `"${sceneId}" is not a Stash scene id (digits)`);
    if (!req.is('application/json')) {
      throw new HttpError(
        415,
        'send JSON {"performer_ids": [...]} or {"stash_ids": [{"endpoint", "stash_id"}]} with Content-Type: application/json',
      );
    }
    const body = parseRequest(SidecarAddScenePerformersRequestSchema, req.body ?? {}, FIELDS);
    if (!services.stashScenes) {
      throw new HttpError(
        503,
        'adding performers needs the Stash URL: start the sidecar with STASH_SENSE_STASH_URL (and STASH_SENSE_STASH_API_KEY when Stash has a login)',
      );
    }
    const result: SidecarAddScenePerformersResponse = await services.stashScenes.addPerformers(sceneId, body);
    res.json(result);
  });

  return router;
}
