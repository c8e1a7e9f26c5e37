// Synthetic face embeddings with the distance geometry of the real embedder, for the consensus tests and the poisoning
// benchmark (not used by the service). Seeded: the same seed gives the same vectors.
//
// Model: an identity is a unit centre drawn from an anisotropic Gaussian (variance exp(−i/τ) along axis i, so that
// different people's centres are as spread as real ones); a face is normalise(centre + look + frame), where `look` is
// shared by every face of one session (one scene, one photo shoot) and `frame` is per face; their variances scale with
// a per-face log-normal factor (sharp vs poor faces). The defaults were fitted to the fixture photos
// (bench/poisoning/calibration.json; `bench/poisoning/main.ts` prints both side by side).

export interface SyntheticModel {
  dimension: number;
  /** Decay length of the identity spectrum (smaller → people more alike). */
  identityDecay: number;
  /** Total variance of look + frame noise relative to the unit centre, at the median face. */
  noiseVariance: number;
  /** Share of that variance shared by one session (scene) rather than drawn per face. */
  sessionShare: number;
  /** Standard deviation of ln(noise variance) across faces. */
  noiseSpread: number;
}

/** Fitted to the fixtures: see the header, docs/consensus.md and bench/poisoning/main.ts (--calibration). */
export const SYNTHETIC_DEFAULTS: SyntheticModel = {
  dimension: 512,
  identityDecay: 28,
  noiseVariance: 0.26,
  /** Assumed: frames of one scene share lighting and make-up; no labelled video was at hand to measure it. */
  sessionShare: 0.5,
  noiseSpread: 1,
};

/** Small seeded PRNG (mulberry32) with Gaussian draws (Box–Muller). */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A child generator whose stream depends only on this one's seed and `label`. */
  fork(label: number): Rng {
    return new Rng((Math.imul(this.state ^ 0x85ebca6b, 0xc2b2ae35) + Math.imul(label + 1, 0x27d4eb2f)) >>> 0);
  }
}

function normalise(v: Float64Array | Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  return Float32Array.from(v, (x) => x / n);
}

/** A random identity centre (unit vector). */
export function identityCentre(rng: Rng, model: SyntheticModel = SYNTHETIC_DEFAULTS): Float32Array {
  const v = new Float64Array(model.dimension);
  for (let i = 0; i < v.length; i++) v[i] = rng.gaussian() * Math.exp(-i / (2 * model.identityDecay));
  return normalise(v);
}

/** The offset one session (scene, photo shoot) adds to every face of one identity in it. */
export function sessionLook(rng: Rng, model: SyntheticModel = SYNTHETIC_DEFAULTS): Float32Array {
  const sd = Math.sqrt((model.noiseVariance * model.sessionShare) / model.dimension);
  return Float32Array.from({ length: model.dimension }, () => rng.gaussian() * sd);
}

/** One face: normalise(centre + look·k + frame·k), k a per-face log-normal factor. */
export function sampleFace(
  rng: Rng,
  centre: Float32Array,
  look: Float32Array,
  model: SyntheticModel = SYNTHETIC_DEFAULTS,
): Float32Array {
  const k = Math.exp((model.noiseSpread * rng.gaussian()) / 2);
  const sd = Math.sqrt((model.noiseVariance * (1 - model.sessionShare)) / model.dimension);
  const v = new Float64Array(model.dimension);
  for (let i = 0; i < v.length; i++) v[i] = centre[i]! + k * (look[i]! + rng.gaussian() * sd);
  return normalise(v);
}

/** A face of its own session (a photo): a fresh look each time. */
export function samplePhoto(
  rng: Rng,
  centre: Float32Array,
  model: SyntheticModel = SYNTHETIC_DEFAULTS,
): Float32Array {
  return sampleFace(rng, centre, sessionLook(rng, model), model);
}
