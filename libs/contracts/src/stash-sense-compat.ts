// Compatibility with the open-source stash-sense Stash plugin (carrotwaxr/stash-sense 0.1.2) and its fork
// stash-sense2: the request and response shapes of their Python sidecar, so a user keeps the plugin and only points
// its "Stash Sense API URL" at our sidecar. Reference: ../shared/compat/stash-sense-plugin-api.md (section numbers
// below are that document's). Field names are theirs (snake_case in both directions) and are the interface itself.
//
// Requests are forgiving where it costs nothing: unknown extra fields are ignored (z.object strips them), ids may
// be strings or numbers, numeric fields may be numeric strings, and out-of-range tuning values are clamped into
// range instead of refused (the old sidecar answered 422 for a top_k above 10).
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/** Accepted limits of the compat tuning fields (reference section 5); values outside are clamped, not refused. */
export const STASH_SENSE_COMPAT_LIMITS = {
  /** The old sidecar refused top_k above 10 on scenes and 20 elsewhere; we clamp to 20 everywhere. */
  topK: { min: 1, max: 20, default: 5 },
  /** Upstream num_frames range 5–120 (default 60). Our own requests may ask for up to 300 frames. */
  numFrames: { min: 5, max: 120 },
  startOffsetPct: { min: 0, max: 0.5 },
  endOffsetPct: { min: 0.5, max: 1 },
  minFaceSize: { min: 0, max: 200 },
  minFaceConfidence: { min: 0, max: 1 },
  maxDistance: { min: 0, max: 2 },
  /** Tagged-performer boost (reference section 5): subtracted from the distance of performers already on the scene. */
  taggedBoost: 0.03,
  /** Gallery rule (section 4): keep a performer seen in ≥ 2 images, or once with a distance below this. */
  gallerySingleImageMaxDistance: 0.4,
  /** Errors listed in a gallery answer (upstream keeps ≤ 10). */
  galleryMaxErrors: 10,
} as const;

/** A number clamped into [min, max]; numeric strings are accepted; absent stays undefined. */
const clamped = (min: number, max: number, options: { int?: boolean } = {}) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    z
      .number()
      .refine((v) => Number.isFinite(v), 'must be a finite number')
      .transform((v) => Math.min(max, Math.max(min, options.int ? Math.round(v) : v)))
      .optional(),
  );

/** A Stash id: the plugin sends strings ("123"); numbers are accepted too. */
const StashIdValueSchema = z
  .union([z.string().trim().regex(/^\d+$/, 'must be a Stash id (digits)'), z.number().int().nonnegative()])
  .transform(String);

const L = STASH_SENSE_COMPAT_LIMITS;
const topK = clamped(L.topK.min, L.topK.max, { int: true }).describe(
  `Candidates per person or face (default ${L.topK.default}); values above ${L.topK.max} are clamped`,
);
const maxDistance = clamped(L.maxDistance.min, L.maxDistance.max).describe(
  'Drop matches farther than this cosine distance (default: our own open-set rules decide)',
);
const minFaceConfidence = clamped(L.minFaceConfidence.min, L.minFaceConfidence.max).describe(
  'Ignore detections with a lower detector score',
);
/** Accepted and ignored: our pipeline has no body or tattoo model (signals_used is always ["face"]). */
const ignoredFlag = z.unknown().optional().describe('Accepted for compatibility; ignored');

// ---------------------------------------------------------------------------------------------------------------
// Requests

/** POST /identify/scene as the stash-sense plugin sends it (section 3 and 5). Our own fields `frames` and `top_k` too. */
export const StashSenseSceneRequestSchema = z
  .object({
    scene_id: StashIdValueSchema.describe('The Stash scene id'),
    top_k: topK,
    scene_performer_stashdb_ids: z
      .array(z.string())
      .optional()
      .describe(`StashDB ids already on the scene: their matches are marked already_tagged and boosted`),
    num_frames: clamped(L.numFrames.min, L.numFrames.max, { int: true }).describe('Frames to sample (5–120)'),
    max_frames: clamped(L.numFrames.min, L.numFrames.max, { int: true }).describe('Alias of num_frames'),
    frames: z.number().int().min(1).max(300).optional().describe('Our own name for num_frames (1–300)'),
    start_offset_pct: clamped(L.startOffsetPct.min, L.startOffsetPct.max).describe(
      'Start of the sampled span as a fraction of the duration (default 0.05)',
    ),
    end_offset_pct: clamped(L.endOffsetPct.min, L.endOffsetPct.max).describe(
      'End of the sampled span as a fraction of the duration (default 0.95)',
    ),
    min_face_size: clamped(L.minFaceSize.min, L.minFaceSize.max).describe(
      'Ignore faces smaller than this many pixels in either side',
    ),
    min_face_confidence: minFaceConfidence,
    max_distance: maxDistance,
    cluster_threshold: ignoredFlag,
    matching_mode: ignoredFlag,
    use_multi_signal: ignoredFlag,
    use_body: ignoredFlag,
    use_tattoo: ignoredFlag,
    stash_url: ignoredFlag.describe('Ignored: the sidecar uses its own configured Stash URL'),
    api_key: ignoredFlag.describe('Ignored: the sidecar uses its own configured Stash API key'),
  })
  .meta({ id: 'StashSenseSceneRequest' });
export type StashSenseSceneRequest = z.output<typeof StashSenseSceneRequestSchema>;

export const StashSenseImageRequestSchema = z
  .object({
    image_id: StashIdValueSchema.describe('The Stash image id'),
    top_k: topK,
    max_distance: maxDistance,
    min_face_confidence: minFaceConfidence,
    use_multi_signal: ignoredFlag,
    use_body: ignoredFlag,
    use_tattoo: ignoredFlag,
  })
  .meta({ id: 'StashSenseImageRequest' });
export type StashSenseImageRequest = z.output<typeof StashSenseImageRequestSchema>;

export const StashSenseGalleryRequestSchema = z
  .object({
    gallery_id: StashIdValueSchema.describe('The Stash gallery id'),
    top_k: topK,
    max_distance: maxDistance,
    min_face_confidence: minFaceConfidence,
  })
  .meta({ id: 'StashSenseGalleryRequest' });
export type StashSenseGalleryRequest = z.output<typeof StashSenseGalleryRequestSchema>;

/** POST /identify in the old sidecar's shape: the fork's "Identify current frame" sends `{image_base64}`. */
export const StashSenseIdentifyRequestSchema = z
  .object({
    image_base64: z
      .string()
      .min(1)
      .optional()
      .describe('The image, base64 (a data: URL prefix is accepted too)'),
    image_url: z
      .url({ protocol: /^https?$/, error: 'image_url must be an http:// or https:// URL' })
      .max(4096)
      .optional(),
    top_k: topK,
    max_distance: maxDistance,
    min_face_confidence: minFaceConfidence,
    use_multi_signal: ignoredFlag,
    use_body: ignoredFlag,
    use_tattoo: ignoredFlag,
  })
  .refine((b) => (b.image_base64 === undefined) !== (b.image_url === undefined), {
    message: 'give exactly one of image_base64 or image_url',
  })
  .meta({ id: 'StashSenseIdentifyRequest' });
export type StashSenseIdentifyRequest = z.output<typeof StashSenseIdentifyRequestSchema>;

/** Fields only the old sidecar's POST /identify knows: their presence selects the old answer shape. */
export const STASH_SENSE_IDENTIFY_ONLY_FIELDS = [
  'image_base64',
  'max_distance',
  'min_face_confidence',
  'use_multi_signal',
  'use_body',
  'use_tattoo',
] as const;

export const StashSenseSearchPerformersRequestSchema = z
  .object({ query: z.string().trim().min(1, 'give a search text').max(200) })
  .meta({ id: 'StashSenseSearchPerformersRequest' });

export const StashSenseCreatePerformerRequestSchema = z
  .object({
    scene_id: StashIdValueSchema.describe('The scene to add the performer to'),
    endpoint: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .describe('The stash-box: a bare domain ("stashdb.org"); a full GraphQL URL is accepted too'),
    stashdb_id: z.string().trim().min(1).max(200).describe("The performer's id on that stash-box"),
  })
  .meta({ id: 'StashSenseCreatePerformerRequest' });
export type StashSenseCreatePerformerRequest = z.output<typeof StashSenseCreatePerformerRequestSchema>;

export const StashSenseLinkPerformerRequestSchema = z
  .object({
    scene_id: StashIdValueSchema,
    performer_id: StashIdValueSchema.describe('The Stash performer to add to the scene'),
    stash_ids: z
      .array(
        z.object({
          endpoint: z
            .string()
            .trim()
            .min(1)
            .max(300)
            .describe('"https://<domain>/graphql" (a bare domain too)'),
          stash_id: z.string().trim().min(1).max(200),
        }),
      )
      .max(20)
      .optional()
      .describe("Stash-box ids merged into the performer's stash_ids"),
    update_metadata: z
      .boolean()
      .optional()
      .describe("Fill the performer's empty fields from the stash-box (through Stash)"),
  })
  .meta({ id: 'StashSenseLinkPerformerRequest' });
export type StashSenseLinkPerformerRequest = z.output<typeof StashSenseLinkPerformerRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Responses

/** Match object (section 3.1): scene best_match / all_matches[], image faces[].matches[]. */
export const StashSenseMatchSchema = z
  .object({
    stashdb_id: z
      .string()
      .describe("The performer's stash-box id (StashDB preferred); empty when the index has none"),
    name: z.string(),
    distance: z.number().describe('Cosine distance, lower is better'),
    confidence: z.number().min(0).max(1).describe('clamp(1 − distance, 0, 1)'),
    endpoint: z.string().nullable().describe('Bare stash-box domain ("stashdb.org"); null when unknown'),
    image_url: z.string().nullable(),
    country: z.string().nullable(),
    already_tagged: z.boolean().describe('The scene already credits this performer'),
  })
  .meta({ id: 'StashSenseMatch' });
export type StashSenseMatch = z.infer<typeof StashSenseMatchSchema>;

export const StashSensePersonSchema = z
  .object({
    person_id: z.number().int().nonnegative(),
    frame_count: z.number().int().nonnegative(),
    best_match: StashSenseMatchSchema.nullable(),
    all_matches: z.array(StashSenseMatchSchema),
    signals_used: z.array(z.string()).describe('Always ["face"]: no body or tattoo model'),
  })
  .meta({ id: 'StashSensePerson' });
export type StashSensePerson = z.infer<typeof StashSensePersonSchema>;

/** The old scene answer's fields; our /identify/scene answer for a scene_id carries them beside its own. */
export const StashSenseSceneFieldsSchema = z.object({
  scene_id: z.string(),
  frames_analyzed: z.number().int().nonnegative(),
  frames_requested: z.number().int().nonnegative(),
  faces_detected: z.number().int().nonnegative(),
  faces_after_filter: z.number().int().nonnegative(),
  persons: z.array(StashSensePersonSchema),
  errors: z.array(z.string()),
  multi_signal_used: z.boolean(),
  fingerprint_saved: z.boolean().describe('Always false: no fingerprint is stored'),
  fingerprint_error: z.null(),
});
export type StashSenseSceneFields = z.infer<typeof StashSenseSceneFieldsSchema>;

export const StashSenseBoxSchema = z
  .object({
    x: z.number(),
    y: z.number(),
    width: z.number().nonnegative(),
    height: z.number().nonnegative(),
    confidence: z.number().min(0).max(1),
  })
  .meta({ id: 'StashSenseBox' });

export const StashSenseFaceSchema = z
  .object({ box: StashSenseBoxSchema, matches: z.array(StashSenseMatchSchema) })
  .meta({ id: 'StashSenseFace' });

/** POST /identify/image, and POST /identify in the old shape. */
export const StashSenseImageResponseSchema = z
  .object({
    faces: z.array(StashSenseFaceSchema),
    face_count: z.number().int().nonnegative(),
  })
  .meta({ id: 'StashSenseImageResponse' });
export type StashSenseImageResponse = z.infer<typeof StashSenseImageResponseSchema>;

export const StashSenseGalleryPerformerSchema = z
  .object({
    performer_id: z.string().describe("The performer's stash-box id (StashDB preferred)"),
    name: z.string(),
    best_distance: z.number(),
    avg_distance: z.number(),
    confidence: z.number().min(0).max(1),
    image_count: z.number().int().positive(),
    image_ids: z.array(z.string()).describe('Stash image ids the performer was found in'),
    country: z.string().nullable(),
    image_url: z.string().nullable(),
    endpoint: z.string().nullable(),
  })
  .meta({ id: 'StashSenseGalleryPerformer' });
export type StashSenseGalleryPerformer = z.infer<typeof StashSenseGalleryPerformerSchema>;

export const StashSenseGalleryResponseSchema = z
  .object({
    gallery_id: z.string(),
    total_images: z.number().int().nonnegative(),
    images_processed: z.number().int().nonnegative(),
    faces_detected: z.number().int().nonnegative(),
    performers: z.array(StashSenseGalleryPerformerSchema).describe('Most images first, then nearest'),
    errors: z.array(z.string()).describe(`Images that could not be analysed (at most ${L.galleryMaxErrors})`),
  })
  .meta({ id: 'StashSenseGalleryResponse' });
export type StashSenseGalleryResponse = z.infer<typeof StashSenseGalleryResponseSchema>;

export const StashSensePerformerHitSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    disambiguation: z.string().nullable(),
    alias_list: z.array(z.string()),
    image_path: z.string().nullable(),
  })
  .meta({ id: 'StashSensePerformerHit' });
export type StashSensePerformerHit = z.infer<typeof StashSensePerformerHitSchema>;

/** A bare array, like the old sidecar. */
export const StashSenseSearchPerformersResponseSchema = z
  .array(StashSensePerformerHitSchema)
  .meta({ id: 'StashSenseSearchPerformersResponse' });

export const StashSenseCreatePerformerResponseSchema = z
  .object({
    success: z.literal(true),
    performer_id: z.string(),
    name: z.string(),
    created: z
      .boolean()
      .describe('false when the library already had this performer (found by stash-box id)'),
  })
  .meta({ id: 'StashSenseCreatePerformerResponse' });
export type StashSenseCreatePerformerResponse = z.infer<typeof StashSenseCreatePerformerResponseSchema>;

export const StashSenseLinkPerformerResponseSchema = z
  .object({
    success: z.literal(true),
    performer_id: z.string(),
    scene_performer_ids: z.array(z.string()),
    stash_ids_added: z.number().int().nonnegative(),
    updated_fields: z.array(z.string()).describe('Fields filled from the stash-box (update_metadata)'),
  })
  .meta({ id: 'StashSenseLinkPerformerResponse' });
export type StashSenseLinkPerformerResponse = z.infer<typeof StashSenseLinkPerformerResponseSchema>;

/** The old health fields our GET /health carries beside its own. */
export const StashSenseHealthFieldsSchema = z.object({
  database_loaded: z.boolean(),
  performer_count: z.number().int().nonnegative(),
  face_count: z.number().int().nonnegative(),
});

/** The old GET /database/info fields our answer carries beside FaceIndexInfo's. */
export const StashSenseDatabaseInfoFieldsSchema = z.object({
  version: z.string().describe('The index version'),
  performer_count: z.number().int().nonnegative(),
  face_count: z.number().int().nonnegative(),
  sources: z.array(z.string()).describe('Stash-box domains the index links performers to'),
  created_at: z.string().nullable(),
  tattoo_embedding_count: z.number().int().nonnegative().describe('Always 0: no tattoo model'),
});

/** GET /database/check-update: the update state of our signed index distribution. */
export const StashSenseCheckUpdateResponseSchema = z
  .object({
    current_version: z.string().nullable(),
    latest_version: z.string().nullable(),
    update_available: z.boolean(),
    release_name: z.string().nullable(),
    download_url: z.string().nullable().describe('Always null: update with POST /database/update'),
    download_size_mb: z.number().nullable(),
    published_at: z.string().nullable(),
    signature_verified: z
      .boolean()
      .describe("The latest release's signature checks out against the pinned keys"),
  })
  .meta({ id: 'StashSenseCheckUpdateResponse' });
export type StashSenseCheckUpdateResponse = z.infer<typeof StashSenseCheckUpdateResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// OpenAPI

type ErrorResponses = (codes: Record<number, string>) => Record<string, unknown>;

/** Adds the compat-only paths to the sidecar's OpenAPI registry (the shared paths are in sidecar.ts). */
export function registerStashSenseCompatPaths(registry: OpenAPIRegistry, errors: ErrorResponses): void {
  const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
  const compat = 'For the stash-sense / stash-sense2 Stash plugins (their sidecar API). ';
  const stashErrors = {
    400: 'Bad request (the detail names the field)',
    404: 'Stash has no such object',
    502: 'Stash could not be reached or refused the API key, or a media file could not be read',
    503: 'No Stash URL configured, no face index, or busy (Retry-After)',
  };
  registry.registerPath({
    method: 'get',
    path: '/database/check-update',
    summary: 'Is a newer signed face index published? (stash-sense plugin dashboard)',
    description: compat + 'Fetches the latest release and verifies its signature; downloads nothing.',
    responses: {
      200: { description: 'Update state', ...json(StashSenseCheckUpdateResponseSchema) },
      ...errors({
        409: 'The latest release failed signature verification',
        502: 'The cloud could not be reached',
        503: 'No cloud URL configured',
      }),
    },
  });
  // The POST calls that read from Stash: a JSON body, one success answer, Stash's errors.
  const stashCalls: {
    path: string;
    summary: string;
    description: string;
    request: z.ZodType;
    ok: string;
    response: z.ZodType;
  }[] = [
    {
      path: '/identify/image',
      summary: 'Identify the faces of a Stash image by its id',
      description:
        compat +
        'The sidecar reads the image from Stash (findImage) and downloads it with the ApiKey header.',
      request: StashSenseImageRequestSchema,
      ok: 'Faces and matches',
      response: StashSenseImageResponseSchema,
    },
    {
      path: '/identify/gallery',
      summary: 'Identify the performers of every image of a Stash gallery',
      description:
        compat +
        'Every image of the gallery is analysed; a performer is kept when seen in ≥ 2 images or once with distance < 0.4.',
      request: StashSenseGalleryRequestSchema,
      ok: 'Performers found',
      response: StashSenseGalleryResponseSchema,
    },
    {
      path: '/stash/search-performers',
      summary: "Search the Stash library's performers by name",
      description: compat,
      request: StashSenseSearchPerformersRequestSchema,
      ok: 'Up to 10 performers, by name',
      response: StashSenseSearchPerformersResponseSchema,
    },
    {
      path: '/stash/create-performer',
      summary: 'Create a performer in Stash from its stash-box id and add it to a scene',
      description:
        compat +
        'Stash fetches the performer from the stash-box with its own stash-box settings (scrapeSinglePerformer), so the stash-box API keys never reach the sidecar. A performer the library already has (by stash-box id) is reused.',
      request: StashSenseCreatePerformerRequestSchema,
      ok: 'Created (or found) and added',
      response: StashSenseCreatePerformerResponseSchema,
    },
    {
      path: '/stash/link-performer',
      summary: 'Add a library performer to a scene and merge stash-box ids into the performer',
      description: compat,
      request: StashSenseLinkPerformerRequestSchema,
      ok: 'Linked',
      response: StashSenseLinkPerformerResponseSchema,
    },
  ];
  for (const call of stashCalls) {
    registry.registerPath({
      method: 'post',
      path: call.path,
      summary: call.summary,
      description: call.description,
      request: { body: { required: true, ...json(call.request) } },
      responses: {
        200: { description: call.ok, ...json(call.response) },
        ...errors(stashErrors),
      },
    });
  }
}
