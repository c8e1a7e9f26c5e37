// Coherence: the faces one contributor credits to one performer in one scene must form one tight cluster.
import type { ConsensusConfig } from './consensus.config.js';
import { evenSample, unitDistance, weightedUnitCentroid } from './unit-vectors.js';

export interface MainCluster {
  /** Indices (into the input) of the faces in the main cluster, ascending. */
  kept: number[];
  /** Indices of the outliers, ascending. */
  outliers: number[];
  /** Unit centroid of the kept faces; null without faces. */
  centre: Float32Array | null;
  /** kept / all. */
  share: number;
}

/**
 * Finds the main cluster of a contribution's faces (unit embeddings, in face-id order).
 * The seed is the densest face — the one with the most neighbours within `neighbourDistance` (ties: the larger summed
 * similarity, then the lower index) among at most `maxSeedCandidates` evenly spread faces; the cluster is every face
 * within `outlierDistance` of the centroid of the seed's neighbours, re-centred once. A majority identity wins even
 * when the plain mean would sit between two identities.
 */
export function findMainCluster(
  embeddings: readonly Float32Array[],
  config: ConsensusConfig['coherence'],
): MainCluster {
  const n = embeddings.length;
  if (n === 0) return { kept: [], outliers: [], centre: null, share: 0 };
  let seed = 0;
  let seedCount = -1;
  let seedSimilarity = -Infinity;
  let seedNeighbours: number[] = [];
  const candidates = evenSample(n, config.maxSeedCandidates);
  // With every face a candidate, each distance is needed twice: compute the symmetric matrix once.
  const matrix = candidates.length === n ? symmetricDistances(embeddings) : null;
  for (const c of candidates) {
    const neighbours: number[] = [];
    let similarity = 0;
    for (let j = 0; j < n; j++) {
      const d = matrix ? matrix[c * n + j]! : unitDistance(embeddings[c]!, embeddings[j]!);
      similarity += 1 - d;
      if (d <= config.neighbourDistance) neighbours.push(j);
    }
    if (neighbours.length > seedCount || (neighbours.length === seedCount && similarity > seedSimilarity)) {
      seed = c;
      seedCount = neighbours.length;
      seedSimilarity = similarity;
      seedNeighbours = neighbours;
    }
  }
  let centre = weightedUnitCentroid(seedNeighbours.map((j) => embeddings[j]!)) ?? embeddings[seed]!;
  let kept: number[] = [];
  for (let round = 0; round < 2; round++) {
    kept = within(embeddings, centre, config.outlierDistance);
    if (kept.length === 0) kept = [seed];
    centre = weightedUnitCentroid(kept.map((j) => embeddings[j]!)) ?? embeddings[seed]!;
  }
  const keptSet = new Set(kept);
  const outliers = Array.from({ length: n }, (_, i) => i).filter((i) => !keptSet.has(i));
  return { kept, outliers, centre, share: kept.length / n };
}

function within(embeddings: readonly Float32Array[], centre: Float32Array, maxDistance: number): number[] {
  const out: number[] = [];
  embeddings.forEach((e, i) => {
    if (unitDistance(e, centre) <= maxDistance) out.push(i);
  });
  return out;
}

function symmetricDistances(embeddings: readonly Float32Array[]): Float64Array {
  const n = embeddings.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const d = unitDistance(embeddings[i]!, embeddings[j]!);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  return out;
}
