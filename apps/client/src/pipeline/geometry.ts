import type { Box } from './types.js';

/** Box by its corners: left, top, right, bottom. */
export type Corners = [x1: number, y1: number, x2: number, y2: number];

export interface ScoredCorners {
  corners: Corners;
  score: number;
}

export function area([x1, y1, x2, y2]: Corners): number {
  return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
}

export function intersectionOverUnion(a: Corners, b: Corners): number {
  const inter = area([
    Math.max(a[0], b[0]),
    Math.max(a[1], b[1]),
    Math.min(a[2], b[2]),
    Math.min(a[3], b[3]),
  ]);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Share of `inner` that lies inside `outer` (0 when `inner` is empty). */
export function coveredFraction(inner: Corners, outer: Corners): number {
  const a = area(inner);
  if (a === 0) return 0;
  return (
    area([
      Math.max(inner[0], outer[0]),
      Math.max(inner[1], outer[1]),
      Math.min(inner[2], outer[2]),
      Math.min(inner[3], outer[3]),
    ]) / a
  );
}

/**
 * Greedy non-maximum suppression, best score first: a box is dropped when its IoU with a kept box reaches
 * `iouThreshold`, or when at least `containedThreshold` of it lies inside a kept box (a box on the eyes inside
 * the face box has a small IoU with it but is no second face).
 */
export function nonMaximumSuppression<T extends ScoredCorners>(
  candidates: readonly T[],
  iouThreshold: number,
  containedThreshold = 1.01,
): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    const suppressed = kept.some(
      (k) =>
        intersectionOverUnion(k.corners, candidate.corners) >= iouThreshold ||
        coveredFraction(candidate.corners, k.corners) >= containedThreshold,
    );
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}

export function clipCorners([x1, y1, x2, y2]: Corners, width: number, height: number): Corners {
  return [clamp(x1, 0, width), clamp(y1, 0, height), clamp(x2, 0, width), clamp(y2, 0, height)];
}

export function cornersToBox([x1, y1, x2, y2]: Corners): Box {
  return [x1, y1, x2 - x1, y2 - y1];
}

/** The square the landmark model expects: side = box height, same centre (package scaleResult). May leave the image. */
export function landmarkSquare([x1, y1, x2, y2]: Corners): Box {
  const side = y2 - y1;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  return [cx - side / 2, cy - side / 2, side, side];
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
