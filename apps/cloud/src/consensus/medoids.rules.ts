// Medoids: a few representative trusted faces per performer (different looks), for the published index and for
// comparing faces with more than one centre.
import type { ConsensusConfig } from './consensus.config.js';
import { evenSample, unitDistance, weightedUnitCentroid } from './unit-vectors.js';

/**
 * Up to `maxMedoids` representative faces (one per `facesPerMedoid` trusted faces, at least one), largest group first.
 * Deterministic k-medoids in one pass over at most `medoidSample` faces (spread evenly in the given order): seeds by
 * farthest-point sampling starting from the face nearest the centroid, each face joins its nearest seed, and each
 * group's medoid is its member nearest the group's centroid. Returns copies.
 */
export function chooseMedoids(
  trusted: readonly Float32Array[],
  centroid: Float32Array,
  config: ConsensusConfig['agreement'],
): Float32Array[] {
  if (trusted.length === 0) return [];
  const sample = evenSample(trusted.length, config.medoidSample).map((i) => trusted[i]!);
  const k = Math.max(
    1,
    Math.min(config.maxMedoids, Math.floor(trusted.length / config.facesPerMedoid), sample.length),
  );
  const seeds = [argMin(sample, (v) => unitDistance(v, centroid))];
  const nearestSeedDistance = sample.map((v) => unitDistance(v, sample[seeds[0]!]!));
  while (seeds.length < k) {
    const next = argMin(sample, (_, i) => -nearestSeedDistance[i]!);
    if (nearestSeedDistance[next]! <= 0) break;
    seeds.push(next);
    sample.forEach((v, i) => {
      nearestSeedDistance[i] = Math.min(nearestSeedDistance[i]!, unitDistance(v, sample[next]!));
    });
  }
  const groups: number[][] = seeds.map(() => []);
  sample.forEach((v, i) => groups[argMin(seeds, (s) => unitDistance(v, sample[s]!))]!.push(i));
  const medoids = groups
    .filter((g) => g.length > 0)
    .map((g) => {
      const centre = weightedUnitCentroid(g.map((i) => sample[i]!)) ?? sample[g[0]!]!;
      const medoid = g[argMin(g, (i) => unitDistance(sample[i]!, centre))]!;
      return { size: g.length, medoid };
    })
    .sort((a, b) => b.size - a.size || a.medoid - b.medoid);
  return medoids.map((m) => Float32Array.from(sample[m.medoid]!));
}

/** Index of the smallest score (the first on ties). */
function argMin<T>(items: readonly T[], score: (item: T, index: number) => number): number {
  let best = 0;
  let bestScore = Infinity;
  items.forEach((item, i) => {
    const s = score(item, i);
    if (s < bestScore) {
      best = i;
      bestScore = s;
    }
  });
  return best;
}
