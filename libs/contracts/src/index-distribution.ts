// Published face indexes (docs/index-distribution.md): what the cloud serves under /v1/indexes and what the
// client's `index pull` reads. The signature covers the manifest only (a compact JWS whose payload is the
// manifest's canonical JSON bytes); every other file, and every delta, is checked against the manifest's sha256s.
import { z } from 'zod';
import { FaceIndexVersionSchema, IndexManifestSchema } from './face-index.js';

/** `typ` of the protected JWS header of a signed manifest. */
export const INDEX_MANIFEST_JWS_TYPE = 'stash-sense-index-manifest+jws';
/** Name of the delta file published beside a version built incrementally from its parent. */
export const INDEX_DELTA_FILE = 'delta.bin';

export const IndexStatusSchema = z
  .enum(['published', 'withdrawn'])
  .describe('A withdrawn version is never served as latest; clients holding it roll back');
export type IndexStatus = z.infer<typeof IndexStatusSchema>;

export const IndexModelRefSchema = z
  .strictObject({
    name: z.string().min(1).max(256),
    version: z.string().min(1).max(128),
    dimension: z.number().int().positive(),
  })
  .meta({ id: 'IndexModelRef' });

export const IndexFaceBucketsSchema = z
  .strictObject({
    '1': z.number().int().nonnegative(),
    '2-3': z.number().int().nonnegative(),
    '4-5': z.number().int().nonnegative(),
    '6-10': z.number().int().nonnegative(),
    '11+': z.number().int().nonnegative(),
  })
  .describe('Performers by number of faces in the index (the trainer findings’ buckets)')
  .meta({ id: 'IndexFaceBuckets' });
export type IndexFaceBuckets = z.infer<typeof IndexFaceBucketsSchema>;

export const IndexFaceBucketPercentSchema = z
  .strictObject({
    '1': z.number().min(0).max(100),
    '2-3': z.number().min(0).max(100),
    '4-5': z.number().min(0).max(100),
    '6-10': z.number().min(0).max(100),
    '11+': z.number().min(0).max(100),
  })
  .describe('The buckets as percentages of the performers in the index (one decimal)')
  .meta({ id: 'IndexFaceBucketPercent' });

export const IndexChangesSchema = z
  .strictObject({
    facesAdded: z.number().int().nonnegative(),
    facesRemoved: z.number().int().nonnegative(),
    performersAdded: z.number().int().nonnegative(),
    performersRemoved: z.number().int().nonnegative(),
    performersChanged: z.number().int().nonnegative(),
  })
  .describe('Difference from the previous published version of the same model')
  .meta({ id: 'IndexChanges' });
export type IndexChanges = z.infer<typeof IndexChangesSchema>;

/** A downloadable file of a version: the index files of the manifest, or the delta. */
export const IndexFileLinkSchema = z
  .strictObject({
    name: z.string().min(1).max(128),
    url: z
      .string()
      .min(1)
      .describe('Absolute path on the cloud, e.g. /v1/indexes/2026.12.06-1/files/faces.usearch'),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .meta({ id: 'IndexFileLink' });
export type IndexFileLink = z.infer<typeof IndexFileLinkSchema>;

/** One line of GET /v1/indexes. */
export const IndexVersionSummarySchema = z
  .strictObject({
    version: FaceIndexVersionSchema,
    model: IndexModelRefSchema,
    status: IndexStatusSchema,
    createdAt: z.iso.datetime({ offset: true }),
    parentVersion: FaceIndexVersionSchema.nullable(),
    counts: z.strictObject({
      performers: z.number().int().nonnegative(),
      faces: z.number().int().nonnegative(),
    }),
    sizeBytes: z.number().int().nonnegative().describe('Sum of the index files (a full download)'),
    withdrawnAt: z.iso.datetime({ offset: true }).nullable(),
    withdrawnReason: z.string().nullable(),
  })
  .meta({ id: 'IndexVersionSummary' });
export type IndexVersionSummary = z.infer<typeof IndexVersionSummarySchema>;

export const IndexVersionListSchema = z
  .strictObject({ versions: z.array(IndexVersionSummarySchema).describe('Newest first') })
  .meta({ id: 'IndexVersionList' });
export type IndexVersionList = z.infer<typeof IndexVersionListSchema>;

/**
 * GET /v1/indexes/latest and GET /v1/indexes/:version/manifest. `jws` is what the client verifies; `manifest`
 * is a convenience copy and must equal the JWS payload (the client uses the payload, never this copy).
 */
export const IndexReleaseSchema = z
  .strictObject({
    version: FaceIndexVersionSchema,
    status: IndexStatusSchema,
    jws: z
      .string()
      .min(1)
      .describe(
        'Compact JWS (alg EdDSA, kid, typ stash-sense-index-manifest+jws); payload = canonical manifest.json bytes',
      ),
    manifest: IndexManifestSchema,
    files: z.array(IndexFileLinkSchema).describe('The manifest’s files, with their download URLs'),
    delta: IndexFileLinkSchema.extend({ fromVersion: FaceIndexVersionSchema })
      .nullable()
      .describe(
        'Delta from parentVersion (null for a full build): apply it to the parent, then verify against the manifest',
      ),
  })
  .meta({ id: 'IndexRelease' });
export type IndexRelease = z.infer<typeof IndexReleaseSchema>;

/** GET /v1/indexes/keys: the Ed25519 public keys, current and retired (old signatures stay verifiable). */
export const IndexJwkSchema = z
  .strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().min(1),
    kid: z.string().min(1).max(128),
    alg: z.literal('EdDSA'),
    use: z.literal('sig'),
  })
  .meta({ id: 'IndexJwk' });
export type IndexJwk = z.infer<typeof IndexJwkSchema>;

export const IndexJwksSchema = z.strictObject({ keys: z.array(IndexJwkSchema) }).meta({ id: 'IndexJwks' });
export type IndexJwks = z.infer<typeof IndexJwksSchema>;

/** POST /v1/admin/indexes/builds (admin): queue a build now. */
export const IndexBuildRequestSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Embedding model name; default: every active model'),
    full: z
      .boolean()
      .default(false)
      .describe('Rebuild from scratch instead of incrementally from the latest version'),
  })
  .meta({ id: 'IndexBuildRequest' });
export type IndexBuildRequest = z.infer<typeof IndexBuildRequestSchema>;

/** A build report (GET /v1/admin/indexes/builds, newest first). */
export const IndexBuildReportSchema = z
  .strictObject({
    id: z.uuid(),
    model: IndexModelRefSchema,
    status: z.enum(['queued', 'running', 'published', 'unchanged', 'failed']),
    version: FaceIndexVersionSchema.nullable(),
    parentVersion: FaceIndexVersionSchema.nullable(),
    full: z.boolean(),
    performers: z.number().int().nonnegative(),
    faces: z.number().int().nonnegative(),
    buckets: IndexFaceBucketsSchema,
    bucketPercent: IndexFaceBucketPercentSchema.optional(),
    changes: IndexChangesSchema,
    durationMs: z.number().int().nonnegative().nullable(),
    error: z.string().nullable(),
    startedAt: z.iso.datetime({ offset: true }).nullable(),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'IndexBuildReport' });
export type IndexBuildReport = z.infer<typeof IndexBuildReportSchema>;

/** GET /v1/admin/indexes/builds and the answer of POST /v1/admin/indexes/builds (the builds queued). */
export const IndexBuildListSchema = z
  .strictObject({ builds: z.array(IndexBuildReportSchema).describe('Newest first') })
  .meta({ id: 'IndexBuildList' });
export type IndexBuildList = z.infer<typeof IndexBuildListSchema>;

export const IndexWithdrawRequestSchema = z
  .strictObject({ reason: z.string().min(1).max(1000) })
  .meta({ id: 'IndexWithdrawRequest' });
export type IndexWithdrawRequest = z.infer<typeof IndexWithdrawRequestSchema>;
