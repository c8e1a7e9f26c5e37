/** Plain vector math on Float32Array embeddings. Pure functions, no I/O. */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`dimension mismatch: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function l2Norm(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return Math.sqrt(sum);
}

/** Returns a new unit-length copy of `v`. Throws on a zero or non-finite vector (it has no direction). */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  const norm = l2Norm(v);
  if (!Number.isFinite(norm) || norm === 0)
    throw new RangeError('cannot normalise a zero or non-finite vector');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denom = l2Norm(a) * l2Norm(b);
  if (denom === 0) return 0;
  return dot(a, b) / denom;
}

/** Cosine distance 1 − cos θ, in [0, 2]. The unit used by every threshold in this project. */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return 1 - cosineSimilarity(a, b);
}

/** Element-wise mean of equally sized vectors. */
export function mean(vectors: readonly ArrayLike<number>[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new RangeError('mean of no vectors');
  const out = new Float64Array(first.length);
  for (const v of vectors) {
    if (v.length !== first.length) throw new RangeError(`dimension mismatch: ${v.length} vs ${first.length}`);
    for (let i = 0; i < v.length; i++) out[i]! += v[i]!;
  }
  return Float32Array.from(out, (x) => x / vectors.length);
}

/** Unit-length mean direction of unit vectors: the usual centroid for cosine space. */
export function centroid(vectors: readonly ArrayLike<number>[]): Float32Array {
  return l2Normalize(mean(vectors));
}

export function isFiniteVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}
