import { PIPELINE_DEFAULTS, type PipelineSettings } from './defaults.js';
import { clipCorners, nonMaximumSuppression, type Corners, type ScoredCorners } from './geometry.js';

export interface DetectorDecodeOptions {
  /** Original-image pixels spanned by the whole detector input: normalised box coordinates are scaled by these… */
  imageWidth: number;
  imageHeight: number;
  /** …then shifted by these (the padding in original pixels when the image was padded before detection; else 0). */
  offsetX?: number;
  offsetY?: number;
  scoreThreshold: number;
  topK: number;
  nmsIou: number;
  /** Drop a box when this share of it lies inside a better-scored box. */
  nmsContained: number;
}

/**
 * Interleaved RGB bytes of the detector-sized image → the model input: planar (NCHW) RGB, (v − mean) / std.
 * `rgb` must hold inputWidth × inputHeight pixels.
 */
export function detectorInput(
  rgb: Uint8Array,
  config: PipelineSettings['detector'] = PIPELINE_DEFAULTS.detector,
): Float32Array {
  const plane = config.inputWidth * config.inputHeight;
  if (rgb.length !== plane * 3) {
    throw new Error(
      `detector input must be ${config.inputWidth}×${config.inputHeight} RGB (${plane * 3} bytes), got ${rgb.length}`,
    );
  }
  const out = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    out[i] = (rgb[i * 3]! - config.mean) / config.std;
    out[plane + i] = (rgb[i * 3 + 1]! - config.mean) / config.std;
    out[2 * plane + i] = (rgb[i * 3 + 2]! - config.mean) / config.std;
  }
  return out;
}

/**
 * The model's outputs → face boxes in original-image pixels, best first.
 * `scores` is [N,2] (background, face); `boxes` is [N,4] already-decoded corners normalised to [0,1] (package
 * fr_detect.js scales them by the input size, then by original/input size — the same as scaling by the original size).
 * Corners are not clipped here: the landmark crop needs the full box; callers clip what they report.
 */
export function decodeDetections(
  scores: Float32Array,
  boxes: Float32Array,
  options: DetectorDecodeOptions,
): ScoredCorners[] {
  const count = scores.length / 2;
  if (boxes.length !== count * 4)
    throw new Error(`detector outputs disagree: ${count} scores but ${boxes.length / 4} boxes`);
  const { imageWidth: sx, imageHeight: sy, offsetX: ox = 0, offsetY: oy = 0 } = options;
  const candidates: ScoredCorners[] = [];
  for (let i = 0; i < count; i++) {
    const score = scores[i * 2 + 1]!;
    if (score < options.scoreThreshold) continue;
    const corners: Corners = [
      boxes[i * 4]! * sx - ox,
      boxes[i * 4 + 1]! * sy - oy,
      boxes[i * 4 + 2]! * sx - ox,
      boxes[i * 4 + 3]! * sy - oy,
    ];
    if (corners[2] <= corners[0] || corners[3] <= corners[1]) continue;
    candidates.push({ corners, score });
  }
  candidates.sort((a, b) => b.score - a.score);
  return nonMaximumSuppression(candidates.slice(0, options.topK), options.nmsIou, options.nmsContained);
}

/** Shorter side of the part of the box inside the image. */
export function visibleFaceSize(corners: Corners, width: number, height: number): number {
  const [x1, y1, x2, y2] = clipCorners(corners, width, height);
  return Math.min(x2 - x1, y2 - y1);
}

/**
 * Where the image lands in the detector input when it is shrunk and surrounded by a black border of `padFraction`
 * of its own size on every side (the retry for faces that fill the whole image), and how to map boxes back.
 */
export function paddedLayout(
  width: number,
  height: number,
  padFraction: number,
  config: PipelineSettings['detector'] = PIPELINE_DEFAULTS.detector,
) {
  const innerWidth = Math.max(1, Math.round(config.inputWidth / (1 + 2 * padFraction)));
  const innerHeight = Math.max(1, Math.round(config.inputHeight / (1 + 2 * padFraction)));
  const left = Math.floor((config.inputWidth - innerWidth) / 2);
  const top = Math.floor((config.inputHeight - innerHeight) / 2);
  const scaleX = width / innerWidth;
  const scaleY = height / innerHeight;
  return {
    innerWidth,
    innerHeight,
    left,
    top,
    right: config.inputWidth - innerWidth - left,
    bottom: config.inputHeight - innerHeight - top,
    decode: {
      imageWidth: config.inputWidth * scaleX,
      imageHeight: config.inputHeight * scaleY,
      offsetX: left * scaleX,
      offsetY: top * scaleY,
    },
  };
}
