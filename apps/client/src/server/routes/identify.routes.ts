// POST /identify (one image: multipart upload, image_url or path) and POST /identify/scene (a video path or a
// Stash scene id). Both also answer the stash-sense / stash-sense2 plugins (their sidecar's API, same paths):
// /identify takes their `image_base64` and answers their shape when the body has a field only they send; a
// scene_id request takes their fields and answers both shapes at once (the plugin's request can look like ours).
import {
  STASH_SENSE_IDENTIFY_ONLY_FIELDS,
  SidecarIdentifyJsonRequestSchema,
  SidecarIdentifyMultipartFieldsSchema,
  SidecarIdentifySceneRequestSchema,
  type SidecarIdentifyResponse,
  type SidecarIdentifySceneResponse,
  type SidecarIdentifyStashSceneResponse,
  StashSenseIdentifyRequestSchema,
  StashSenseSceneRequestSchema,
} from '@stash-sense/contracts';
import { CLIENT_LIMITS } from '../../config.js';
import { Router, type Request } from 'express';
import type { ImageSource } from '../../services/identify.service.js';
import { HttpError } from '../http-error.js';
import { requestSignal } from '../request-signal.js';
import type { SidecarServices } from '../services.js';
import { IMAGE_FIELD, imageUpload } from '../upload.js';
import { parseRequest } from '../validation.js';

const JSON_FIELDS = ['image_url', 'path', 'top_k', 'include_embeddings'] as const;
const MULTIPART_FIELDS = [IMAGE_FIELD, 'top_k', 'include_embeddings'] as const;
const SCENE_FIELDS = ['path', 'scene_id', 'frames', 'top_k'] as const;

interface ImageRequest {
  source: ImageSource;
  topK: number | undefined;
  includeEmbeddings: boolean;
}

/** Reads the image source and options from a multipart or JSON request, or says what to send instead. */
function readImageRequest(req: Request): ImageRequest {
  if (req.is('multipart/form-data')) {
    if (!req.file) {
      throw new HttpError(
        400,
        `no image uploaded: put the image file in the multipart field "${IMAGE_FIELD}"`,
      );
    }
    const fields = parseRequest(SidecarIdentifyMultipartFieldsSchema, req.body ?? {}, MULTIPART_FIELDS);
    return {
      source: { kind: 'buffer', buffer: req.file.buffer, name: req.file.originalname || 'upload' },
      topK: fields.top_k,
      includeEmbeddings: fields.include_embeddings ?? false,
    };
  }
  if (req.is('application/json')) {
    if (req.body === undefined)
      throw new HttpError(400, 'empty JSON body: send {"path": …} or {"image_url": …}');
    const body = parseRequest(SidecarIdentifyJsonRequestSchema, req.body, JSON_FIELDS);
    return {
      source:
        body.image_url !== undefined
          ? { kind: 'url', url: body.image_url }
          : { kind: 'path', path: body.path! },
      topK: body.top_k,
      includeEmbeddings: body.include_embeddings ?? false,
    };
  }
  if (!req.headers['content-type']) {
    throw new HttpError(
      400,
      `no image: upload it as multipart field "${IMAGE_FIELD}" or send JSON {"path": …} / {"image_url": …}`,
    );
  }
  throw new HttpError(
    415,
    `unsupported content type ${req.headers['content-type']}: use multipart/form-data or application/json`,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON body in the old stash-sense sidecar's shape: it has a field only that API knows (e.g. image_base64). */
function isStashSenseIdentify(req: Request): boolean {
  return (
    req.is('application/json') === 'application/json' &&
    isObject(req.body) &&
    STASH_SENSE_IDENTIFY_ONLY_FIELDS.some((field) => field in (req.body as object))
  );
}

export function identifyRoutes(services: SidecarServices, maxUploadBytes: number): Router {
  const router = Router();

  router.post('/identify', imageUpload(maxUploadBytes), async (req, res) => {
    if (isStashSenseIdentify(req)) {
      const request = parseRequest(StashSenseIdentifyRequestSchema, req.body);
      res.json(await services.compat.identifyUpload(request, requestSignal(req, res)));
      return;
    }
    // Only image_base64 may be large (app.ts raised this route's JSON limit for it).
    const jsonBytes = (req as Request & { jsonBytes?: number }).jsonBytes ?? 0;
    if (jsonBytes > CLIENT_LIMITS.maxJsonBodyBytes) {
      throw new HttpError(
        413,
        `request body is larger than the limit of ${CLIENT_LIMITS.maxJsonBodyBytes / 1024} KiB; JSON requests only carry a path or URL (send an image as multipart field "${IMAGE_FIELD}" or as image_base64)`,
      );
    }
    const request = readImageRequest(req);
    const signal = requestSignal(req, res);
    const started = performance.now();
    const result = await services.identify.identifyImage(request.source, {
      topK: request.topK,
      includeEmbeddings: request.includeEmbeddings,
      signal,
    });
    const matches = await services.compat.matchesForImage(result);
    const body: SidecarIdentifyResponse = {
      ...result,
      faces: result.faces.map((face, i) => ({ ...face, matches: matches[i] ?? [] })),
      face_count: result.faces.length,
      model: services.model,
      timing: { totalMs: Math.round(performance.now() - started) },
    };
    res.json(body);
  });

  router.post('/identify/scene', async (req, res) => {
    if (!req.is('application/json')) {
      throw new HttpError(
        415,
        'send JSON {"path": "<video file on this machine>"} with Content-Type: application/json',
      );
    }
    if (isObject(req.body) && req.body.scene_id !== undefined && req.body.path === undefined) {
      // A Stash scene: our plugin's request or the stash-sense plugin's (lenient: its fields, unknown ones ignored).
      const request = parseRequest(StashSenseSceneRequestSchema, req.body);
      if (!services.stashScenes) {
        throw new HttpError(
          503,
          'scene_id needs the Stash URL: start the sidecar with STASH_SENSE_STASH_URL (and STASH_SENSE_STASH_API_KEY when Stash has a login), or send {"path": "<the scene file path>"}',
        );
      }
      const started = performance.now();
      const { result, fields } = await services.compat.identifyScene(request, requestSignal(req, res));
      const { framesRequested: _requested, facesDetected: _detected, ...ours } = result;
      const totalMs = Math.round(performance.now() - started);
      const response: SidecarIdentifyStashSceneResponse = {
        ...ours,
        model: services.model,
        ...fields,
        timing: { totalMs, total_ms: totalMs },
      };
      res.json(response);
      return;
    }
    const body = parseRequest(SidecarIdentifySceneRequestSchema, req.body ?? {}, SCENE_FIELDS);
    if (body.scene_id !== undefined && body.path !== undefined)
      throw new HttpError(400, 'send either "path" or "scene_id", not both');
    const signal = requestSignal(req, res);
    const started = performance.now();
    if (body.path === undefined)
      throw new HttpError(
        400,
        'missing "path" or "scene_id": send {"path": "<video file on this machine>"} or {"scene_id": "<Stash scene id>"}',
      );
    const result = await services.identify.identifyVideo(body.path, {
      frames: body.frames,
      topK: body.top_k,
      signal,
    });
    const response: SidecarIdentifySceneResponse = {
      ...result,
      model: services.model,
      timing: { totalMs: Math.round(performance.now() - started) },
    };
    res.json(response);
  });

  return router;
}
