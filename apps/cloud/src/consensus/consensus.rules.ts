/**
 * Consensus rules: which contributed faces of one performer (one embedding model) are trusted, and why.
 * Pure and deterministic: no I/O, no clock, no randomness; inputs are sorted by id first, so the same inputs in any
 * order give the same result. The steps (docs/consensus.md):
 *   1. quality — detector score, face size, quality score; then min_appearances / min_unique_frames per contribution;
 *   2. coherence — one tight cluster per contribution, outliers dropped, mixed contributions rejected;
 *   3. look-alikes — a contribution nearer another performer's consensus than this one's reference is a conflict;
 *   4. agreement — contributions cluster by their centres; a cluster becomes the consensus when its capped weight
 *      (accounts weighted by reputation, new accounts capped together, one vote per account, near-identical submissions
 *      once, one scene capped, reference faces adding weight) reaches K with at least two accounts; without reference
 *      faces, multi-performer scenes count for less (bootstrap from single-performer scenes); two strong clusters, or a strong one that disagrees with the
 *      reference faces, go to moderation instead;
 *   5. faces of agreeing contributions close to the consensus centroid or its medoids are trusted;
 *   6. not-same feedback from established accounts holds contradicted trusted faces back.
 */
import { CONSENSUS_DEFAULTS, type ConsensusConfig } from './consensus.config.js';
import type {
  ConflictRecord,
  ConsensusContributionInput,
  ConsensusFaceInput,
  ContributionDecision,
  ContributorProfile,
  DecisionCode,
  FaceDecision,
  PerformerConsensusInput,
  PerformerConsensusResult,
  PerformerState,
} from './consensus.types.js';
import {
  findAgreementClusters,
  cappedWeight,
  type AgreementCluster,
  type AgreementUnit,
} from './agreement.rules.js';
import { findMainCluster } from './coherence.rules.js';
import {
  evaluateNotSameFeedback,
  isCloserToOther,
  nearestOtherPerformer,
  type NearestOther,
} from './conflicts.rules.js';
import { checkFace, checkFrames, dominantDimension, fmt } from './face-quality.rules.js';
import { chooseMedoids } from './medoids.rules.js';
import { contributorStanding, type ContributorStanding } from './reputation.rules.js';
import { compareIds, unitDistance } from './unit-vectors.js';

export * from './consensus.types.js';
export {
  CONSENSUS_DEFAULTS,
  consensusConfig,
  type ConsensusConfig,
  type ConsensusConfigOverrides,
} from './consensus.config.js';
export { detectSwaps, type SceneSwapInput } from './conflicts.rules.js';
export {
  contributorStanding,
  updateReputation,
  tallyContributorFaces,
  reputationEvidence,
  DISAGREEING_CODES,
  type ContributorStanding,
  type ContributorTally,
  type ReputationInput,
  type ReputationResult,
} from './reputation.rules.js';
export {
  suggestIdentityLinks,
  type IdentityLinkCandidate,
  type IdentityLinkSuggestion,
} from './identity-links.rules.js';

interface UsableFace {
  face: ConsensusFaceInput;
  embedding: Float32Array;
}

/** One contribution on its way through the rules. */
interface Prepared {
  input: ConsensusContributionInput;
  faces: ConsensusFaceInput[];
  standing: ContributorStanding;
  weight: number;
  /** Final decisions of faces dropped before the agreement step (quality, frames, coherence). */
  early: Map<string, FaceDecision>;
  kept: UsableFace[];
  centre: Float32Array | null;
  /** Set when the contribution failed before the agreement step. */
  failure: { code: DecisionCode; reason: string } | null;
}

interface Verdict {
  status: ContributionDecision['status'];
  code: DecisionCode;
  reason: string;
  distance?: number;
}

export function decidePerformer(
  input: PerformerConsensusInput,
  config: ConsensusConfig = CONSENSUS_DEFAULTS,
): PerformerConsensusResult {
  const performerId = input.performerId;
  const profiles = indexProfiles(input.contributors);
  const contributions = sortedUnique(input.contributions, (c) => c.id, 'contribution');
  const dimension =
    dominantDimension(contributions.flatMap((c) => c.faces.map((f) => f.embedding.length))) ??
    dominantDimension((input.anchors ?? []).map((a) => a.length));
  const anchors = (input.anchors ?? []).map((a, i) => unitOrThrow(a, dimension, `anchor ${i}`));
  const others = [...input.otherPerformers]
    .filter((o) => o.performerId !== performerId)
    .sort((a, b) => compareIds(a.performerId, b.performerId))
    .map((o) => ({
      ...o,
      centroid: unitOrThrow(o.centroid, dimension, `centroid of performer ${o.performerId}`),
    }));
  const feedback = sortedUnique(input.notSame, (f) => f.feedbackId, 'feedback').map((f) => ({
    ...f,
    faceEmbedding: unitOrThrow(f.faceEmbedding, dimension, `not-same feedback ${f.feedbackId}`),
  }));

  // 1–2. Quality, frames and coherence, per contribution.
  const prepared = contributions.map((c) => prepareContribution(c, dimension ?? 0, profiles, config));
  const units: { prepared: Prepared; unit: AgreementUnit }[] = [];
  for (const p of prepared)
    if (!p.failure && p.centre)
      units.push({
        prepared: p,
        unit: {
          contributionId: p.input.id,
          contributorId: p.input.contributorId,
          sceneId: p.input.sceneId,
          tier: p.standing.tier,
          weight: p.weight,
          bootstrapWeight:
            p.input.scenePerformerCount > 1
              ? p.weight * config.agreement.bootstrapMultiPerformerFactor
              : p.weight,
          centre: p.centre,
        },
      });

  // 3. Contributions that look like another performer (against the reference faces, if any) stay out of the vote.
  const nearestOther = new Map<string, NearestOther | null>();
  const anchorDistance = (v: Float32Array) =>
    anchors.length ? Math.min(...anchors.map((a) => unitDistance(v, a))) : null;
  const voting: typeof units = [];
  for (const u of units) {
    // A moderator's approval settles the look-alike question for that contribution.
    const other = u.prepared.input.moderatorApproved ? null : nearestOtherPerformer(u.unit.centre, others);
    nearestOther.set(u.unit.contributionId, other);
    if (!isCloserToOther(other, anchorDistance(u.unit.centre), config)) voting.push(u);
  }

  // 4. Agreement.
  const clusters = findAgreementClusters(
    voting.map((u) => u.unit),
    anchors,
    config,
  );
  const qualifies = (c: AgreementCluster) =>
    c.weight.total >= config.agreement.minWeight &&
    c.weight.distinctContributors >= config.agreement.minDistinctContributors;
  const eligible = clusters.filter((c) => anchors.length === 0 || c.anchored);
  const winner = eligible
    .filter(qualifies)
    .reduce<AgreementCluster | null>(
      (best, c) => (!best || c.weight.total > best.weight.total ? c : best),
      null,
    );
  const competitors = clusters.filter(
    (c) =>
      c !== winner &&
      qualifies(c) &&
      (!winner || c.weight.total >= config.agreement.competingShare * winner.weight.total),
  );

  const verdicts = new Map<string, Verdict>();
  const conflicts: ConflictRecord[] = [];
  let state: PerformerState = 'awaiting_agreement';
  let centroid: Float32Array | null = null;
  const summaryCluster = eligible[0] ?? clusters[0] ?? null;
  let summaryWeight = summaryCluster?.weight ?? null;
  let stateReason: string;

  const conflictCloser = (
    u: (typeof units)[number],
    other: NearestOther,
    own: number | null,
    reference: string,
  ) => {
    verdicts.set(u.unit.contributionId, {
      status: 'pending',
      code: 'conflict_closer_to_other_performer',
      reason:
        `faces lie ${fmt(other.distance)} from performer ${other.performerId}'s consensus, ` +
        (own === null
          ? `and ${performerId} has no reference yet`
          : `closer than to this performer's ${reference} (${fmt(own)})`),
      ...(own !== null && reference === 'consensus' ? { distance: own } : {}),
    });
    conflicts.push({
      kind: 'closer_to_other_performer',
      key: `closer_to_other_performer:${performerId}:${u.unit.contributionId}`,
      performerIds: [performerId, other.performerId],
      contributionIds: [u.unit.contributionId],
      contributorIds: [u.unit.contributorId],
      sceneIds: [u.unit.sceneId],
      blocking: true,
      summary: `contribution ${u.unit.contributionId} is credited to ${performerId} but looks like ${other.performerId}`,
      evidence: {
        creditedPerformerId: performerId,
        otherPerformerId: other.performerId,
        distanceToOther: other.distance,
        distanceToOwn: own,
        ownReference: own === null ? 'none' : reference,
        agreeDistance: config.agreement.agreeDistance,
        closerMargin: config.conflicts.closerMargin,
      },
    });
  };

  if (competitors.length > 0) {
    // Ambiguous: two strong groups, or a strong group that contradicts the reference faces.
    state = 'conflict';
    const disagreesWithAnchors = anchors.length > 0 && competitors.some((c) => !c.anchored);
    const kind = disagreesWithAnchors ? 'anchor_disagreement' : 'competing_consensus';
    const code: DecisionCode = disagreesWithAnchors
      ? 'conflict_anchor_disagreement'
      : 'conflict_competing_consensus';
    const involved = [winner, ...competitors].filter((c): c is AgreementCluster => c !== null);
    const describe = (c: AgreementCluster) => ({
      contributionIds: c.members.map((j) => voting[j]!.unit.contributionId),
      contributorIds: c.weight.contributorIds,
      weight: c.weight.total,
      anchorDistance: c.anchorDistance,
      agreesWithAnchors: c.anchored,
    });
    stateReason = disagreesWithAnchors
      ? `${competitors.length} group(s) reaching K disagree with the reference faces: held for a moderator`
      : `${involved.length} separate groups each reach K: held for a moderator`;
    conflicts.push({
      kind,
      key: `${kind}:${performerId}`,
      performerIds: [performerId],
      contributionIds: involved
        .flatMap((c) => c.members.map((j) => voting[j]!.unit.contributionId))
        .sort(compareIds),
      contributorIds: [...new Set(involved.flatMap((c) => c.weight.contributorIds))].sort(compareIds),
      sceneIds: [...new Set(involved.flatMap((c) => c.members.map((j) => voting[j]!.unit.sceneId)))].sort(
        compareIds,
      ),
      blocking: true,
      summary: stateReason,
      evidence: {
        groups: involved.map(describe),
        distanceBetweenFirstTwo:
          involved.length > 1 ? unitDistance(involved[0]!.centroid, involved[1]!.centroid) : null,
        minWeight: config.agreement.minWeight,
      },
    });
    for (const u of units) {
      const other = nearestOther.get(u.unit.contributionId) ?? null;
      if (isCloserToOther(other, anchorDistance(u.unit.centre), config))
        conflictCloser(u, other, anchorDistance(u.unit.centre), 'reference faces');
      else verdicts.set(u.unit.contributionId, { status: 'pending', code, reason: stateReason });
    }
  } else if (winner) {
    centroid = winner.centroid;
    for (const u of units) {
      const own = unitDistance(u.unit.centre, winner.centroid);
      const other = nearestOther.get(u.unit.contributionId) ?? null;
      if (isCloserToOther(other, own, config)) conflictCloser(u, other, own, 'consensus');
      else if (own <= config.agreement.agreeDistance)
        verdicts.set(u.unit.contributionId, {
          status: 'accepted',
          code: 'agrees',
          reason: `centre ${fmt(own)} from the consensus (≤ ${config.agreement.agreeDistance})`,
          distance: own,
        });
      else
        verdicts.set(u.unit.contributionId, {
          status: 'rejected',
          code: 'disagrees_with_consensus',
          reason: `centre ${fmt(own)} from the consensus (> ${config.agreement.agreeDistance})`,
          distance: own,
        });
    }
    // The consensus must still stand on the contributions it accepts.
    const accepted = units
      .filter((u) => verdicts.get(u.unit.contributionId)!.status === 'accepted')
      .map((u) => u.unit);
    summaryWeight = cappedWeight(accepted, winner.anchored, config);
    if (
      summaryWeight.total >= config.agreement.minWeight &&
      summaryWeight.distinctContributors >= config.agreement.minDistinctContributors
    ) {
      state = 'established';
      stateReason =
        `${summaryWeight.distinctContributors} account(s) agree with weight ${fmt(summaryWeight.total, 2)} ≥ ${config.agreement.minWeight}` +
        (winner.anchored ? ', with the reference faces' : ', without reference faces');
    } else {
      centroid = null;
      stateReason = `agreement weighs ${fmt(summaryWeight.total, 2)} of ${config.agreement.minWeight} once look-alikes are set aside`;
      for (const u of units) {
        const v = verdicts.get(u.unit.contributionId)!;
        if (v.code !== 'conflict_closer_to_other_performer')
          verdicts.set(u.unit.contributionId, {
            status: 'pending',
            code: 'awaiting_agreement',
            reason: stateReason,
          });
      }
    }
  } else {
    stateReason = summaryCluster
      ? `strongest ${anchors.length && !summaryCluster.anchored ? 'group (not matching the reference faces)' : 'group'} weighs ` +
        `${fmt(summaryCluster.weight.total, 2)} of ${config.agreement.minWeight} from ${summaryCluster.weight.distinctContributors} ` +
        `account(s)${summaryCluster.weight.notes.length ? ` (${summaryCluster.weight.notes.join('; ')})` : ''}`
      : 'no usable contribution yet';
    for (const u of units) {
      const other = nearestOther.get(u.unit.contributionId) ?? null;
      if (isCloserToOther(other, anchorDistance(u.unit.centre), config))
        conflictCloser(u, other, anchorDistance(u.unit.centre), 'reference faces');
      else
        verdicts.set(u.unit.contributionId, {
          status: 'pending',
          code: 'awaiting_agreement',
          reason: `awaiting agreement: ${stateReason}`,
        });
    }
  }

  // 5. Faces of accepted contributions: trusted near the centroid, then near a medoid of those.
  const faceDistance = new Map<string, number>();
  let medoids: Float32Array[] = [];
  if (state === 'established' && centroid) {
    const consensus = centroid;
    const acceptedFaces = units
      .filter((u) => verdicts.get(u.unit.contributionId)!.status === 'accepted')
      .flatMap((u) => u.prepared.kept.map((k) => ({ ...k, contributionId: u.unit.contributionId })));
    for (const f of acceptedFaces)
      faceDistance.set(faceKey(f.contributionId, f.face.id), unitDistance(f.embedding, consensus));
    const near = acceptedFaces.filter(
      (f) => faceDistance.get(faceKey(f.contributionId, f.face.id))! <= config.agreement.faceTrustDistance,
    );
    medoids = chooseMedoids(
      near.map((f) => f.embedding),
      consensus,
      config.agreement,
    );
    for (const f of acceptedFaces) {
      const key = faceKey(f.contributionId, f.face.id);
      for (const m of medoids)
        faceDistance.set(key, Math.min(faceDistance.get(key)!, unitDistance(f.embedding, m)));
    }
  }

  // 6. Not-same feedback against the trusted faces.
  const trustedRefs = units
    .filter((u) => state === 'established' && verdicts.get(u.unit.contributionId)!.status === 'accepted')
    .flatMap((u) =>
      u.prepared.kept
        .filter(
          (k) =>
            faceDistance.get(faceKey(u.unit.contributionId, k.face.id))! <=
            config.agreement.faceTrustDistance,
        )
        .map((k) => ({
          faceId: k.face.id,
          contributionId: u.unit.contributionId,
          contributorId: u.unit.contributorId,
          sceneId: u.unit.sceneId,
          embedding: k.embedding,
        })),
    );
  const notSame = evaluateNotSameFeedback(performerId, feedback, trustedRefs, profiles, config);
  conflicts.push(...notSame.conflicts);

  // Decisions, in contribution then face order.
  const faces: FaceDecision[] = [];
  const decisions: ContributionDecision[] = [];
  for (const p of prepared) {
    const verdict: Verdict = p.failure
      ? { status: 'rejected', ...p.failure }
      : (verdicts.get(p.input.id) ?? {
          status: 'pending',
          code: 'awaiting_agreement',
          reason: 'not examined',
        });
    decisions.push({
      contributionId: p.input.id,
      contributorId: p.input.contributorId,
      sceneId: p.input.sceneId,
      status: verdict.status,
      code: verdict.code,
      reason: verdict.reason,
      weight: p.weight,
      tier: p.standing.tier,
      centre: p.centre,
      ...(verdict.distance !== undefined ? { distance: verdict.distance } : {}),
      keptFaces: p.kept.length,
    });
    for (const face of p.faces) {
      const early = p.early.get(face.id);
      if (early) {
        faces.push(early);
        continue;
      }
      const base = { faceId: face.id, contributionId: p.input.id };
      if (verdict.status !== 'accepted') {
        faces.push({
          ...base,
          status: verdict.status === 'rejected' ? 'rejected' : 'pending',
          code: verdict.code,
          reason: verdict.reason,
        });
        continue;
      }
      const distance = faceDistance.get(faceKey(p.input.id, face.id))!;
      if (distance > config.agreement.faceTrustDistance)
        faces.push({
          ...base,
          status: 'rejected',
          code: 'far_from_consensus',
          reason: `face ${fmt(distance)} from the consensus and its medoids (> ${config.agreement.faceTrustDistance})`,
          distance,
        });
      else if (notSame.blockedFaceIds.has(face.id))
        faces.push({
          ...base,
          status: 'pending',
          code: 'conflict_not_same_feedback',
          reason: `held back: not-same feedback ${notSame.feedbackByFace.get(face.id)!.join(', ')} contradicts it`,
          distance,
        });
      else
        faces.push({
          ...base,
          status: 'trusted',
          code: 'trusted',
          reason: `face ${fmt(distance)} from the consensus (≤ ${config.agreement.faceTrustDistance})`,
          distance,
        });
    }
  }

  const count = (status: FaceDecision['status']) => faces.filter((f) => f.status === status).length;
  return {
    performerId,
    state,
    faces,
    contributions: decisions,
    centroid,
    medoids,
    conflicts: conflicts.sort((a, b) => compareIds(a.key, b.key)),
    summary: {
      trusted: count('trusted'),
      rejected: count('rejected'),
      pending: count('pending'),
      contributorsAgreeing: summaryWeight?.distinctContributors ?? 0,
      weight: summaryWeight?.total ?? 0,
      anchored: anchors.length > 0,
      reason: stateReason,
    },
  };
}

function prepareContribution(
  c: ConsensusContributionInput,
  dimension: number,
  profiles: ReadonlyMap<string, ContributorProfile>,
  config: ConsensusConfig,
): Prepared {
  const standing = contributorStanding(profiles.get(c.contributorId), config);
  const weight = standing.weight * (c.verified ? 1 : config.contributors.unverifiedFactor);
  const faces = sortedUnique(c.faces, (f) => f.id, `face of contribution ${c.id}`);
  const early = new Map<string, FaceDecision>();
  const reject = (face: ConsensusFaceInput, code: DecisionCode, reason: string) =>
    early.set(face.id, { faceId: face.id, contributionId: c.id, status: 'rejected', code, reason });
  const prepared: Prepared = {
    input: c,
    faces,
    standing,
    weight,
    early,
    kept: [],
    centre: null,
    failure: null,
  };
  const fail = (code: DecisionCode, reason: string, remaining: readonly UsableFace[]) => {
    for (const u of remaining) reject(u.face, code, reason);
    prepared.failure = { code, reason };
    return prepared;
  };

  const usable: UsableFace[] = [];
  for (const face of faces) {
    const check = checkFace(face, dimension, config.quality);
    if (check.ok) usable.push({ face, embedding: check.embedding });
    else reject(face, check.code, check.reason);
  }
  const framesBefore = checkFrames(
    usable.map((u) => u.face),
    config.quality,
  );
  if (framesBefore) {
    const dropped = faces.length - usable.length;
    return fail(
      framesBefore.code,
      framesBefore.reason + (dropped ? ` (${dropped} face(s) failed the quality rules)` : ''),
      usable,
    );
  }

  const cluster = findMainCluster(
    usable.map((u) => u.embedding),
    config.coherence,
  );
  if (cluster.share < config.coherence.minMainClusterShare)
    return fail(
      'incoherent',
      `the largest tight cluster holds ${fmt(100 * cluster.share, 0)}% of ${usable.length} usable faces ` +
        `(< ${fmt(100 * config.coherence.minMainClusterShare, 0)}%): the faces mix identities`,
      usable,
    );
  for (const i of cluster.outliers) {
    const u = usable[i]!;
    reject(
      u.face,
      'coherence_outlier',
      `face ${fmt(unitDistance(u.embedding, cluster.centre!))} from its contribution's cluster centre (> ${config.coherence.outlierDistance})`,
    );
  }
  const kept = cluster.kept.map((i) => usable[i]!);
  const framesAfter = checkFrames(
    kept.map((u) => u.face),
    config.quality,
  );
  if (framesAfter)
    return fail(framesAfter.code, `${framesAfter.reason} after dropping coherence outliers`, kept);
  prepared.kept = kept;
  prepared.centre = cluster.centre;
  return prepared;
}

function faceKey(contributionId: string, faceId: string): string {
  return `${contributionId}\u0000${faceId}`;
}

function indexProfiles(profiles: readonly ContributorProfile[]): Map<string, ContributorProfile> {
  const out = new Map<string, ContributorProfile>();
  for (const p of profiles) {
    if (out.has(p.id))
      throw new Error(`contributor ${p.id} is listed twice in contributors: pass one profile per account`);
    out.set(p.id, p);
  }
  return out;
}

function sortedUnique<T>(items: readonly T[], id: (item: T) => string, what: string): T[] {
  const sorted = [...items].sort((a, b) => compareIds(id(a), id(b)));
  for (let i = 1; i < sorted.length; i++)
    if (id(sorted[i]!) === id(sorted[i - 1]!))
      throw new Error(`${what} id ${id(sorted[i]!)} appears twice: ids must be unique`);
  return sorted;
}

/** A unit copy of a reference vector of the performer's dimension; throws when it cannot be one. */
function unitOrThrow(v: Float32Array, dimension: number | null, what: string): Float32Array {
  if (dimension !== null && v.length !== dimension)
    throw new RangeError(
      `${what} has ${v.length} values but the performer's faces have ${dimension}: pass references of the same embedding model`,
    );
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0)
    throw new RangeError(`${what} is zero or holds non-finite values`);
  return Math.abs(norm - 1) > 1e-3 ? Float32Array.from(v, (x) => x / norm) : v;
}
