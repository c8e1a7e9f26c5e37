/** Fixed names and tunables of the on-disk face index. See docs/index-format.md. */
import type { FaceIndexStorage } from '@stash-sense/contracts';

/** Layout version of the index directory (manifest `formatVersion`). Bump on any incompatible change. */
export const FACE_INDEX_FORMAT_VERSION = 1;

/** The files of an index directory. */
export const FACE_INDEX_FILES = {
  manifest: 'manifest.json',
  performers: 'performers.jsonl',
  faceTable: 'faces.u32',
  ann: 'faces.usearch',
} as const;

/** Face table entry of a removed face: performer ids are at most 0xFFFFFFFE. */
export const REMOVED_FACE = 0xffffffff;

/**
 * Build and search defaults. Sources: RECIPES.md ("M=16, efConstruction=128" on embedding-like 200k × 512-d) and
 * the ANN benchmark (bench/client-speed/ann.ts, figures in docs/benchmarks.md): on clustered 512-d unit vectors
 * at 100k faces, float16, M=16/efConstruction=128, expansion 64 already gives recall@10 ≥ 0.99 at well under
 * 1 ms, so 64 is the default query expansion; callers pass a larger one when they need more recall.
 */
export const FACE_INDEX_DEFAULTS = {
  storage: 'float16' as const,
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: 64,
  /**
   * Encoding the graph links of a float16 index are chosen with while inserting (`constructionStorage`).
   * int8: inserting runs on vectors half the size with integer dot products; the file still stores and
   * searches float16 (docs/benchmarks.md, "Index build", has the build times and recall of both).
   */
  constructionStorage: 'int8' as FaceIndexStorage,
  /** Threads for building (usearch `add`) and batch searches. The dev machines have 2 cores. */
  threads: 2,
  /** Vectors handed to usearch per `add` call while writing: bounds the time between progress reports. */
  addBatchSize: 4096,
  /**
   * `searchPerformers`: face hits fetched per wanted performer before grouping by performer. Performers have
   * ≈1–10 faces (trainer seed: 58% have 1–3), so 8 hits per performer finds k distinct performers almost always;
   * when it does not, the search doubles up to `maxFaceHits`.
   */
  faceHitsPerPerformer: 8,
  maxFaceHits: 1024,
  /** Vectors decoded per block by the exact (brute-force) search over the stored vectors. */
  exactSearchBlock: 32768,
};
