// @stash-sense/face-index — the on-disk face index (docs/index-format.md): written by the cloud (and by the
// client for local indexes), read by the client.
export {
  FACE_INDEX_DEFAULTS,
  FACE_INDEX_FILES,
  FACE_INDEX_FORMAT_VERSION,
  REMOVED_FACE,
} from './constants.js';
export { FaceIndexError, type FaceIndexErrorCode } from './errors.js';
export { canonicalJson } from './canonical-json.js';
export {
  hashFile,
  parseManifest,
  readManifest,
  serializeManifest,
  verifyIndexFiles,
  type FileDigest,
} from './manifest.js';
export {
  signManifest,
  verifyManifestJws,
  type ManifestSigningKey,
  type VerifiedManifest,
} from './manifest-signature.js';
export type { PerformerRecord } from './performers-file.js';
export {
  FaceIndex,
  loadIndexParts,
  type FaceHit,
  type IndexParts,
  type OpenFaceIndexOptions,
  type PerformerHit,
  type SearchOptions,
} from './face-index.js';
export {
  FaceIndexWriter,
  type FaceIndexWriterOptions,
  type FromParentOptions,
  type NewPerformer,
  type PerformerPatch,
  type WriteMeta,
} from './face-index-writer.js';
export {
  buildLocalIndexFromEmbeddings,
  type BuildLocalIndexOptions,
  type LocalPerformerEmbeddings,
} from './build-local.js';
export { quantizeInt8MaxAbs } from './vector-storage.js';
export type { IndexManifest } from '@stash-sense/contracts';
export {
  gaussian,
  IntrinsicEmbedding,
  mixSeed,
  perturb,
  randomUnitVector,
  seededRandom,
  SyntheticFaceSpace,
  type SyntheticFaceSpaceOptions,
} from './synthetic.js';
export {
  applyIndexDelta,
  INDEX_DELTA_FORMAT_VERSION,
  INDEX_DELTA_TYPE,
  readIndexDeltaHeader,
  writeIndexDelta,
  type IndexDeltaHeader,
  type IndexDeltaSummary,
} from './delta.js';
