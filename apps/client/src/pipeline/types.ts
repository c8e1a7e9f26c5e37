/** Axis-aligned box in image pixels: top-left corner, width, height. */
export type Box = [x: number, y: number, w: number, h: number];
/** A point in image pixels. */
export type Point = [x: number, y: number];

/** A decoded image: interleaved 8-bit RGB, 3 bytes per pixel, row after row, no padding. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface DetectedFace {
  /** Detector box in original-image pixels, clipped to the image. */
  box: Box;
  /** Detector confidence in [0,1]. */
  score: number;
  /** Five points in original-image pixels: left eye, right eye, nose tip, left mouth corner, right mouth corner (image left/right). */
  landmarks: Point[];
  /** Shorter side of `box` in original-image pixels. */
  sizePx: number;
  /** Overall usefulness of the face for recognition in [0,1]: see quality.ts and docs/models.md. */
  quality: number;
  /** Sharpness of the aligned 112×112 crop in [0,1] (normalised variance of the Laplacian). */
  sharpness: number;
  /** Head pose estimated from the five points, in degrees; yaw > 0 when the nose points to image right. */
  pose: { yaw: number; roll: number };
  /** L2-normalised embedding (see FacePipeline.model for its name, version and size). */
  embedding: Float32Array;
}

export interface EmbeddingModelInfo {
  name: string;
  version: string;
  dimension: number;
  metric: 'cosine';
}
