/**
 * Plain data in and out of the consensus rules. Embeddings are Float32Array unit vectors of one embedding model
 * (the rules run per performer × model); distances are cosine distances (1 − cos θ).
 */

export interface ConsensusFaceInput {
  id: string;
  embedding: Float32Array;
  detectorScore: number;
  /** Shorter side of the face box in frame pixels. */
  sizePx: number;
  /** Client quality score in [0,1] (sharpness × pose). */
  quality: number;
  timestampSec: number;
  /** The contributor's face-track id within the scene, when the client sent one. */
  trackKey: string | null;
}

export interface ConsensusContributionInput {
  id: string;
  contributorId: string;
  sceneId: string;
  /** The scene's fingerprint matched the stash-box scene; unverified contributions weigh less. */
  verified: boolean;
  /** Performers credited on the stash-box scene (1 = a single-performer scene). */
  scenePerformerCount: number;
  /** A moderator approved the contribution as credited: look-alike checks no longer hold it back. */
  moderatorApproved?: boolean;
  faces: ConsensusFaceInput[];
}

export interface ContributorProfile {
  id: string;
  /** 0..1, from updateReputation (0.5 for an account without evidence). */
  reputation: number;
  accountAgeDays: number;
  /** Faces behind the reputation (trusted + disagreeing; see tallyContributorFaces). 0 for a new account. */
  decidedFaces: number;
  moderatorApproved: number;
  moderatorRejected: number;
}

export interface OtherPerformerReference {
  performerId: string;
  /** The other performer's trusted centroid (same embedding model). */
  centroid: Float32Array;
}

export interface NotSameFeedbackInput {
  feedbackId: string;
  contributorId: string;
  /** The face the user says is not this performer. */
  faceEmbedding: Float32Array;
}

export interface PerformerConsensusInput {
  performerId: string;
  contributions: ConsensusContributionInput[];
  /** Profiles of the contributors (and feedback authors); a missing one is treated as a brand-new account. */
  contributors: ContributorProfile[];
  /** Reference faces for this performer: stash-box promo photos, moderator-approved faces. */
  anchors?: Float32Array[];
  /**
   * Trusted centroids of the performers a contribution could be confused with — the scene partners and the performers
   * of the same stash-box near this one. Leave out the same person's entries on other stash-boxes (see identity links).
   */
  otherPerformers: OtherPerformerReference[];
  notSame: NotSameFeedbackInput[];
}

export type FaceStatus = 'trusted' | 'rejected' | 'pending';
export type ContributionStatus = 'accepted' | 'rejected' | 'pending';

/** Machine-readable reason of a face or contribution decision; `reason` says the same in words, with numbers. */
export type DecisionCode =
  | 'trusted'
  | 'invalid_embedding'
  | 'low_detector_score'
  | 'too_small'
  | 'low_quality'
  | 'too_few_frames'
  | 'too_few_appearances'
  | 'coherence_outlier'
  | 'incoherent'
  | 'awaiting_agreement'
  | 'agrees'
  | 'disagrees_with_consensus'
  | 'far_from_consensus'
  | 'conflict_closer_to_other_performer'
  | 'conflict_competing_consensus'
  | 'conflict_anchor_disagreement'
  | 'conflict_not_same_feedback';

export interface FaceDecision {
  faceId: string;
  contributionId: string;
  status: FaceStatus;
  code: DecisionCode;
  reason: string;
  /** Distance to the consensus (centroid or nearest medoid) when one exists and the face reached that step. */
  distance?: number;
}

export type ContributorTier = 'established' | 'probation' | 'flagged';

export interface ContributionDecision {
  contributionId: string;
  contributorId: string;
  sceneId: string;
  status: ContributionStatus;
  code: DecisionCode;
  reason: string;
  /** Weight this contribution can add to an agreement before the caps (tier × verified factor). */
  weight: number;
  tier: ContributorTier;
  /** Unit centroid of the faces kept by the coherence rule; null when the contribution failed before it. */
  centre: Float32Array | null;
  /** Distance of `centre` to the consensus centroid, when both exist. */
  distance?: number;
  keptFaces: number;
}

export type ConflictKind =
  | 'closer_to_other_performer'
  | 'swapped_performers'
  | 'not_same_feedback'
  | 'competing_consensus'
  | 'anchor_disagreement';

export interface ConflictRecord {
  kind: ConflictKind;
  /** Stable identity of the conflict (same inputs → same key): lets the caller upsert instead of duplicating. */
  key: string;
  performerIds: string[];
  contributionIds: string[];
  contributorIds: string[];
  sceneIds: string[];
  /** Whether the faces involved are held back (pending) until a moderator resolves the record. */
  blocking: boolean;
  summary: string;
  evidence: Record<string, unknown>;
}

export type PerformerState = 'established' | 'awaiting_agreement' | 'conflict';

export interface PerformerConsensusResult {
  performerId: string;
  state: PerformerState;
  /** One per input face, ordered by contribution id then face id. */
  faces: FaceDecision[];
  /** One per input contribution, ordered by id. */
  contributions: ContributionDecision[];
  /** Consensus centroid (weighted by contribution weight) when established. */
  centroid: Float32Array | null;
  /** Representative trusted faces (a few looks), largest group first. */
  medoids: Float32Array[];
  conflicts: ConflictRecord[];
  summary: {
    trusted: number;
    rejected: number;
    pending: number;
    /** Distinct contributors with weight in the consensus cluster (or the strongest candidate when none). */
    contributorsAgreeing: number;
    /** Capped weight of that cluster, anchor included. */
    weight: number;
    /** Whether reference faces were given. */
    anchored: boolean;
    /** One sentence explaining the state. */
    reason: string;
  };
}
