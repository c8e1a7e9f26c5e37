// The on-disk face index (docs/index-format.md): its manifest and the performer records of `performers.jsonl`.
// The cloud writes these files and the client reads them, so both sides validate against the schemas below.
// Every number in the manifest is an integer and every value is JSON-native, so the manifest can be serialised
// canonically (keys sorted, no whitespace) and signed as a JWS without any float-formatting ambiguity.
import { z } from 'zod';

/** Largest id a performer may have: ids are stored as Uint32 and 0xFFFFFFFF marks a removed face. */
export const FACE_INDEX_MAX_PERFORMER_ID = 0xfffffffe;

export const FaceIndexStashIdSchema = z
  .object({
    endpoint: z
      .string()
      .min(1)
      .max(2048)
      .describe('The stash-box GraphQL URL exactly as Stash stores it, e.g. "https://stashdb.org/graphql"'),
    stashId: z.string().min(1).max(256).describe('The performer id on that stash-box'),
  })
  .strict()
  .meta({ id: 'FaceIndexStashId' });
export type FaceIndexStashId = z.infer<typeof FaceIndexStashIdSchema>;

/** One line of `performers.jsonl`. */
export const FaceIndexPerformerSchema = z
  .object({
    id: z
      .number()
      .int()
      .min(0)
      .max(FACE_INDEX_MAX_PERFORMER_ID)
      .describe(
        'Internal performer id of this index family (stable across versions); the face table refers to it',
      ),
    name: z.string().min(1).max(512),
    stashIds: z.array(FaceIndexStashIdSchema).max(64),
    faceCount: z.number().int().nonnegative().describe('Faces of this performer present in this version'),
    primarySource: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Where the record comes from, e.g. "stashdb"'),
    country: z.string().min(1).max(64).optional(),
    imageUrl: z.string().min(1).max(4096).optional(),
    disambiguation: z.string().min(1).max(512).optional(),
  })
  .strict()
  .meta({ id: 'FaceIndexPerformer' });
export type FaceIndexPerformer = z.infer<typeof FaceIndexPerformerSchema>;

export const FaceIndexModelSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .describe('Embedding model name; indexes are only comparable within one model'),
    version: z.string().min(1).max(128),
    dimension: z.number().int().positive().max(65536),
    metric: z.literal('cosine'),
  })
  .strict()
  .meta({ id: 'FaceIndexModel' });
export type FaceIndexModel = z.infer<typeof FaceIndexModelSchema>;

export const FaceIndexStorageSchema = z
  .enum(['float16', 'int8'])
  .describe('Scalar type of the vectors stored inside the ANN graph file');
export type FaceIndexStorage = z.infer<typeof FaceIndexStorageSchema>;

export const FaceIndexAnnSchema = z
  .object({
    library: z.literal('usearch'),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'usearch version must look like 2.25.3'),
    connectivity: z.number().int().min(2).max(1024).describe('HNSW M: links per node on the upper levels'),
    expansionAdd: z.number().int().min(1).max(65536).describe('HNSW efConstruction used to build the graph'),
    expansionSearch: z.number().int().min(1).max(65536).describe('Default HNSW ef for queries'),
    constructionStorage: FaceIndexStorageSchema.optional().describe(
      'Encoding of the vectors the graph links were chosen with while inserting (int8 for a float16 index: ' +
        'the same graph at about half the build time); absent: the same as storage. Searches always use ' +
        'the stored vectors.',
    ),
  })
  .strict()
  .meta({ id: 'FaceIndexAnn' });
export type FaceIndexAnn = z.infer<typeof FaceIndexAnnSchema>;

/** File names inside an index directory: plain names, no folders, nothing hidden. */
export const FaceIndexFileNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'file names are plain names of letters, digits, ".", "_" and "-"',
  );

export const FaceIndexFileEntrySchema = z
  .object({
    name: FaceIndexFileNameSchema,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  })
  .strict()
  .meta({ id: 'FaceIndexFileEntry' });
export type FaceIndexFileEntry = z.infer<typeof FaceIndexFileEntrySchema>;

/** A release id ("2026.11.25-1") or a local id: no spaces or slashes, so it can name folders and URLs. */
export const FaceIndexVersionSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:+-]*$/,
    'an index version may hold letters, digits and . _ : + - (starting with a letter or digit)',
  );

export const IndexManifestSchema = z
  .object({
    formatVersion: z.literal(1).describe('Layout of the directory; readers refuse versions they do not know'),
    indexVersion: FaceIndexVersionSchema.describe('Release id, e.g. "2026.11.25-1", or a local id'),
    createdAt: z.iso.datetime({ offset: true }).describe('ISO 8601 time the index was written'),
    parentVersion: FaceIndexVersionSchema.nullable().describe(
      'indexVersion this one was built from incrementally; null for a full build',
    ),
    model: FaceIndexModelSchema,
    storage: FaceIndexStorageSchema,
    counts: z
      .object({
        performers: z.number().int().nonnegative(),
        faces: z.number().int().nonnegative().describe('Faces present (removed faces excluded)'),
      })
      .strict(),
    ann: FaceIndexAnnSchema,
    files: z
      .array(FaceIndexFileEntrySchema)
      .min(1)
      .describe('Every file of the directory except manifest.json, sorted by name'),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const names = manifest.files.map((f) => f.name);
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: 'custom', path: ['files'], message: 'file names must be unique' });
    if (names.includes('manifest.json'))
      ctx.addIssue({ code: 'custom', path: ['files'], message: 'manifest.json must not list itself' });
  })
  .meta({ id: 'IndexManifest' });
export type IndexManifest = z.infer<typeof IndexManifestSchema>;
