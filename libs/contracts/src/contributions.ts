import { z } from 'zod';
import { FingerprintAlgorithmSchema } from './common.js';

/** Base64 of little-endian float32 or float16 values; the dimension is checked against the model. */
const base64 = z
  .string()
  .min(4)
  .max(16_384)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

export const ContributedBoxSchema = z
  .tuple([z.number().min(0), z.number().min(0), z.number().positive(), z.number().positive()])
  .describe('[x, y, width, height] in pixels of the decoded frame');

export const ContributedFaceSchema = z
  .strictObject({
    embedding: base64.describe('Little-endian float32 or float16 values, base64; L2-normalised'),
    detectorScore: z.number().min(0).max(1),
    sizePx: z.number().int().min(1).max(16_384).describe('Shorter side of the face box in frame pixels'),
    quality: z.number().min(0).max(1),
    timestampSec: z.number().min(0),
    trackId: z.string().min(1).max(64).describe('The face track (in `tracks`) this face belongs to'),
  })
  .meta({ id: 'ContributedFace' });
export type ContributedFace = z.infer<typeof ContributedFaceSchema>;

export const ContributionTrackSchema = z
  .strictObject({
    trackId: z.string().min(1).max(64),
    points: z
      .array(z.strictObject({ t: z.number().min(0), box: ContributedBoxSchema }))
      .min(1)
      .max(10_000)
      .describe('VTT-like: time (s) and box of the face, in time order'),
  })
  .meta({ id: 'ContributionTrack' });
export type ContributionTrack = z.infer<typeof ContributionTrackSchema>;

export const SceneFingerprintSchema = z
  .strictObject({
    algorithm: FingerprintAlgorithmSchema,
    hash: z.string().min(1).max(128),
    durationSec: z.number().positive().max(86_400),
  })
  .meta({ id: 'SceneFingerprint' });
export type SceneFingerprint = z.infer<typeof SceneFingerprintSchema>;

export const ContributionRequestSchema = z
  .strictObject({
    idempotencyKey: z
      .string()
      .min(8)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only')
      .describe('Same key → same response, nothing stored twice'),
    client: z.strictObject({ name: z.string().min(1).max(64), version: z.string().min(1).max(32) }),
    model: z.strictObject({ name: z.string().min(1).max(64), version: z.string().min(1).max(32) }),
    encoding: z.enum(['float32', 'float16']).default('float32').describe('Encoding of every embedding'),
    scene: z.strictObject({
      endpoint: z
        .url()
        .describe('The stash-box GraphQL URL, as Stash stores it, e.g. https://stashdb.org/graphql'),
      stashId: z.string().min(1).max(64),
      fingerprints: z.array(SceneFingerprintSchema).min(1).max(20),
    }),
    performers: z
      .array(
        z.strictObject({
          stashId: z.string().min(1).max(64).describe('Performer id on the same stash-box'),
          faces: z.array(ContributedFaceSchema).min(1).max(1_000),
          tracks: z.array(ContributionTrackSchema).min(1).max(200),
        }),
      )
      .min(1)
      .max(20),
  })
  .meta({ id: 'ContributionRequest' });
export type ContributionRequest = z.infer<typeof ContributionRequestSchema>;
export type ContributionRequestInput = z.input<typeof ContributionRequestSchema>;

export const ContributionStatusSchema = z
  .enum(['pending_verification', 'unverified', 'verified', 'accepted', 'rejected', 'withdrawn'])
  .meta({ id: 'ContributionStatus' });
export type ContributionStatus = z.infer<typeof ContributionStatusSchema>;

export const ContributionReceiptSchema = z
  .object({
    receivedAt: z.iso.datetime(),
    scene: z.object({ endpoint: z.string(), stashId: z.string() }),
    contributions: z.array(
      z.object({
        id: z.uuid(),
        performerStashId: z.string(),
        status: ContributionStatusSchema,
        statusReason: z.string().nullable(),
        faces: z.number().int(),
        replacedEarlier: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'ContributionReceipt' });
export type ContributionReceipt = z.infer<typeof ContributionReceiptSchema>;

export const ContributionSummarySchema = z
  .object({
    id: z.uuid(),
    scene: z.object({ endpoint: z.string(), stashId: z.string() }),
    performerStashId: z.string(),
    model: z.object({ name: z.string(), version: z.string() }),
    status: ContributionStatusSchema,
    statusReason: z.string().nullable(),
    faces: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ContributionSummary' });
export type ContributionSummary = z.infer<typeof ContributionSummarySchema>;

export const ContributionListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
  status: ContributionStatusSchema.optional(),
});
export type ContributionListQuery = z.infer<typeof ContributionListQuerySchema>;

export const ContributionListSchema = z
  .object({ items: z.array(ContributionSummarySchema), nextCursor: z.uuid().nullable() })
  .meta({ id: 'ContributionList' });
export type ContributionList = z.infer<typeof ContributionListSchema>;

export const WithdrawalSchema = z
  .object({
    withdrawnContributions: z.number().int(),
    deletedFaces: z.number().int(),
    effective: z
      .string()
      .describe(
        'When the faces stop counting: at once for consensus; absent from every index built from now on',
      ),
  })
  .meta({ id: 'Withdrawal' });
export type Withdrawal = z.infer<typeof WithdrawalSchema>;

export const FeedbackRequestSchema = z
  .strictObject({
    model: z.strictObject({ name: z.string().min(1).max(64), version: z.string().min(1).max(32) }),
    encoding: z.enum(['float32', 'float16']).default('float32'),
    embedding: base64.describe('The face the user says is not the performer'),
    performer: z.strictObject({ endpoint: z.url(), stashId: z.string().min(1).max(64) }),
    distance: z
      .number()
      .min(0)
      .max(2)
      .describe('Cosine distance the client measured to the suggested performer'),
    scene: z.strictObject({ endpoint: z.url(), stashId: z.string().min(1).max(64) }).optional(),
  })
  .meta({ id: 'FeedbackRequest' });
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export const FeedbackReceiptSchema = z
  .object({ id: z.uuid(), receivedAt: z.iso.datetime() })
  .meta({ id: 'FeedbackReceipt' });
export type FeedbackReceipt = z.infer<typeof FeedbackReceiptSchema>;
