/** Identifying the faces of one still image: nearest performers per face, the open-set rule, one person per performer. */
import { toCandidate } from './confidence.js';
import { IDENTIFY_DEFAULTS, type IdentifyConfig } from './identify.config.js';
import type { Candidate, FaceIdentification, FaceInput, PerformerSearch } from './types.js';

export interface IdentifyFacesOptions {
  /** Candidates per face. Default IDENTIFY_DEFAULTS.topK. */
  topK?: number;
  /**
   * One performer can be only one of the faces of an image: when two faces' nearest performer is the same,
   * the closer face keeps it and the other falls back to its next candidate within the open-set threshold
   * (or becomes unknown). Default true.
   */
  exclusive?: boolean;
  config?: Partial<IdentifyConfig>;
}

export function identifyFaces(
  index: PerformerSearch,
  faces: readonly Pick<FaceInput, 'embedding'>[],
  options: IdentifyFacesOptions = {},
): FaceIdentification[] {
  const config: IdentifyConfig = { ...IDENTIFY_DEFAULTS, ...options.config };
  const topK = options.topK ?? config.topK;
  if (!Number.isInteger(topK) || topK < 1)
    throw new RangeError(`topK must be a positive integer, got ${topK}`);
  const candidates = faces.map((face) =>
    index.searchPerformers(face.embedding, topK).map((hit) => toCandidate(hit, config)),
  );
  const best = assignPerformers(candidates, config.unknownDistance, options.exclusive ?? true);
  return candidates.map((list, face) => ({ face, bestMatch: best[face] ?? null, candidates: list }));
}

/**
 * Best match per face: the nearest candidate within `unknownDistance`. With `exclusive`, performers are handed
 * out closest pair first, so each performer goes to at most one face. Pure; deterministic (ties: lower face).
 */
export function assignPerformers(
  candidates: readonly (readonly Candidate[])[],
  unknownDistance: number,
  exclusive: boolean,
): (Candidate | null)[] {
  const eligible = candidates.map((list) => list.filter((c) => c.distance <= unknownDistance));
  if (!exclusive) return eligible.map((list) => list[0] ?? null);
  const pairs = eligible.flatMap((list, face) => list.map((candidate) => ({ face, candidate })));
  pairs.sort(
    (a, b) =>
      a.candidate.distance - b.candidate.distance ||
      a.face - b.face ||
      a.candidate.performer.id - b.candidate.performer.id,
  );
  const result: (Candidate | null)[] = candidates.map(() => null);
  const taken = new Set<number>();
  for (const { face, candidate } of pairs) {
    if (result[face] || taken.has(candidate.performer.id)) continue;
    result[face] = candidate;
    taken.add(candidate.performer.id);
  }
  return result;
}
