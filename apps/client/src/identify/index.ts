// Identification on embeddings (no models here): per-face matching for images, clustering + voting for scenes.
export { IDENTIFY_DEFAULTS, type IdentifyConfig } from './identify.config.js';
export { bandOf, confidenceOf, toCandidate } from './confidence.js';
export { clusterFaces, pairwiseCosineDistances, type ClusterItem, type ClusterOptions } from './cluster.js';
export { assignPerformers, identifyFaces, type IdentifyFacesOptions } from './match.js';
export {
  identifyScene,
  rankPersonCandidates,
  sceneScore,
  type FaceEvidence,
  type IdentifySceneOptions,
  type PersonRanking,
} from './scene.js';
export { ExactPerformerSearch } from './exact-performer-search.js';
export type * from './types.js';
