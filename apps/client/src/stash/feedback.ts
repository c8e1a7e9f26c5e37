// "Not this person": forwards negative feedback for a person of a recent scene analysis to the cloud's
// POST /v1/feedback (FeedbackRequestSchema of libs/contracts/src/contributions.ts). What leaves the machine: the
// person's mean face embedding (float32), the rejected stash-box performer, the distance, the scene's stash-box id.
import {
  type FeedbackRequest,
  FeedbackRequestSchema,
  type SidecarFeedbackRequest,
  type SidecarFeedbackResponse,
  type SidecarModel,
} from '@stash-sense/contracts';
import { encodeEmbedding } from '@stash-sense/vectors';
import { CloudRequestError, cloudJson } from '../contribute/cloud-client.js';
import { HttpError } from '../server/http-error.js';
import type { PersonFeedbackFace } from './stash-scene.service.js';

export interface FeedbackTarget {
  cloudUrl: string | undefined;
  apiKey: string | undefined;
  timeoutMs?: number;
}

/** Builds the cloud's feedback request; throws 400 when it would not pass the cloud's schema. */
export function buildFeedbackRequest(
  face: PersonFeedbackFace,
  request: SidecarFeedbackRequest,
  model: SidecarModel,
): FeedbackRequest {
  const scene = face.sceneStashIds.find((s) => s.endpoint === request.endpoint) ?? face.sceneStashIds[0];
  const parsed = FeedbackRequestSchema.safeParse({
    model: { name: model.name, version: model.version },
    encoding: 'float32',
    embedding: encodeEmbedding(face.embedding, 'float32'),
    performer: { endpoint: request.endpoint, stashId: request.stash_id },
    distance: request.distance,
    ...(scene ? { scene: { endpoint: scene.endpoint, stashId: scene.stashId } } : {}),
  });
  if (!parsed.success)
    throw new HttpError(400, `feedback would be refused: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function sendFeedback(
  body: FeedbackRequest,
  target: FeedbackTarget,
): Promise<SidecarFeedbackResponse> {
  if (!target.cloudUrl)
    throw new HttpError(
      503,
      "no cloud URL: set the plugin's cloud URL or start the sidecar with STASH_SENSE_CLOUD_URL",
    );
  if (!target.apiKey)
    throw new HttpError(503, "no cloud API key: set the plugin's cloud API key or STASH_SENSE_API_KEY");
  let receipt: { id?: unknown; receivedAt?: unknown };
  try {
    receipt = (await cloudJson(
      'POST',
      '/v1/feedback',
      { serverUrl: target.cloudUrl, apiKey: target.apiKey, timeoutMs: target.timeoutMs ?? 20_000 },
      body,
    )) as { id?: unknown; receivedAt?: unknown };
  } catch (error) {
    if (!(error instanceof CloudRequestError)) throw error;
    throw new HttpError(
      502,
      error.status === null
        ? error.message
        : `the cloud refused the feedback (HTTP ${error.status}): ${error.detail}`,
    );
  }
  return { id: String(receipt.id ?? ''), receivedAt: String(receipt.receivedAt ?? '') };
}
