/**
 * Deterministic, embedding-like synthetic vectors for tests and benchmarks (no model needed).
 *
 * Performers are cluster centres; faces are centre + Gaussian noise, normalised. Performers come in
 * "look-alike" groups around a shared direction, so the space has the structure real face embeddings have
 * (similar-looking people closer than strangers) instead of uniform noise. With the defaults, in 512-d:
 * - two faces of one performer:           cosine distance ≈ 0.40 (1 − 1/(1 + d·faceNoise²))
 * - faces of two look-alike performers:   ≈ 0.79
 * - faces of unrelated performers:        ≈ 1.0
 * 0.40 is the seed documents' "high confidence" boundary. Every vector is a pure function of (seed, ids),
 * so a benchmark can regenerate any face instead of storing it.
 */

/** mulberry32: a small, fast, seedable PRNG with uniform output in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box–Muller). */
export function gaussian(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Mixes integers into one 32-bit seed (a few rounds of a murmur-style finaliser). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function randomUnitVector(dimension: number, random: () => number): Float32Array {
  return normalizeInPlace(Float32Array.from({ length: dimension }, () => gaussian(random)));
}

/** `centre` + per-component Gaussian noise of standard deviation `sigma`, normalised. */
export function perturb(centre: Float32Array, sigma: number, random: () => number): Float32Array {
  return normalizeInPlace(Float32Array.from(centre, (x) => x + sigma * gaussian(random)));
}

/**
 * A fixed random isometry from k into d dimensions (k ≤ d): k orthonormal rows of length d, seeded. Vectors drawn in
 * k dimensions keep their distances and fill a k-dimensional subspace of the d-dimensional space.
 */
export class IntrinsicEmbedding {
  private readonly basis: Float32Array[];

  constructor(
    readonly intrinsicDimension: number,
    readonly dimension: number,
    seed: number,
  ) {
    this.basis = orthonormalRows(intrinsicDimension, dimension, seededRandom(seed));
  }

  /** The image of a k-dimensional vector (linear: map(u + s·v) = map(u) + s·map(v)). */
  map(v: Float32Array): Float32Array {
    const out = new Float32Array(this.dimension);
    this.basis.forEach((row, i) => {
      const x = v[i]!;
      for (let j = 0; j < out.length; j++) out[j]! += x * row[j]!;
    });
    return out;
  }

  /** The image of a k-dimensional unit vector, renormalised (float32 rounding). */
  embed(v: Float32Array): Float32Array {
    return normalizeInPlace(this.map(v));
  }
}

/** `rows` random orthonormal vectors of length `dimension` (Gram–Schmidt over Gaussian vectors, in float64). */
function orthonormalRows(rows: number, dimension: number, random: () => number): Float32Array[] {
  const basis: Float64Array[] = [];
  while (basis.length < rows) {
    const v = Float64Array.from({ length: dimension }, () => gaussian(random));
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dot = 0;
        for (let j = 0; j < dimension; j++) dot += v[j]! * b[j]!;
        for (let j = 0; j < dimension; j++) v[j]! -= dot * b[j]!;
      }
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm < 1e-6) continue;
    for (let j = 0; j < dimension; j++) v[j]! /= norm;
    basis.push(v);
  }
  return basis.map((b) => Float32Array.from(b));
}

function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

export interface SyntheticFaceSpaceOptions {
  dimension: number;
  seed?: number;
  /** Performers per look-alike group. Default 20. */
  groupSize?: number;
  /**
   * Noise of a performer centre around its group direction, per component. Default: 0.061·√(512/d), which puts
   * look-alike performers ≈0.66 apart (cosine distance) in any dimension.
   */
  performerSpread?: number;
  /** Noise of a face around its performer, per component. Default 0.036·√(512/d): faces ≈0.40 apart. */
  faceNoise?: number;
  /**
   * Degrees of freedom the faces really use (default: `dimension`, isotropic). With k < d, every vector is drawn
   * in k dimensions (with the noise defaults for k, so the distances above hold) and mapped into d by a fixed
   * random orthonormal basis (seeded). Isotropic 512-d noise is the worst case for a navigable graph: strangers
   * are all ≈1.0 ± 0.044 apart, so a search has no slope to follow. Real embeddings are lower-dimensional:
   * strangers' distances spread as ≈1/√k, and the shipped embedder on the fixture photos measures a spread of
   * 0.099 (k ≈ 100; `bench/accuracy` prints it), which `bench/client-speed` uses for its ANN figures.
   */
  intrinsicDimension?: number;
}

export class SyntheticFaceSpace {
  readonly dimension: number;
  readonly seed: number;
  readonly groupSize: number;
  readonly performerSpread: number;
  readonly faceNoise: number;
  readonly intrinsicDimension: number;
  private readonly centres = new Map<number, Float32Array>();
  private readonly embedding: IntrinsicEmbedding | null;

  constructor(options: SyntheticFaceSpaceOptions) {
    this.dimension = options.dimension;
    this.intrinsicDimension = options.intrinsicDimension ?? options.dimension;
    if (
      !Number.isInteger(this.intrinsicDimension) ||
      this.intrinsicDimension < 2 ||
      this.intrinsicDimension > this.dimension
    ) {
      throw new RangeError(
        `intrinsicDimension must be an integer in [2, ${this.dimension}], got ${this.intrinsicDimension}`,
      );
    }
    this.seed = options.seed ?? 1;
    this.groupSize = options.groupSize ?? 20;
    const scale = Math.sqrt(512 / this.intrinsicDimension);
    this.performerSpread = options.performerSpread ?? 0.061 * scale;
    this.faceNoise = options.faceNoise ?? 0.036 * scale;
    this.embedding =
      this.intrinsicDimension < this.dimension
        ? new IntrinsicEmbedding(this.intrinsicDimension, this.dimension, mixSeed(this.seed, 4))
        : null;
  }

  /** Unit direction of performer `p` in the intrinsic space (cached). */
  private centre(p: number): Float32Array {
    let centre = this.centres.get(p);
    if (!centre) {
      const group = randomUnitVector(
        this.intrinsicDimension,
        seededRandom(mixSeed(this.seed, 1, Math.floor(p / this.groupSize))),
      );
      centre = perturb(group, this.performerSpread, seededRandom(mixSeed(this.seed, 2, p)));
      if (this.centres.size > 4096) this.centres.clear();
      this.centres.set(p, centre);
    }
    return centre;
  }

  /** Unit direction of performer `p`. */
  performer(p: number): Float32Array {
    return this.embed(this.centre(p));
  }

  /** Face `f` of performer `p`; `noise` overrides the face noise (a worse or better photo). */
  face(p: number, f: number, noise = this.faceNoise): Float32Array {
    return this.embed(perturb(this.centre(p), noise, seededRandom(mixSeed(this.seed, 3, p, f))));
  }

  private embed(v: Float32Array): Float32Array {
    return this.embedding ? this.embedding.embed(v) : v;
  }

  /** A face of someone who is in no index: a performer id from a range no index uses (2^30 + i). */
  stranger(i: number): Float32Array {
    return this.face(2 ** 30 + i * this.groupSize, 0);
  }
}
