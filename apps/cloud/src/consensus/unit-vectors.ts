// Small helpers for unit vectors used throughout the consensus rules (inputs are already unit length).

/** Cosine distance between two unit vectors: 1 − a·b (no norms computed). */
export function unitDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return 1 - sum;
}

/**
 * Unit-length weighted mean direction of unit vectors, summed in the given order (callers sort their inputs, so the
 * result does not depend on input order). Null when the weights are all zero or the vectors cancel out.
 */
export function weightedUnitCentroid(
  vectors: readonly Float32Array[],
  weights?: readonly number[],
): Float32Array | null {
  const first = vectors[0];
  if (!first) return null;
  const sum = new Float64Array(first.length);
  let total = 0;
  vectors.forEach((v, k) => {
    const w = weights ? weights[k]! : 1;
    if (!(w > 0)) return;
    total += w;
    for (let i = 0; i < v.length; i++) sum[i]! += w * v[i]!;
  });
  if (total === 0) return null;
  let norm = 0;
  for (let i = 0; i < sum.length; i++) norm += sum[i]! * sum[i]!;
  norm = Math.sqrt(norm);
  if (!(norm > 1e-12)) return null;
  return Float32Array.from(sum, (x) => x / norm);
}

/** Indices 0..n−1 thinned to at most `max`, spread evenly (deterministic). */
export function evenSample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, k) => Math.floor((k * n) / max));
}

/** Code-unit string order: stable across locales (localeCompare is not). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
