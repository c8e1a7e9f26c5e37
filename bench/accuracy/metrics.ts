// Pure accuracy metrics over labelled embeddings: verification (TAR at FAR), closed-set rank-1, open-set decisions.
// Distances are cosine distances (1 − cosine similarity) between L2-normalised embeddings.

export interface LabelledEmbedding {
  person: string;
  file: string;
  /** null when no face was found in the file. */
  embedding: Float32Array | null;
}

export function cosineDistanceUnit(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return 1 - s;
}

export interface VerificationPoint {
  far: number;
  /** Accept a pair when its distance is below this. */
  threshold: number;
  /** Share of genuine pairs accepted. */
  tar: number;
  /** Share of impostor pairs actually accepted at the threshold (≤ far). */
  measuredFar: number;
  /** False when there are too few impostor pairs to measure this FAR (fewer than 1/far). */
  resolvable: boolean;
}

/**
 * The threshold that accepts at most `far` of the impostor pairs, and the share of genuine pairs it accepts.
 * With n impostor distances sorted ascending, the threshold is the (⌊far·n⌋+1)-th smallest: strictly below it lie at
 * most ⌊far·n⌋ impostors.
 */
export function verificationAtFar(
  genuine: readonly number[],
  impostor: readonly number[],
  far: number,
): VerificationPoint {
  if (impostor.length === 0 || genuine.length === 0)
    throw new Error('verification needs genuine and impostor pairs');
  const sorted = [...impostor].sort((a, b) => a - b);
  const allowed = Math.floor(far * sorted.length);
  const threshold = sorted[Math.min(allowed, sorted.length - 1)]!;
  const accepted = (d: number) => d < threshold;
  return {
    far,
    threshold,
    tar: genuine.filter(accepted).length / genuine.length,
    measuredFar: sorted.filter(accepted).length / sorted.length,
    resolvable: far * sorted.length >= 1,
  };
}

/** Genuine (same person) and impostor (different person) distances of every probe against every gallery entry. */
export function pairDistances(gallery: readonly LabelledEmbedding[], probes: readonly LabelledEmbedding[]) {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (const p of probes) {
    if (!p.embedding) continue;
    for (const g of gallery) {
      if (!g.embedding) continue;
      (g.person === p.person ? genuine : impostor).push(cosineDistanceUnit(p.embedding, g.embedding));
    }
  }
  return { genuine, impostor };
}

export interface DistanceSpread {
  count: number;
  mean: number;
  /** Standard deviation. */
  std: number;
  p1: number;
  p5: number;
  /**
   * 1/std²: for unit vectors of unrelated people, the number of dimensions isotropic noise would need to spread
   * this much (strangers' cosine similarity has variance 1/k in k dimensions). It sets the intrinsic dimension
   * of the synthetic faces the ANN benchmark uses (SyntheticFaceSpace.intrinsicDimension).
   */
  effectiveDimension: number;
}

/** Mean, spread and low percentiles of a set of distances (impostor pairs: how far strangers are). */
export function distanceSpread(distances: readonly number[]): DistanceSpread {
  if (distances.length < 2) throw new Error('a spread needs at least two distances');
  const sorted = [...distances].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, d) => sum + d, 0) / sorted.length;
  const std = Math.sqrt(sorted.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (sorted.length - 1));
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, mean, std, p1: at(0.01), p5: at(0.05), effectiveDimension: 1 / std ** 2 };
}

export interface Neighbour {
  person: string;
  distance: number;
}

/** Nearest gallery entry (by single embedding, not centroid), or null without a usable embedding. */
export function nearest(gallery: readonly LabelledEmbedding[], probe: Float32Array | null): Neighbour | null {
  if (!probe) return null;
  let best: Neighbour | null = null;
  for (const g of gallery) {
    if (!g.embedding) continue;
    const distance = cosineDistanceUnit(probe, g.embedding);
    if (!best || distance < best.distance) best = { person: g.person, distance };
  }
  return best;
}

export interface ClosedSetResult {
  probes: number;
  /** Probes of gallery people whose nearest gallery entry is the right person. */
  rank1: number;
  /** Probes without a face (counted as misses in rank1). */
  noFace: number;
}

export function rank1(
  gallery: readonly LabelledEmbedding[],
  probes: readonly LabelledEmbedding[],
): ClosedSetResult {
  const known = new Set(gallery.filter((g) => g.embedding).map((g) => g.person));
  const mine = probes.filter((p) => known.has(p.person));
  let correct = 0;
  let noFace = 0;
  for (const p of mine) {
    const n = nearest(gallery, p.embedding);
    if (!n) noFace++;
    else if (n.person === p.person) correct++;
  }
  return { probes: mine.length, rank1: mine.length ? correct / mine.length : 0, noFace };
}

export interface OpenSetResult {
  threshold: number;
  knownProbes: number;
  /** Known probes accepted as the right person. */
  knownCorrect: number;
  /** Known probes accepted as someone else. */
  knownWrong: number;
  /** Known probes rejected (too far from everyone, or no face). */
  knownRejected: number;
  unknownProbes: number;
  /** Probes of people absent from the gallery that were rejected. */
  unknownRejected: number;
  /** Probes of people absent from the gallery that were accepted as somebody. */
  unknownAccepted: number;
}

/** Accept the nearest gallery person when the distance is below `threshold`, else answer "unknown". Shares in [0,1]. */
export function openSet(
  gallery: readonly LabelledEmbedding[],
  probes: readonly LabelledEmbedding[],
  threshold: number,
): OpenSetResult {
  const known = new Set(gallery.filter((g) => g.embedding).map((g) => g.person));
  const counts = { kc: 0, kw: 0, kr: 0, kn: 0, ur: 0, ua: 0, un: 0 };
  for (const p of probes) {
    const n = nearest(gallery, p.embedding);
    const accepted = n !== null && n.distance < threshold;
    if (known.has(p.person)) {
      counts.kn++;
      if (!accepted) counts.kr++;
      else if (n.person === p.person) counts.kc++;
      else counts.kw++;
    } else {
      counts.un++;
      if (accepted) counts.ua++;
      else counts.ur++;
    }
  }
  const share = (v: number, of: number) => (of ? v / of : 0);
  return {
    threshold,
    knownProbes: counts.kn,
    knownCorrect: share(counts.kc, counts.kn),
    knownWrong: share(counts.kw, counts.kn),
    knownRejected: share(counts.kr, counts.kn),
    unknownProbes: counts.un,
    unknownRejected: share(counts.ur, counts.un),
    unknownAccepted: share(counts.ua, counts.un),
  };
}
