import type { Point } from './types.js';

/** Number of points fr_landmark.onnx returns (iBUG 68-point layout, 0-based indices below). */
export const LANDMARK_POINT_COUNT = 68;

const LEFT_EYE = [37, 38, 40, 41]; // the 4 lid points of the eye on the image's left
const RIGHT_EYE = [43, 44, 46, 47];
const NOSE_TIP = 30;
const LEFT_MOUTH = [48, 60]; // outer and inner mouth corner
const RIGHT_MOUTH = [54, 64];

/**
 * 68 points (flat [x0,y0,x1,y1,…]) → the 5 points of the ArcFace template: eye centres (mean of the 4 lid points),
 * nose tip, mouth corners (mean of outer and inner corner). Same rule as the package's convert68pts5pts.
 */
export function reduce68To5(flat: ArrayLike<number>): Point[] {
  if (flat.length !== LANDMARK_POINT_COUNT * 2) {
    throw new Error(
      `expected ${LANDMARK_POINT_COUNT} landmark points (${LANDMARK_POINT_COUNT * 2} numbers), got ${flat.length}`,
    );
  }
  const mean = (indices: number[]): Point => {
    let x = 0;
    let y = 0;
    for (const i of indices) {
      x += flat[i * 2]!;
      y += flat[i * 2 + 1]!;
    }
    return [x / indices.length, y / indices.length];
  };
  return [mean(LEFT_EYE), mean(RIGHT_EYE), mean([NOSE_TIP]), mean(LEFT_MOUTH), mean(RIGHT_MOUTH)];
}

/** Model output normalised to the crop square → image pixels. */
export function landmarksToImage(
  normalised: ArrayLike<number>,
  crop: { x: number; y: number; side: number },
): Float32Array {
  const out = new Float32Array(normalised.length);
  for (let i = 0; i < normalised.length; i += 2) {
    out[i] = crop.x + normalised[i]! * crop.side;
    out[i + 1] = crop.y + normalised[i + 1]! * crop.side;
  }
  return out;
}
