// The local client's public contracts: the sidecar HTTP API and the CLI's `--json` JSON Lines output.
// One schema per shape: the CLI prints these objects, the sidecar validates requests and returns them, and the
// OpenAPI document (`GET /openapi.json`) is generated from them with @asteasolutions/zod-to-openapi.
// Field names: request fields are snake_case (the existing Stash plugin's convention, e.g. `image_url`);
// response objects are camelCase and identical to the CLI's JSON Lines objects.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ContributionStatusSchema } from './contributions.js';
import { FaceIndexStashIdSchema } from './face-index.js';
import { EmbeddingModelSchema, FaceBoxSchema, FaceSchema } from './faces.js';
import {
  registerStashSenseCompatPaths,
  StashSenseDatabaseInfoFieldsSchema,
  StashSenseHealthFieldsSchema,
  StashSenseIdentifyRequestSchema,
  StashSenseImageResponseSchema,
  StashSenseMatchSchema,
  StashSenseSceneFieldsSchema,
  StashSenseSceneRequestSchema,
} from './stash-sense-compat.js';

// ---------------------------------------------------------------------------------------------------------------
// Faces

/**
 * A detected face (the pipeline's FaceSchema). The sidecar leaves the embedding out unless asked
 * (`include_embeddings`); the CLI's JSON Lines always carry it.
 */
export const SidecarFaceSchema = FaceSchema.extend({
  embedding: FaceSchema.shape.embedding
    .optional()
    .describe('Unit-length embedding of the model named in `model`; omitted where not asked for'),
}).meta({ id: 'SidecarFace' });
export type SidecarFace = z.infer<typeof SidecarFaceSchema>;

/** The embedding model: embeddings and indexes are only comparable within one model. */
export const SidecarModelSchema = EmbeddingModelSchema;
export type SidecarModel = z.infer<typeof SidecarModelSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Matches

export const MatchBandSchema = z
  .enum(['high', 'likely', 'possible', 'unlikely'])
  .describe(
    'Confidence band by cosine distance: < 0.4 high, 0.4–0.6 likely, 0.6–0.8 possible, ≥ 0.8 unlikely',
  );

export const MatchCandidateSchema = z
  .object({
    performerId: z.number().int().nonnegative().describe('Performer id within the face index family'),
    name: z.string(),
    stashIds: z
      .array(FaceIndexStashIdSchema)
      .describe('The performer on stash-box servers (endpoint URL + id)'),
    distance: z.number().describe('Cosine distance to the performer (0 = identical; lower is better)'),
    confidence: z.number().min(0).max(1).describe('1 − distance, clipped to [0, 1]; higher is better'),
    band: MatchBandSchema,
  })
  .meta({ id: 'MatchCandidate' });
export type MatchCandidate = z.infer<typeof MatchCandidateSchema>;

/** A face in a still image and who it may be. */
export const ImagePersonSchema = z
  .object({
    face: z.number().int().nonnegative().describe('Index into `faces`'),
    bestMatch: MatchCandidateSchema.nullable().describe(
      'null when no candidate is close enough (an unknown person) or a closer face took the performer',
    ),
    candidates: z
      .array(MatchCandidateSchema)
      .describe('Nearest performers, nearest first, whatever their band'),
  })
  .meta({ id: 'ImagePerson' });
export type ImagePerson = z.infer<typeof ImagePersonSchema>;

export const SceneCandidateSchema = MatchCandidateSchema.extend({
  appearances: z.number().int().nonnegative().describe('Faces of the person supporting this performer'),
  uniqueFrames: z.number().int().nonnegative().describe('Distinct frames of those faces'),
  frequency: z.number().min(0).max(1).describe('appearances / faces of the person'),
  score: z.number().describe('Ranking score of the scene rules (higher is better)'),
}).meta({ id: 'SceneCandidate' });
export type SceneCandidate = z.infer<typeof SceneCandidateSchema>;

export const TrackPointSchema = z
  .object({
    frame: z.number().int().nonnegative().describe('Index of the sampled frame'),
    timestampSec: z.number().nonnegative(),
    box: FaceBoxSchema,
    score: z.number(),
    quality: z.number(),
  })
  .meta({ id: 'TrackPoint' });
export type TrackPoint = z.infer<typeof TrackPointSchema>;

export const FaceTrackSchema = z
  .object({
    trackId: z.number().int().nonnegative(),
    points: z.array(TrackPointSchema).describe('Where the face was, frame by frame'),
  })
  .meta({ id: 'FaceTrack' });
export type FaceTrack = z.infer<typeof FaceTrackSchema>;

/** One person seen across the sampled frames of a video. */
export const ScenePersonSchema = z
  .object({
    person: z.number().int().nonnegative(),
    frameCount: z.number().int().nonnegative().describe('Distinct sampled frames the person appears in'),
    faceCount: z.number().int().nonnegative(),
    bestMatch: SceneCandidateSchema.nullable().describe('null when no performer passes the scene rules'),
    candidates: z.array(SceneCandidateSchema).describe('Performers passing the rules, best score first'),
    track: FaceTrackSchema,
  })
  .meta({ id: 'ScenePerson' });
export type ScenePerson = z.infer<typeof ScenePersonSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Results (shared by the CLI's JSON Lines and the sidecar's responses)

export const ImageFacesResultSchema = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    faces: z.array(SidecarFaceSchema),
  })
  .meta({ id: 'ImageFacesResult' });
export type ImageFacesResult = z.infer<typeof ImageFacesResultSchema>;

export const IdentifyImageResultSchema = ImageFacesResultSchema.extend({
  kind: z.literal('image'),
  people: z.array(ImagePersonSchema).describe('One entry per face, in the order of `faces`'),
}).meta({ id: 'IdentifyImageResult' });
export type IdentifyImageResult = z.infer<typeof IdentifyImageResultSchema>;

export const IdentifyVideoResultSchema = z
  .object({
    kind: z.literal('video'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    durationSec: z.number().nonnegative(),
    framesSampled: z.number().int().nonnegative(),
    faceCount: z.number().int().nonnegative().describe('Faces detected over all sampled frames'),
    people: z.array(ScenePersonSchema).describe('Most faces first'),
  })
  .meta({ id: 'IdentifyVideoResult' });
export type IdentifyVideoResult = z.infer<typeof IdentifyVideoResultSchema>;

// ---------------------------------------------------------------------------------------------------------------
// CLI `--json`: JSON Lines, one object per input file, in input order

const CliFileSchema = z.string().describe('The path exactly as given on the command line');

export const CliFileErrorLineSchema = z
  .object({
    file: CliFileSchema,
    error: z.string().describe('What was wrong with this file; the batch went on with the next one'),
  })
  .meta({ id: 'CliFileErrorLine' });
export type CliFileErrorLine = z.infer<typeof CliFileErrorLineSchema>;

/** The CLI always prints embeddings (FaceSchema), the sidecar only when asked. */
export const CliFacesLineSchema = z.union([
  ImageFacesResultSchema.extend({ file: CliFileSchema, faces: z.array(FaceSchema) }),
  CliFileErrorLineSchema,
]);
export type CliFacesLine = z.infer<typeof CliFacesLineSchema>;

export const CliIdentifyLineSchema = z.union([
  IdentifyImageResultSchema.extend({ file: CliFileSchema, faces: z.array(FaceSchema) }),
  IdentifyVideoResultSchema.extend({ file: CliFileSchema }),
  CliFileErrorLineSchema,
]);
export type CliIdentifyLine = z.infer<typeof CliIdentifyLineSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Sidecar requests

const topK = z
  .number()
  .int()
  .min(1)
  .max(20)
  .optional()
  .describe('Candidates per face or person (default 5, at most 20)');

export const SidecarIdentifyJsonRequestSchema = z
  .strictObject({
    image_url: z
      .url({ protocol: /^https?$/, error: 'image_url must be an http:// or https:// URL' })
      .max(4096)
      .optional()
      .describe('An http(s) URL the sidecar downloads the image from'),
    path: z.string().min(1).max(4096).optional().describe('A file path on the machine running the sidecar'),
    top_k: topK,
    include_embeddings: z.boolean().optional().describe('Return each face embedding too (default false)'),
  })
  .refine((body) => (body.image_url === undefined) !== (body.path === undefined), {
    message: 'give exactly one of image_url or path (or upload the image as multipart field "image")',
  })
  .meta({ id: 'SidecarIdentifyJsonRequest' });
export type SidecarIdentifyJsonRequest = z.infer<typeof SidecarIdentifyJsonRequestSchema>;

/** Text fields that may accompany the multipart upload; multipart values arrive as strings. */
export const SidecarIdentifyMultipartFieldsSchema = z.strictObject({
  top_k: z.coerce.number().int().min(1).max(20).optional(),
  include_embeddings: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
});
export type SidecarIdentifyMultipartFields = z.infer<typeof SidecarIdentifyMultipartFieldsSchema>;

export const SidecarIdentifySceneRequestSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('A video file path on the machine running the sidecar'),
    scene_id: z
      .union([z.string().regex(/^\d+$/, 'must be a Stash scene id (digits)'), z.number().int().nonnegative()])
      .optional()
      .describe(
        'A Stash scene id (needs STASH_SENSE_STASH_URL): the sidecar reads the scene from Stash and samples its file, ' +
          'or its stream URL when the file is not readable here. Give either `path` or `scene_id`',
      ),
    frames: z.number().int().min(1).max(300).optional().describe('Frames to sample evenly (default 60)'),
    top_k: topK,
  })
  .meta({ id: 'SidecarIdentifySceneRequest' });
export type SidecarIdentifySceneRequest = z.infer<typeof SidecarIdentifySceneRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Sidecar responses

export const SidecarErrorSchema = z
  .object({ detail: z.string().describe('What was wrong and what to do') })
  .meta({
    id: 'SidecarError',
    description: 'Body of every 4xx/5xx answer (the Stash plugin reads `detail`)',
  });
export type SidecarError = z.infer<typeof SidecarErrorSchema>;

export const SidecarTimingSchema = z
  .object({ totalMs: z.number().nonnegative() })
  .catchall(z.number())
  .meta({ id: 'SidecarTiming' });

export const SidecarIdentifyResponseSchema = IdentifyImageResultSchema.extend({
  faces: z.array(
    SidecarFaceSchema.extend({
      matches: z
        .array(StashSenseMatchSchema)
        .describe("stash-sense plugin compatibility: the face's candidates in the old sidecar's match shape"),
    }),
  ),
  face_count: z.number().int().nonnegative().describe('stash-sense plugin compatibility: faces.length'),
  model: SidecarModelSchema,
  timing: SidecarTimingSchema,
}).meta({ id: 'SidecarIdentifyResponse' });
export type SidecarIdentifyResponse = z.infer<typeof SidecarIdentifyResponseSchema>;

export const SidecarIdentifySceneResponseSchema = IdentifyVideoResultSchema.extend({
  model: SidecarModelSchema,
  timing: SidecarTimingSchema,
}).meta({ id: 'SidecarIdentifySceneResponse' });
export type SidecarIdentifySceneResponse = z.infer<typeof SidecarIdentifySceneResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Stash integration (POST /identify/scene with scene_id, POST /stash/scene/{id}/performers)

export const StashSceneCandidateSchema = SceneCandidateSchema.extend({
  onScene: z.boolean().describe('The Stash scene already has a performer with one of these stash-box ids'),
  stashPerformerId: z
    .string()
    .nullable()
    .describe(
      "The Stash library's performer with one of these stash-box ids; null when the library lacks it",
    ),
}).meta({ id: 'StashSceneCandidate' });
export type StashSceneCandidate = z.infer<typeof StashSceneCandidateSchema>;

export const StashScenePersonSchema = ScenePersonSchema.extend({
  bestMatch: StashSceneCandidateSchema.nullable(),
  candidates: z.array(StashSceneCandidateSchema),
  thumbnail: z
    .string()
    .nullable()
    .describe("The person's best face (highest quality), a square JPEG as a data: URL; cropped locally"),
}).meta({ id: 'StashScenePerson' });
export type StashScenePerson = z.infer<typeof StashScenePersonSchema>;

export const StashScenePerformerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    stashIds: z.array(FaceIndexStashIdSchema),
  })
  .meta({ id: 'StashScenePerformer' });
export type StashScenePerformer = z.infer<typeof StashScenePerformerSchema>;

export const SidecarIdentifyStashSceneResponseSchema = IdentifyVideoResultSchema.extend({
  sceneId: z.string().describe('The Stash scene id'),
  analysisId: z
    .string()
    .describe(
      "Names this result for POST /feedback (the sidecar keeps the people's faces of recent analyses)",
    ),
  source: z
    .enum(['file', 'stream'])
    .describe("`file`: the scene file was read on this machine; `stream`: through Stash's stream URL"),
  scenePerformers: z.array(StashScenePerformerSchema).describe('Performers already on the scene in Stash'),
  people: z.array(StashScenePersonSchema).describe('Most faces first'),
  model: SidecarModelSchema,
  timing: SidecarTimingSchema,
})
  .extend(StashSenseSceneFieldsSchema.shape)
  .meta({
    id: 'SidecarIdentifyStashSceneResponse',
    description:
      'Our fields (camelCase) and, for the stash-sense / stash-sense2 plugins, the old sidecar’s (snake_case: persons, frames_analyzed, …)',
  });
export type SidecarIdentifyStashSceneResponse = z.infer<typeof SidecarIdentifyStashSceneResponseSchema>;

export const SidecarAddScenePerformersRequestSchema = z
  .strictObject({
    performer_ids: z
      .array(z.string().regex(/^\d+$/, 'must be a Stash performer id (digits)'))
      .max(50)
      .optional()
      .describe('Stash performer ids to add'),
    stash_ids: z
      .array(
        z.strictObject({
          endpoint: z.url().describe('Stash-box GraphQL endpoint, e.g. https://stashdb.org/graphql'),
          stash_id: z.string().min(1).max(64),
          name: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe('Name to create the performer with when Stash cannot fetch it from the stash-box'),
        }),
      )
      .max(50)
      .optional()
      .describe('Performers by stash-box id: found in the library, or created from the stash-box'),
  })
  .refine((b) => (b.performer_ids?.length ?? 0) + (b.stash_ids?.length ?? 0) > 0, {
    message: 'send at least one of "performer_ids" or "stash_ids"',
  })
  .meta({ id: 'SidecarAddScenePerformersRequest' });
export type SidecarAddScenePerformersRequest = z.infer<typeof SidecarAddScenePerformersRequestSchema>;

export const SidecarAddScenePerformersResponseSchema = z
  .object({
    sceneId: z.string(),
    performerIds: z.array(z.string()).describe("The scene's performers afterwards"),
    added: z.array(
      z.object({
        performerId: z.string(),
        name: z.string().nullable(),
        created: z.boolean().describe('Created in Stash by this request'),
        source: z.enum(['library', 'existing', 'stash-box', 'fallback']),
        stashId: z.string().optional(),
        endpoint: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'SidecarAddScenePerformersResponse' });
export type SidecarAddScenePerformersResponse = z.infer<typeof SidecarAddScenePerformersResponseSchema>;

export const FaceIndexInfoSchema = z
  .object({
    dir: z.string(),
    indexVersion: z.string(),
    model: SidecarModelSchema,
    performerCount: z.number().int().nonnegative(),
    faceCount: z.number().int().nonnegative(),
    sizeBytes: z.number().int().nonnegative().describe('Bytes on disk of the index folder'),
    createdAt: z.string().describe('ISO 8601 time the index was written (its build date)'),
    parentVersion: z
      .string()
      .nullable()
      .optional()
      .describe('Version this one was built from incrementally; null for a full build'),
    signed: z
      .boolean()
      .optional()
      .describe('true for a pulled index whose signed manifest (manifest.jws) is kept beside it'),
    previousVersion: z
      .string()
      .nullable()
      .optional()
      .describe('The version `stash-sense index rollback` would return to; null when none is kept'),
  })
  .meta({ id: 'FaceIndexInfo' });
export type FaceIndexInfo = z.infer<typeof FaceIndexInfoSchema>;

/** GET /database/info: the index in use, with the old stash-sense sidecar's fields too (its plugin's dashboard). */
export const SidecarDatabaseInfoSchema = FaceIndexInfoSchema.extend(
  StashSenseDatabaseInfoFieldsSchema.shape,
).meta({
  id: 'SidecarDatabaseInfo',
});
export type SidecarDatabaseInfo = z.infer<typeof SidecarDatabaseInfoSchema>;

/** POST /database/update and `stash-sense index pull --json`. */
export const DatabaseUpdateResultSchema = z
  .object({
    status: z
      .enum(['updated', 'current', 'rolled-back', 'error'])
      .describe(
        'updated: a newer index is in use now; current: already the latest; rolled-back: the local version was withdrawn and the served latest is in use; error: nothing changed (see detail)',
      ),
    version: z.string().nullable().describe('The index version in use after the update'),
    previousVersion: z.string().nullable().describe('The version in use before, kept for rollback'),
    via: z
      .enum(['delta', 'full', 'local'])
      .nullable()
      .describe('How the files came: a delta from the previous version, every file, or already on disk'),
    downloadedBytes: z.number().int().nonnegative(),
    durationMs: z.number().int().nonnegative(),
    detail: z.string().optional().describe('Why the update failed, and what to do'),
  })
  .meta({ id: 'DatabaseUpdateResult' });
export type DatabaseUpdateResult = z.infer<typeof DatabaseUpdateResultSchema>;

export const SidecarHealthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string().describe('Client version'),
    uptimeSec: z.number().nonnegative(),
    device: z.enum(['cpu', 'cuda']).describe('Where the models actually run (after any fallback)'),
    model: SidecarModelSchema,
    index: z.object({
      loaded: z.boolean(),
      dir: z.string(),
      performerCount: z.number().int().nonnegative().optional(),
      faceCount: z.number().int().nonnegative().optional(),
      problem: z.string().optional().describe('Why no index is loaded, and how to get one'),
    }),
    queue: z.object({ running: z.number().int().nonnegative(), waiting: z.number().int().nonnegative() }),
  })
  .extend(StashSenseHealthFieldsSchema.shape)
  .meta({
    id: 'SidecarHealth',
    description:
      'Our fields, plus the old stash-sense sidecar’s (database_loaded, performer_count, face_count)',
  });
export type SidecarHealth = z.infer<typeof SidecarHealthSchema>;

export const SidecarFeedbackRequestSchema = z
  .strictObject({
    analysis_id: z
      .string()
      .min(1)
      .max(64)
      .describe('`analysisId` of a POST /identify/scene answer with scene_id'),
    person: z.number().int().nonnegative().describe('`person` of that answer'),
    endpoint: z.url().describe('Stash-box endpoint of the rejected candidate'),
    stash_id: z.string().min(1).max(64).describe("The rejected candidate's id on that stash-box"),
    distance: z.number().min(0).max(2).describe("The candidate's `distance`"),
    cloud_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The cloud to send to (default STASH_SENSE_CLOUD_URL)'),
    api_key: z.string().min(1).max(256).optional().describe('Cloud API key (default STASH_SENSE_API_KEY)'),
  })
  .meta({ id: 'SidecarFeedbackRequest' });
export type SidecarFeedbackRequest = z.infer<typeof SidecarFeedbackRequestSchema>;

export const SidecarFeedbackResponseSchema = z
  .object({ id: z.string(), receivedAt: z.string() })
  .meta({ id: 'SidecarFeedbackResponse', description: "The cloud's receipt" });
export type SidecarFeedbackResponse = z.infer<typeof SidecarFeedbackResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// OpenAPI

function errorResponses(codes: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(codes).map(([code, description]) => [
      code,
      { description, content: { 'application/json': { schema: SidecarErrorSchema } } },
    ]),
  );
}

// Contribution state per scene, from the client's local outbox (GET /contributions, GET /contributions/status).
export const SidecarContributionStateSchema = z
  .enum(['queued', 'sent', 'accepted', 'rejected', 'failed', 'withdrawn', 'skipped'])
  .describe(
    'queued: waiting to be sent or retried; sent: stored by the cloud, not decided yet; accepted / rejected: consensus ' +
      'decided; failed: refused by the cloud for good; withdrawn: you withdrew it; skipped: nothing could be attributed',
  );

export const SidecarSceneContributionSchema = z
  .object({
    scene: z.object({
      endpoint: z.string().describe('stash-box GraphQL URL'),
      stashId: z.string().describe('Scene id on that stash-box'),
      localSceneId: z.string().optional().describe('Stash scene id'),
      file: z.string().optional(),
    }),
    state: SidecarContributionStateSchema,
    entryId: z.string().nullable(),
    performers: z.array(z.string()).describe('Credited stash-box performer ids sent'),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    reason: z.string().nullable(),
    cloud: z.array(
      z.object({
        contributionId: z.string(),
        performerStashId: z.string(),
        status: ContributionStatusSchema,
        statusReason: z.string().nullable(),
      }),
    ),
    updatedAt: z.string(),
  })
  .meta({ id: 'SidecarSceneContribution' });

export const SidecarContributionsResponseSchema = z
  .object({
    counts: z.record(SidecarContributionStateSchema, z.number().int()),
    scenes: z.array(SidecarSceneContributionSchema),
  })
  .meta({ id: 'SidecarContributions' });
export type SidecarContributionsResponse = z.infer<typeof SidecarContributionsResponseSchema>;

export const SidecarSceneContributionStatusResponseSchema = z
  .object({
    sceneId: z.string(),
    state: z
      .union([SidecarContributionStateSchema, z.literal('none')])
      .describe('The latest entry’s state; none: never contributed'),
    scenes: z.array(SidecarSceneContributionSchema),
  })
  .meta({ id: 'SidecarSceneContributionStatus' });
export type SidecarSceneContributionStatusResponse = z.infer<
  typeof SidecarSceneContributionStatusResponseSchema
>;

/** The sidecar's OpenAPI 3.1 document, generated from the schemas above. */
export function buildSidecarOpenApiDocument(options: { version: string; serverUrl?: string }) {
  const registry = new OpenAPIRegistry();
  const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness, loaded model and index',
    responses: { 200: { description: 'The sidecar is up', ...json(SidecarHealthSchema) } },
  });
  registry.registerPath({
    method: 'get',
    path: '/database/info',
    summary: 'The face index in use: version, model, counts, size, creation time',
    responses: {
      200: { description: 'Index loaded', ...json(SidecarDatabaseInfoSchema) },
      ...errorResponses({ 503: 'No index at the configured folder (the detail says how to build one)' }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/database/update',
    summary: 'Pull the latest signed face index from the cloud and switch to it without dropping requests',
    description:
      'Verifies the manifest signature against the pinned keys and every file against the manifest; applies a ' +
      'delta when one is offered from the version in use. On any failure the index in use stays.',
    responses: {
      200: { description: 'updated, already current, or rolled back', ...json(DatabaseUpdateResultSchema) },
      409: {
        description:
          'Refused: bad signature, unknown key, tampered file, or another pull running on the same folder (nothing changed)',
        ...json(DatabaseUpdateResultSchema),
      },
      502: {
        description:
          'The cloud could not be reached, answered an error, or a download broke off (nothing changed; the next update continues it)',
        ...json(DatabaseUpdateResultSchema),
      },
      ...errorResponses({ 503: 'No cloud URL configured (STASH_SENSE_CLOUD_URL)' }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/identify',
    summary: 'Detect faces in one image and match each against the face index',
    description:
      'Send the image as multipart field `image` (optional text fields `top_k`, `include_embeddings`), ' +
      'or JSON with `image_url` (http/https) or `path` (a file on the sidecar machine).',
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              image: z.string().meta({ format: 'binary', description: 'JPEG, PNG or WebP' }),
              top_k: z.string().optional(),
              include_embeddings: z.string().optional(),
            }),
          },
          'application/json': {
            schema: z.union([SidecarIdentifyJsonRequestSchema, StashSenseIdentifyRequestSchema]),
          },
        },
      },
    },
    responses: {
      200: {
        description:
          'Faces with their candidates. A body with `image_base64` or another field only the old stash-sense sidecar knew gets its shape',
        content: {
          'application/json': {
            schema: z.union([SidecarIdentifyResponseSchema, StashSenseImageResponseSchema]),
          },
        },
      },
      ...errorResponses({
        400: 'Bad request: no image, unknown field, wrong type, undecodable image',
        404: 'The `path` does not exist',
        413: 'Body or upload larger than the configured limit',
        415: 'Neither multipart/form-data nor application/json',
        502: 'The `image_url` could not be downloaded',
        503: 'No face index loaded, or too many requests queued (see Retry-After)',
      }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/identify/scene',
    summary: 'Sample frames of a video, cluster the faces into people and match each person',
    description:
      'A body with `path` is validated strictly. A body with `scene_id` also takes the stash-sense plugin’s fields ' +
      '(top_k clamped to 20, num_frames, offsets, min_face_size, min_face_confidence, max_distance, ' +
      'scene_performer_stashdb_ids) and ignores unknown ones; its answer carries both shapes.',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.union([SidecarIdentifySceneRequestSchema, StashSenseSceneRequestSchema]),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'People seen in the video with their candidates and face tracks',
        content: {
          'application/json': {
            schema: z.union([SidecarIdentifySceneResponseSchema, SidecarIdentifyStashSceneResponseSchema]),
          },
        },
      },
      ...errorResponses({
        400: 'Bad request: neither or both of `path` and `scene_id`, unknown field, not a video',
        404: 'The `path` does not exist, or Stash has no such scene',
        413: 'Body larger than the limit',
        502: 'Stash could not be reached or refused the request',
        503: 'No face index loaded, too many requests queued, or no Stash URL configured (`scene_id`)',
      }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/stash/scene/{id}/performers',
    summary: 'Add performers to a Stash scene, creating missing ones from their stash-box id',
    description:
      'Performers given by stash-box id are looked up in the library by that id; when missing they are created ' +
      "through Stash (which fetches the stash-box's data with its own stash-box settings), else with `name`.",
    request: {
      params: z.object({ id: z.string().describe('Stash scene id') }),
      body: { required: true, ...json(SidecarAddScenePerformersRequestSchema) },
    },
    responses: {
      200: {
        description: "The scene's performers afterwards",
        ...json(SidecarAddScenePerformersResponseSchema),
      },
      ...errorResponses({
        400: 'Bad request',
        404: 'Stash has no such scene, or a stash-box performer could neither be fetched nor named',
        502: 'Stash could not be reached or refused the request',
        503: 'No Stash URL configured (STASH_SENSE_STASH_URL)',
      }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/feedback',
    summary: '"Not this person": send negative feedback for a person of a recent scene analysis to the cloud',
    description:
      "Forwards the person's face embedding (the mean of its faces, never an image) and the rejected stash-box " +
      "performer to the cloud's POST /v1/feedback. Only sent when the user opted in (the plugin's setting).",
    request: { body: { required: true, ...json(SidecarFeedbackRequestSchema) } },
    responses: {
      200: { description: 'Sent', ...json(SidecarFeedbackResponseSchema) },
      ...errorResponses({
        400: 'Bad request',
        404: 'Unknown or expired analysis_id, or no such person (identify the scene again)',
        502: 'The cloud could not be reached or refused the feedback',
        503: 'No cloud URL or API key',
      }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/contributions',
    summary: 'Contribution state of every scene in the local outbox, with counts per state',
    responses: { 200: { description: 'States', ...json(SidecarContributionsResponseSchema) } },
  });
  registry.registerPath({
    method: 'get',
    path: '/contributions/status',
    summary: 'Contribution state of one scene (queued, sent, accepted/rejected …) for the plugin',
    request: {
      query: z.object({ scene_id: z.string().describe('A Stash scene id or a stash-box scene id') }),
    },
    responses: {
      200: { description: 'State', ...json(SidecarSceneContributionStatusResponseSchema) },
      ...errorResponses({ 400: 'No scene_id' }),
    },
  });
  registerStashSenseCompatPaths(registry, errorResponses);
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Stash Sense sidecar',
      version: options.version,
      description:
        'Local face identification for Stash. Errors answer `{ "detail": "…" }`. Binds 127.0.0.1 by default.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
  });
}
