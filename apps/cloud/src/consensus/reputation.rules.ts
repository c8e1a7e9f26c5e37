// Contributor standing (tier and weight) and reputation: the share of a contributor's decided faces that were trusted,
// with moderator decisions counting heavily.
import { CONSENSUS_DEFAULTS, type ConsensusConfig } from './consensus.config.js';
import type {
  ContributorProfile,
  ContributorTier,
  DecisionCode,
  PerformerConsensusResult,
} from './consensus.types.js';
import { fmt } from './face-quality.rules.js';
import { compareIds } from './unit-vectors.js';

export interface ContributorStanding {
  tier: ContributorTier;
  /** Weight of one contribution of this account before the verified factor and the caps. */
  weight: number;
  reason: string;
}

/**
 * Evidence behind a reputation, in faces: decided faces plus moderator decisions at their face value. A new account has
 * none, whatever its reputation says.
 */
export function reputationEvidence(
  profile: Pick<ContributorProfile, 'decidedFaces' | 'moderatorApproved' | 'moderatorRejected'>,
  config: Pick<ConsensusConfig, 'reputation'> = CONSENSUS_DEFAULTS,
): number {
  return (
    profile.decidedFaces +
    config.reputation.moderatorDecisionFaces * (profile.moderatorApproved + profile.moderatorRejected)
  );
}

/**
 * Tier and weight of an account:
 * - flagged (weight 0): enough evidence and reputation below `reputation.flagBelow`;
 * - established (weight ramps with reputation from 0 at `zeroWeightReputation` to 1 at `fullWeightReputation`): old
 *   enough, enough evidence, reputation ≥ `establishedReputation`;
 * - probation (weight `probationWeight`, capped together per cluster): everything else — new accounts, idle accounts,
 *   accounts with middling reputation, and contributors without a profile.
 */
export function contributorStanding(
  profile: ContributorProfile | undefined,
  config: Pick<ConsensusConfig, 'contributors' | 'reputation'> = CONSENSUS_DEFAULTS,
): ContributorStanding {
  const c = config.contributors;
  if (!profile)
    return {
      tier: 'probation',
      weight: c.probationWeight,
      reason: 'no profile given: treated as a new account',
    };
  const evidence = reputationEvidence(profile, config);
  const hasEvidence = evidence >= c.minDecidedFaces;
  if (hasEvidence && profile.reputation < config.reputation.flagBelow)
    return {
      tier: 'flagged',
      weight: 0,
      reason: `flagged: reputation ${fmt(profile.reputation, 2)} below ${config.reputation.flagBelow} over ${evidence} faces of evidence`,
    };
  if (
    profile.accountAgeDays >= c.probationDays &&
    hasEvidence &&
    profile.reputation >= c.establishedReputation
  ) {
    const ramp =
      (profile.reputation - c.zeroWeightReputation) / (c.fullWeightReputation - c.zeroWeightReputation);
    const weight = Math.min(1, Math.max(0, ramp));
    return {
      tier: 'established',
      weight,
      reason: `established: reputation ${fmt(profile.reputation, 2)} → weight ${fmt(weight, 2)}`,
    };
  }
  const why =
    profile.accountAgeDays < c.probationDays
      ? `account is ${fmt(profile.accountAgeDays, 0)} day(s) old, under ${c.probationDays}`
      : !hasEvidence
        ? `${evidence} faces of evidence, under ${c.minDecidedFaces}`
        : `reputation ${fmt(profile.reputation, 2)} under ${c.establishedReputation}`;
  return { tier: 'probation', weight: c.probationWeight, reason: `probation: ${why}` };
}

export interface ReputationInput {
  contributorId: string;
  accountAgeDays: number;
  /** The contributor's faces currently trusted (all performers, this model or all models: the caller's choice). */
  trustedFaces: number;
  /** The contributor's faces currently rejected or held back for disagreeing with a consensus (see DISAGREEING_CODES). */
  disagreedFaces: number;
  /** Moderator decisions on the contributor's items (contributions, conflicts). */
  moderatorApproved: number;
  moderatorRejected: number;
}

export interface ReputationResult {
  contributorId: string;
  reputation: number;
  decidedFaces: number;
  flagged: boolean;
  tier: ContributorTier;
  weight: number;
  reason: string;
  /** Ready to pass back into decidePerformer. */
  profile: ContributorProfile;
}

/**
 * Reputation from current totals (not deltas, so a recomputation is idempotent): the Beta-posterior mean of "a decided
 * face is trusted", with a weak prior of 0.5 and each moderator approval / rejection worth `moderatorDecisionFaces`
 * trusted / disagreeing faces. Low agreement lowers the weight and, with enough evidence, flags the account.
 */
export function updateReputation(
  input: ReputationInput,
  config: Pick<ConsensusConfig, 'contributors' | 'reputation'> = CONSENSUS_DEFAULTS,
): ReputationResult {
  for (const key of ['trustedFaces', 'disagreedFaces', 'moderatorApproved', 'moderatorRejected'] as const)
    if (!Number.isFinite(input[key]) || input[key] < 0)
      throw new RangeError(
        `${key} of contributor ${input.contributorId} must be a count ≥ 0, got ${input[key]}`,
      );
  const r = config.reputation;
  const positive = r.priorTrusted + input.trustedFaces + r.moderatorDecisionFaces * input.moderatorApproved;
  const negative =
    r.priorDisagreed + input.disagreedFaces + r.moderatorDecisionFaces * input.moderatorRejected;
  const reputation = positive / (positive + negative);
  const profile: ContributorProfile = {
    id: input.contributorId,
    reputation,
    accountAgeDays: input.accountAgeDays,
    decidedFaces: input.trustedFaces + input.disagreedFaces,
    moderatorApproved: input.moderatorApproved,
    moderatorRejected: input.moderatorRejected,
  };
  const standing = contributorStanding(profile, config);
  const decided = profile.decidedFaces;
  const share = decided
    ? `${fmt((100 * input.trustedFaces) / decided, 0)}% of ${decided} decided faces trusted`
    : 'no decided faces';
  return {
    contributorId: input.contributorId,
    reputation,
    decidedFaces: decided,
    flagged: standing.tier === 'flagged',
    tier: standing.tier,
    weight: standing.weight,
    reason: `${share}; moderators approved ${input.moderatorApproved}, rejected ${input.moderatorRejected}; ${standing.reason}`,
    profile,
  };
}

/**
 * Face outcomes that count against a contributor: the faces disagreed with an established consensus, or sat closer to
 * another performer's. Quality, frame and coherence rejections do not (they measure the client, not the contributor);
 * pending faces are not decided yet.
 */
export const DISAGREEING_CODES: ReadonlySet<DecisionCode> = new Set<DecisionCode>([
  'disagrees_with_consensus',
  'conflict_closer_to_other_performer',
]);

export interface ContributorTally {
  contributorId: string;
  trustedFaces: number;
  disagreedFaces: number;
}

/** Per contributor (sorted by id): trusted and disagreeing faces over the given performer results. */
export function tallyContributorFaces(results: readonly PerformerConsensusResult[]): ContributorTally[] {
  const tallies = new Map<string, ContributorTally>();
  for (const result of results) {
    const contributorOf = new Map(result.contributions.map((c) => [c.contributionId, c.contributorId]));
    for (const face of result.faces) {
      const contributorId = contributorOf.get(face.contributionId);
      if (contributorId === undefined) continue;
      const trusted = face.status === 'trusted';
      const disagreed = DISAGREEING_CODES.has(face.code);
      if (!trusted && !disagreed) continue;
      let tally = tallies.get(contributorId);
      if (!tally) tallies.set(contributorId, (tally = { contributorId, trustedFaces: 0, disagreedFaces: 0 }));
      if (trusted) tally.trustedFaces++;
      else tally.disagreedFaces++;
    }
  }
  return [...tallies.values()].sort((a, b) => compareIds(a.contributorId, b.contributorId));
}
