// Which faces of a performer go into an index when they have more than the cap: farthest-point sampling
// (greedy k-centre) over cosine distance, so the kept faces span the performer's poses, lighting and ages
// instead of repeating near-duplicates of one scene. Pure: plain vectors in, indices out.

/** 1 − cos θ for unit vectors. */
function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}

/** Index of the vector nearest the (unnormalised) mean: the most typical face, a deterministic first pick. */
export function mostCentral(vectors: readonly Float32Array[]): number {
  const dim = vectors[0]!.length;
  const mean = new Float32Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) mean[i]! += v[i]!;
  let best = 0;
  let bestDot = -Infinity;
  vectors.forEach((v, index) => {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += v[i]! * mean[i]!;
    if (dot > bestDot) {
      bestDot = dot;
      best = index;
    }
  });
  return best;
}

/**
 * Chooses at most `max` of `vectors` (unit length): every one when there are few enough; otherwise starts
 * from `seeds` (indices already chosen, e.g. faces the previous version holds, so incremental builds keep
 * them) or, with none, from the most central face, then repeatedly adds the face farthest from everything
 * chosen so far (ties: the lower index). Returns indices in the order chosen. O(n · max · dimension).
 */
export function selectDiverse(
  vectors: readonly Float32Array[],
  max: number,
  seeds: readonly number[] = [],
): number[] {
  const n = vectors.length;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, not ${max}`);
  if (n <= max) return [...new Set([...seeds, ...vectors.keys()])];
  const chosen: number[] = [];
  const taken = new Uint8Array(n);
  const nearest = new Float64Array(n).fill(Infinity);
  const take = (index: number) => {
    chosen.push(index);
    taken[index] = 1;
    const v = vectors[index]!;
    for (let j = 0; j < n; j++) {
      if (taken[j]) continue;
      const d = cosineDistance(v, vectors[j]!);
      if (d < nearest[j]!) nearest[j] = d;
    }
  };
  for (const seed of seeds) {
    if (chosen.length >= max) break;
    if (seed < 0 || seed >= n || taken[seed]) continue;
    take(seed);
  }
  if (chosen.length === 0) take(mostCentral(vectors));
  while (chosen.length < max) {
    let best = -1;
    let bestDistance = -Infinity;
    for (let j = 0; j < n; j++) {
      if (!taken[j] && nearest[j]! > bestDistance) {
        bestDistance = nearest[j]!;
        best = j;
      }
    }
    if (best < 0) break;
    take(best);
  }
  return chosen;
}
