import type { Point } from './types.js';

/**
 * 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f.
 * Pixel centres sit at integer coordinates (the OpenCV warpAffine convention the ArcFace template uses).
 */
export type Affine = [number, number, number, number, number, number];

/** The standard ArcFace 112×112 five-point template: eyes, nose tip, mouth corners (RECIPES). */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection) mapping `from` onto `to`:
 * minimises Σ‖s·R·fromᵢ + t − toᵢ‖². In 2-D this is Umeyama's solution written with complex numbers:
 * with centred points p, q as complex numbers, s·e^{iθ} = Σ conj(pᵢ)·qᵢ / Σ |pᵢ|².
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) {
    throw new Error(`similarity needs ≥ 2 matching points, got ${from.length} and ${to.length}`);
  }
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    fx += from[i]![0];
    fy += from[i]![1];
    tx += to[i]![0];
    ty += to[i]![1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let re = 0, im = 0, norm = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    const px = from[i]![0] - fx;
    const py = from[i]![1] - fy;
    const qx = to[i]![0] - tx;
    const qy = to[i]![1] - ty;
    re += px * qx + py * qy; // Re(conj(p)·q)
    im += px * qy - py * qx; // Im(conj(p)·q)
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('similarity is undefined: all source points coincide');
  const a = re / norm;
  const b = im / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

export function applyAffine(m: Affine, [x, y]: Point): Point {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (det === 0) throw new Error('affine transform is singular and cannot be inverted');
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/** How many source pixels one output pixel spans (√|det| of the output→source map). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}
