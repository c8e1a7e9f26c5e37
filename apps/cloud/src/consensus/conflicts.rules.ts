// Conflicts for the moderation queue: a contribution that looks like another performer, two performers swapped on a
// scene, and not-same feedback that contradicts trusted faces.
import { CONSENSUS_DEFAULTS, type ConsensusConfig } from './consensus.config.js';
import type {
  ConflictRecord,
  ContributorProfile,
  NotSameFeedbackInput,
  OtherPerformerReference,
} from './consensus.types.js';
import { fmt } from './face-quality.rules.js';
import { contributorStanding } from './reputation.rules.js';
import { compareIds, unitDistance, weightedUnitCentroid } from './unit-vectors.js';

export interface NearestOther {
  performerId: string;
  distance: number;
}

/** The other performer whose centroid is nearest to `centre` (ties: the lower id), or null without others. */
export function nearestOtherPerformer(
  centre: Float32Array,
  others: readonly OtherPerformerReference[],
): NearestOther | null {
  let best: NearestOther | null = null;
  for (const other of others) {
    const distance = unitDistance(centre, other.centroid);
    if (
      !best ||
      distance < best.distance ||
      (distance === best.distance && compareIds(other.performerId, best.performerId) < 0)
    )
      best = { performerId: other.performerId, distance };
  }
  return best;
}

/**
 * A contribution credited to this performer looks like another one: its centre lies within `agreeDistance` of the
 * other's consensus and closer to it, by `closerMargin`, than to this performer's reference (`ownDistance`: the
 * consensus centroid, else the nearest anchor; null when this performer has neither, then any such closeness counts).
 */
export function isCloserToOther(
  other: NearestOther | null,
  ownDistance: number | null,
  config: Pick<ConsensusConfig, 'agreement' | 'conflicts'>,
): other is NearestOther {
  if (!other || other.distance > config.agreement.agreeDistance) return false;
  return ownDistance === null || other.distance + config.conflicts.closerMargin < ownDistance;
}

export interface TrustedFaceRef {
  faceId: string;
  contributionId: string;
  contributorId: string;
  sceneId: string;
  embedding: Float32Array;
}

export interface NotSameOutcome {
  /** Face ids held back (pending) by the feedback. */
  blockedFaceIds: Set<string>;
  /** Per blocked face: the feedback ids against it. */
  feedbackByFace: Map<string, string[]>;
  conflicts: ConflictRecord[];
}

/**
 * Not-same feedback ("this face is not performer P") against the trusted faces. A feedback face contradicts every
 * trusted face within `notSameDistance`; each contradicting feedback files one conflict record. A trusted face is held
 * back only when the distinct accounts contradicting it weigh at least `notSameBlockingWeight` — probation accounts
 * adding up to `maxProbationFeedbackWeight` at most, flagged ones nothing — so a swarm of new accounts cannot empty a
 * performer. Inputs must be sorted (feedback by id, faces by contribution then face id).
 */
export function evaluateNotSameFeedback(
  performerId: string,
  feedback: readonly NotSameFeedbackInput[],
  trusted: readonly TrustedFaceRef[],
  profiles: ReadonlyMap<string, ContributorProfile>,
  config: ConsensusConfig,
): NotSameOutcome {
  const c = config.conflicts;
  const contradictedBy = new Map<string, { feedbackId: string; contributorId: string; distance: number }[]>();
  const perFeedback: { item: NotSameFeedbackInput; faces: { face: TrustedFaceRef; distance: number }[] }[] =
    [];
  for (const item of feedback) {
    const faces: { face: TrustedFaceRef; distance: number }[] = [];
    for (const face of trusted) {
      const distance = unitDistance(item.faceEmbedding, face.embedding);
      if (distance > c.notSameDistance) continue;
      faces.push({ face, distance });
      const list = contradictedBy.get(face.faceId) ?? [];
      list.push({ feedbackId: item.feedbackId, contributorId: item.contributorId, distance });
      contradictedBy.set(face.faceId, list);
    }
    if (faces.length) perFeedback.push({ item, faces });
  }

  const feedbackWeight = (contributorIds: Iterable<string>): number => {
    let established = 0;
    let probation = 0;
    for (const id of new Set(contributorIds)) {
      const standing = contributorStanding(profiles.get(id), config);
      if (standing.tier === 'established') established += standing.weight;
      else if (standing.tier === 'probation') probation += standing.weight;
    }
    return established + Math.min(probation, c.maxProbationFeedbackWeight);
  };

  const blockedFaceIds = new Set<string>();
  const feedbackByFace = new Map<string, string[]>();
  for (const [faceId, against] of contradictedBy) {
    if (feedbackWeight(against.map((x) => x.contributorId)) >= c.notSameBlockingWeight) {
      blockedFaceIds.add(faceId);
      feedbackByFace.set(
        faceId,
        against.map((x) => x.feedbackId),
      );
    }
  }

  const conflicts = perFeedback.map(({ item, faces }): ConflictRecord => {
    const standing = contributorStanding(profiles.get(item.contributorId), config);
    const blocked = faces.filter((f) => blockedFaceIds.has(f.face.faceId));
    const minDistance = Math.min(...faces.map((f) => f.distance));
    const contributionIds = uniqueSorted(faces.map((f) => f.face.contributionId));
    return {
      kind: 'not_same_feedback',
      key: `not_same_feedback:${performerId}:${item.feedbackId}`,
      performerIds: [performerId],
      contributionIds,
      contributorIds: uniqueSorted([item.contributorId, ...faces.map((f) => f.face.contributorId)]),
      sceneIds: uniqueSorted(faces.map((f) => f.face.sceneId)),
      blocking: blocked.length > 0,
      summary:
        `feedback ${item.feedbackId} says a face is not performer ${performerId}, yet it lies ${fmt(minDistance)} from ` +
        `${faces.length} trusted face(s); ${blocked.length ? `${blocked.length} held back` : `advisory only (${standing.tier} account)`}`,
      evidence: {
        feedbackId: item.feedbackId,
        feedbackContributorId: item.contributorId,
        feedbackContributorTier: standing.tier,
        feedbackContributorWeight: standing.weight,
        contradictedFaces: faces.length,
        heldBackFaces: blocked.length,
        faceIds: faces.slice(0, c.maxFaceIdsInEvidence).map((f) => f.face.faceId),
        minDistance,
        threshold: c.notSameDistance,
      },
    };
  });
  return { blockedFaceIds, feedbackByFace, conflicts };
}

export interface SceneSwapInput {
  sceneId: string;
  /** The scene's performers with their consensus centroid (null when a performer has none yet). */
  performers: { performerId: string; centroid: Float32Array | null }[];
  /** The scene's coherent contributions (centre from decidePerformer's ContributionDecision.centre). */
  contributions: {
    contributionId: string;
    contributorId: string;
    performerId: string;
    centre: Float32Array | null;
  }[];
}

/**
 * Swapped performers on one scene: one account credits cluster X to P1 and Y to P2 while the references say the
 * reverse — X lies closer (by `closerMargin`, within `agreeDistance`) to P2's and Y to P1's. A performer's reference is
 * its consensus centroid, or else the centroid of what at least `minSceneVoters` other accounts credited to it on this
 * scene. One record per account and performer pair; deterministic whatever the input order.
 */
export function detectSwaps(
  input: SceneSwapInput,
  config: Pick<ConsensusConfig, 'agreement' | 'conflicts'> = CONSENSUS_DEFAULTS,
): ConflictRecord[] {
  const contributions = input.contributions
    .filter((c): c is typeof c & { centre: Float32Array } => c.centre !== null)
    .sort((a, b) => compareIds(a.contributionId, b.contributionId));
  const centroidOf = new Map(input.performers.map((p) => [p.performerId, p.centroid]));
  const reference = (
    performerId: string,
    excludeContributor: string,
  ): { centre: Float32Array; source: string } | null => {
    const consensus = centroidOf.get(performerId);
    if (consensus) return { centre: consensus, source: 'consensus' };
    const others = contributions.filter(
      (c) => c.performerId === performerId && c.contributorId !== excludeContributor,
    );
    if (new Set(others.map((c) => c.contributorId)).size < config.conflicts.minSceneVoters) return null;
    const centre = weightedUnitCentroid(others.map((c) => c.centre));
    return centre ? { centre, source: `scene (${others.length} other contribution(s))` } : null;
  };

  const { agreeDistance } = config.agreement;
  const { closerMargin } = config.conflicts;
  const records: ConflictRecord[] = [];
  const contributors = uniqueSorted(contributions.map((c) => c.contributorId));
  for (const contributorId of contributors) {
    const mine = contributions.filter((c) => c.contributorId === contributorId);
    for (const x of mine)
      for (const y of mine) {
        if (compareIds(x.performerId, y.performerId) >= 0) continue;
        const r1 = reference(x.performerId, contributorId);
        const r2 = reference(y.performerId, contributorId);
        if (!r1 || !r2) continue;
        const x1 = unitDistance(x.centre, r1.centre);
        const x2 = unitDistance(x.centre, r2.centre);
        const y1 = unitDistance(y.centre, r1.centre);
        const y2 = unitDistance(y.centre, r2.centre);
        const swapped =
          x2 <= agreeDistance && y1 <= agreeDistance && x2 + closerMargin < x1 && y1 + closerMargin < y2;
        if (!swapped) continue;
        records.push({
          kind: 'swapped_performers',
          key: `swapped_performers:${input.sceneId}:${contributorId}:${x.performerId}:${y.performerId}`,
          performerIds: [x.performerId, y.performerId],
          contributionIds: [x.contributionId, y.contributionId].sort(compareIds),
          contributorIds: [contributorId],
          sceneIds: [input.sceneId],
          blocking: true,
          summary:
            `account ${contributorId} credited performer ${y.performerId}'s face cluster to ${x.performerId} and ` +
            `${x.performerId}'s to ${y.performerId} on scene ${input.sceneId}`,
          evidence: {
            contributorId,
            contributions: [
              {
                contributionId: x.contributionId,
                creditedTo: x.performerId,
                distanceToCredited: x1,
                distanceToOther: x2,
              },
              {
                contributionId: y.contributionId,
                creditedTo: y.performerId,
                distanceToCredited: y2,
                distanceToOther: y1,
              },
            ],
            references: { [x.performerId]: r1.source, [y.performerId]: r2.source },
            agreeDistance,
            closerMargin,
          },
        });
      }
  }
  return records;
}

function uniqueSorted(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareIds);
}
