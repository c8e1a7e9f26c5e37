// POST /stash/scene/:id/performers: add performers to a Stash scene (the plugin's "Add to scene").
import {
  SidecarFeedbackRequestSchema,
  SidecarAddScenePerformersRequestSchema,
  type SidecarAddScenePerformersResponse,
} from '@stash-sense/contracts';
import { Router } from 'express';
import { buildFeedbackRequest, sendFeedback } from '../../stash/feedback.js';
import { HttpError } from '../http-error.js';
import type { SidecarServices } from '../services.js';
import { parseRequest } from '../validation.js';

const FIELDS = ['performer_ids', 'stash_ids'] as const;
const FEEDBACK_FIELDS = [
  'analysis_id',
  'person',
  'endpoint',
  'stash_id',
  'distance',
  'cloud_url',
  'api_key',
] as const;

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

  router.post('/feedback', async (req, res) => {
    if (!req.is('application/json'))
      throw new HttpError(415, 'send JSON with Content-Type: application/json');
    const body = parseRequest(SidecarFeedbackRequestSchema, req.body ?? {}, FEEDBACK_FIELDS);
    const face = services.stashScenes?.feedbackFace(body.analysis_id, body.person);
    if (!face) {
      throw new HttpError(
        404,
        `no person ${body.person} in analysis ${body.analysis_id}: it expired or the sidecar restarted; identify the scene again`,
      );
    }
    const request = buildFeedbackRequest(face, body, services.model);
    const receipt = await sendFeedback(request, {
      cloudUrl: body.cloud_url ?? services.cloud?.url,
      apiKey: body.api_key ?? services.cloud?.apiKey,
    });
    res.json(receipt);
  });

  return router;
}
