// Figures of a build report (docs/index-distribution.md): performers by number of faces in the index, in the
// trainer findings' buckets 1 / 2–3 / 4–5 / 6–10 / 11+, as counts and as shares of all performers.
import type { IndexChanges, IndexFaceBuckets } from '@stash-sense/contracts';

export const FACE_BUCKETS = ['1', '2-3', '4-5', '6-10', '11+'] as const;

export function bucketOf(faceCount: number): (typeof FACE_BUCKETS)[number] {
  if (faceCount <= 1) return '1';
  if (faceCount <= 3) return '2-3';
  if (faceCount <= 5) return '4-5';
  if (faceCount <= 10) return '6-10';
  return '11+';
}

/** Counts of performers per bucket; performers with no faces are not in an index and not counted. */
export function faceCountBuckets(faceCounts: Iterable<number>): IndexFaceBuckets {
  const buckets: IndexFaceBuckets = { '1': 0, '2-3': 0, '4-5': 0, '6-10': 0, '11+': 0 };
  for (const count of faceCounts) if (count > 0) buckets[bucketOf(count)]++;
  return buckets;
}

/** Each bucket as a percentage of all counted performers (one decimal; 0 everywhere when there are none). */
export function bucketPercentages(buckets: IndexFaceBuckets): IndexFaceBuckets {
  const total = FACE_BUCKETS.reduce((sum, key) => sum + buckets[key], 0);
  const out = { ...buckets };
  for (const key of FACE_BUCKETS) out[key] = total === 0 ? 0 : Math.round((1000 * buckets[key]) / total) / 10;
  return out;
}

export const NO_CHANGES: IndexChanges = {
  facesAdded: 0,
  facesRemoved: 0,
  performersAdded: 0,
  performersRemoved: 0,
  performersChanged: 0,
};

export function hasChanges(changes: IndexChanges): boolean {
  return Object.values(changes).some((v) => v > 0);
}
