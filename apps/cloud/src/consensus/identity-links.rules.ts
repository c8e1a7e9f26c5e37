// Cross-stash-box identity: performers on different stash-boxes whose trusted centroids are near-identical are probably
// one person; suggest the link (a person or the identity-graph code decides).
import { CONSENSUS_DEFAULTS, type ConsensusConfig } from './consensus.config.js';
import { compareIds, unitDistance } from './unit-vectors.js';

export interface IdentityLinkCandidate {
  performerId: string;
  /** The stash-box the performer belongs to (e.g. its endpoint id or URL); links are only suggested across them. */
  endpointKey: string;
  /** Trusted centroid (unit vector, same embedding model for all candidates). */
  centroid: Float32Array;
  trustedFaces: number;
}

export interface IdentityLinkSuggestion {
  /** The lower performer id of the pair. */
  a: string;
  b: string;
  distance: number;
}

/**
 * Pairs of performers on different stash-boxes, each with at least `minTrustedFaces` trusted faces, whose centroids lie
 * within `maxDistance`; nearest first (ties by ids). Quadratic in the candidates: pass the neighbours an ANN query found
 * for the performers that changed rather than a whole catalogue.
 */
export function suggestIdentityLinks(
  performers: readonly IdentityLinkCandidate[],
  config: Pick<ConsensusConfig, 'identityLinks'> = CONSENSUS_DEFAULTS,
): IdentityLinkSuggestion[] {
  const { maxDistance, minTrustedFaces } = config.identityLinks;
  const eligible = performers
    .filter((p) => p.trustedFaces >= minTrustedFaces)
    .sort((x, y) => compareIds(x.performerId, y.performerId));
  const dimension = eligible[0]?.centroid.length;
  for (const p of eligible)
    if (p.centroid.length !== dimension)
      throw new RangeError(
        `performer ${p.performerId} has a ${p.centroid.length}-d centroid, others ${dimension}-d: compare one embedding model at a time`,
      );
  const links: IdentityLinkSuggestion[] = [];
  for (let i = 0; i < eligible.length; i++)
    for (let j = i + 1; j < eligible.length; j++) {
      const x = eligible[i]!;
      const y = eligible[j]!;
      if (x.endpointKey === y.endpointKey || x.performerId === y.performerId) continue;
      const distance = unitDistance(x.centroid, y.centroid);
      if (distance <= maxDistance) links.push({ a: x.performerId, b: y.performerId, distance });
    }
  return links.sort((p, q) => p.distance - q.distance || compareIds(p.a, q.a) || compareIds(p.b, q.b));
}
