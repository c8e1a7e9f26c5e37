// Face quality and per-contribution frame rules: the first filter, before any face is compared with another.
import { isFiniteVector, l2Norm } from '@stash-sense/vectors';
import type { ConsensusConfig } from './consensus.config.js';
import type { ConsensusFaceInput, DecisionCode } from './consensus.types.js';

/** Norm deviation tolerated before an embedding is re-normalised (float16 transport loses ≈ 1e-3). */
const UNIT_NORM_TOLERANCE = 1e-3;

export type FaceCheck =
  { ok: true; embedding: Float32Array } | { ok: false; code: DecisionCode; reason: string };

/**
 * The face's unit embedding when it is usable, or why not. Invalid embeddings (wrong dimension, NaN, zero) and faces
 * below the detector score, size or quality minimums are rejected; each reason names the value and the minimum.
 */
export function checkFace(
  face: ConsensusFaceInput,
  dimension: number,
  config: ConsensusConfig['quality'],
): FaceCheck {
  const e = face.embedding;
  if (e.length !== dimension)
    return {
      ok: false,
      code: 'invalid_embedding',
      reason: `embedding has ${e.length} values, the performer's faces have ${dimension}: it belongs to another model`,
    };
  const norm = l2Norm(e);
  if (!isFiniteVector(e) || !(norm > 0))
    return { ok: false, code: 'invalid_embedding', reason: 'embedding is zero or holds non-finite values' };
  if (!(face.detectorScore >= config.minDetectorScore))
    return {
      ok: false,
      code: 'low_detector_score',
      reason: `detector score ${fmt(face.detectorScore)} is below ${config.minDetectorScore}`,
    };
  if (!(face.sizePx >= config.minSizePx))
    return {
      ok: false,
      code: 'too_small',
      reason: `face is ${face.sizePx} px, below ${config.minSizePx} px`,
    };
  if (!(face.quality >= config.minQuality))
    return {
      ok: false,
      code: 'low_quality',
      reason: `quality ${fmt(face.quality)} is below ${config.minQuality}`,
    };
  return { ok: true, embedding: Math.abs(norm - 1) > UNIT_NORM_TOLERANCE ? scaled(e, 1 / norm) : e };
}

/** Distinct frames among timestamps: times closer than `sameFrameSec` to the previous distinct one are one frame. */
export function countUniqueFrames(timestamps: readonly number[], sameFrameSec: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let frames = 0;
  let last = -Infinity;
  for (const t of sorted) {
    if (t - last > sameFrameSec) {
      frames++;
      last = t;
    }
  }
  return frames;
}

/** Null when a contribution's usable faces meet min_appearances and min_unique_frames, else the failing rule. */
export function checkFrames(
  faces: readonly Pick<ConsensusFaceInput, 'timestampSec'>[],
  config: ConsensusConfig['quality'],
): { code: DecisionCode; reason: string } | null {
  if (faces.length < config.minAppearances)
    return {
      code: 'too_few_appearances',
      reason: `${faces.length} usable face(s), at least ${config.minAppearances} needed (min_appearances)`,
    };
  const frames = countUniqueFrames(
    faces.map((f) => f.timestampSec),
    config.sameFrameSec,
  );
  if (frames < config.minUniqueFrames)
    return {
      code: 'too_few_frames',
      reason: `usable faces come from ${frames} frame(s), at least ${config.minUniqueFrames} needed (min_unique_frames)`,
    };
  return null;
}

/**
 * The embedding dimension of the performer's faces: the most common one (ties → the larger), so that the answer does
 * not depend on input order. Null without faces.
 */
export function dominantDimension(lengths: Iterable<number>): number | null {
  const counts = new Map<number, number>();
  for (const n of lengths) counts.set(n, (counts.get(n) ?? 0) + 1);
  let best: number | null = null;
  let bestCount = 0;
  for (const [n, count] of counts)
    if (count > bestCount || (count === bestCount && best !== null && n > best)) {
      best = n;
      bestCount = count;
    }
  return best;
}

function scaled(v: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * factor;
  return out;
}

export function fmt(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}
