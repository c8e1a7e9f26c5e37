// Public API of the face pipeline: detection → 5-point alignment → embedding, image loading, video frame sampling.
export type { Box, Point, RgbImage, DetectedFace, EmbeddingModelInfo } from './types.js';
export { FacePipeline, type FacePipelineOptions, type FaceStages } from './face-pipeline.js';
export { InputError } from './input-error.js';
export { loadImage } from './image.js';
export {
  probeVideo,
  sampleVideoFrames,
  type VideoInfo,
  type VideoFrame,
  type FrameSamplingOptions,
} from './frames.js';
export { cropFaceThumbnail } from './thumbnail.js';
export { PIPELINE_DEFAULTS, type PipelineSettings } from './defaults.js';
export { EMBEDDING_MODEL, resolveModelsDir } from './models.js';
export { faceToJson } from './face-json.js';
