import { PIPELINE_DEFAULTS, type PipelineSettings } from './defaults.js';
import type { Point } from './types.js';

type QualityConfig = PipelineSettings['quality'];

/**
 * Variance of the 4-neighbour Laplacian over the central part of a grey image (`margin` pixels left out on each side,
 * so the black border of a warped crop and the background at its corners do not count).
 */
export function laplacianVariance(grey: Float32Array, width: number, height: number, margin = 0): number {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  const start = Math.max(1, margin);
  for (let y = start; y < height - start; y++) {
    for (let x = start; x < width - start; x++) {
      const i = y * width + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      count++;
    }
  }
  if (count === 0) return 0;
  const mean = sum / count;
  return Math.max(0, sumSq / count - mean * mean);
}

/** Laplacian variance → [0,1): v / (v + half). */
export function sharpnessScore(variance: number, config: QualityConfig = PIPELINE_DEFAULTS.quality): number {
  return variance / (variance + config.sharpnessHalf);
}

/**
 * Rough head pose from the five points [left eye, right eye, nose, left mouth, right mouth], in degrees.
 * roll: angle of the eye line. yaw: the nose tip's sideways offset from the eye midpoint (in the roll-corrected frame),
 * relative to the inter-ocular distance d: offset / d = depthRatio · tan(yaw) for a nose tip `depthRatio·d` in front
 * of the eyes. Saturates on profiles, where the landmark model itself is unreliable.
 */
export function estimatePose(
  points: readonly Point[],
  config: QualityConfig = PIPELINE_DEFAULTS.quality,
): { yaw: number; roll: number } {
  const [leftEye, rightEye, nose] = points;
  if (!leftEye || !rightEye || !nose) throw new Error(`pose needs the 5 face points, got ${points.length}`);
  const dx = rightEye[0] - leftEye[0];
  const dy = rightEye[1] - leftEye[1];
  const eyeDistance = Math.hypot(dx, dy);
  const roll = (Math.atan2(dy, dx) * 180) / Math.PI;
  if (eyeDistance === 0) return { yaw: 0, roll };
  const midX = (leftEye[0] + rightEye[0]) / 2;
  const midY = (leftEye[1] + rightEye[1]) / 2;
  // Nose offset projected on the eye line's direction (i.e. rotated by −roll).
  const along = ((nose[0] - midX) * dx + (nose[1] - midY) * dy) / eyeDistance;
  const yaw = (Math.atan(along / eyeDistance / config.noseDepthRatio) * 180) / Math.PI;
  return { yaw, roll };
}

/** 1 for |yaw| ≤ frontalYaw, falling linearly to 0 at profileYaw. Roll does not count: alignment removes it. */
export function poseScore(yaw: number, config: QualityConfig = PIPELINE_DEFAULTS.quality): number {
  const excess = (Math.abs(yaw) - config.frontalYaw) / (config.profileYaw - config.frontalYaw);
  return Math.min(1, Math.max(0, 1 - excess));
}

/** quality = sharpness × pose score: a blurred or a turned-away face both make a poor embedding. */
export function combineQuality(sharpness: number, pose: number): number {
  return sharpness * pose;
}
