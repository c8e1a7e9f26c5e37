import { randomBytes } from 'node:crypto';
import type { ContributionRequestInput } from '@stash-sense/contracts';
import { encodeEmbedding, l2Normalize } from '@stash-sense/vectors';

export const MODEL = { name: 'faceplugin-fr-feature', version: '0.0.1' } as const;
export const DIMENSION = 512;

/** Deterministic pseudo-random generator (mulberry32) so that failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A unit vector near `centre` (or a random direction), like one face of one person. The default noise
 * puts a face ≈ 0.25 (cosine distance) from its person's centre, as photos of one person are
 * (docs/consensus.md calibration), and two contributions' centres ≈ 0.1 apart.
 */
export function faceVector(random: () => number, centre?: Float32Array, noise = 1.1): Float32Array {
  const v = new Float32Array(DIMENSION);
  for (let i = 0; i < DIMENSION; i++)
    v[i] = (centre ? centre[i]! : 0) + (random() - 0.5) * (centre ? noise / 8 : 1);
  return l2Normalize(v);
}

export interface PayloadOptions {
  endpoint: string;
  sceneId: string;
  performers: { stashId: string; faces: number; centre?: Float32Array }[];
  fingerprints?: { algorithm: 'PHASH' | 'OSHASH' | 'MD5'; hash: string; durationSec: number }[];
  seed?: number;
  idempotencyKey?: string;
  encoding?: 'float32' | 'float16';
}

/** A valid contribution payload: faces one second apart on one track per performer. */
export function contributionPayload(o: PayloadOptions): ContributionRequestInput {
  const random = rng(o.seed ?? 1);
  const encoding = o.encoding ?? 'float32';
  return {
    idempotencyKey: o.idempotencyKey ?? `idem-${randomBytes(8).toString('hex')}`,
    client: { name: 'stash-sense-test', version: '0.1.0' },
    model: { ...MODEL },
    encoding,
    scene: {
      endpoint: o.endpoint,
      stashId: o.sceneId,
      fingerprints: o.fingerprints ?? [{ algorithm: 'PHASH', hash: 'c4d2a1b3e5f60718', durationSec: 600 }],
    },
    performers: o.performers.map((p, pi) => ({
      stashId: p.stashId,
      faces: Array.from({ length: p.faces }, (_, i) => ({
        embedding: encodeEmbedding(faceVector(random, p.centre), encoding),
        detectorScore: 0.95,
        sizePx: 120,
        quality: 0.8,
        timestampSec: 10 + i,
        trackId: `track-${pi}`,
      })),
      tracks: [
        {
          trackId: `track-${pi}`,
          points: Array.from({ length: p.faces }, (_, i) => ({
            t: 10 + i,
            box: [100, 80, 120, 120] as [number, number, number, number],
          })),
        },
      ],
    })),
  };
}
