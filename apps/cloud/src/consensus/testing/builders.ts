// Builders of consensus inputs for the unit tests (synthetic faces from synthetic-embeddings.ts).
import type {
  ConsensusContributionInput,
  ConsensusFaceInput,
  ContributorProfile,
} from '../consensus.types.js';
import { Rng, identityCentre, sampleFace, samplePhoto, sessionLook } from './synthetic-embeddings.js';

export { Rng, identityCentre, sampleFace, samplePhoto, sessionLook };

/** An established, reputable account (weight 1). */
export function established(id: string, reputation = 0.95): ContributorProfile {
  return {
    id,
    reputation,
    accountAgeDays: 365,
    decidedFaces: 500,
    moderatorApproved: 0,
    moderatorRejected: 0,
  };
}

/** A brand-new account (probation). */
export function newAccount(id: string): ContributorProfile {
  return {
    id,
    reputation: 0.5,
    accountAgeDays: 1,
    decidedFaces: 0,
    moderatorApproved: 0,
    moderatorRejected: 0,
  };
}

export interface FaceOptions {
  detectorScore?: number;
  sizePx?: number;
  quality?: number;
}

/** A good face at a timestamp. */
export function face(
  id: string,
  embedding: Float32Array,
  timestampSec: number,
  options: FaceOptions = {},
): ConsensusFaceInput {
  return {
    id,
    embedding,
    detectorScore: options.detectorScore ?? 0.95,
    sizePx: options.sizePx ?? 120,
    quality: options.quality ?? 0.8,
    timestampSec,
    trackKey: 't1',
  };
}

export interface ContributionOptions {
  id: string;
  contributorId: string;
  sceneId: string;
  /** Identity centre of the faces actually submitted. */
  centre: Float32Array;
  rng: Rng;
  faces?: number;
  verified?: boolean;
  scenePerformerCount?: number;
  /** Session look shared with other contributions of the same scene; a fresh one when absent. */
  look?: Float32Array;
}

/** A contribution of `faces` faces (default 12) of one identity from one scene, one face per second. */
export function contribution(o: ContributionOptions): ConsensusContributionInput {
  const look = o.look ?? sessionLook(o.rng);
  return {
    id: o.id,
    contributorId: o.contributorId,
    sceneId: o.sceneId,
    verified: o.verified ?? true,
    scenePerformerCount: o.scenePerformerCount ?? 1,
    faces: Array.from({ length: o.faces ?? 12 }, (_, i) =>
      face(`${o.id}-f${String(i).padStart(3, '0')}`, sampleFace(o.rng, o.centre, look), 10 + i),
    ),
  };
}
