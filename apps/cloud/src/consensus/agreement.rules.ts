// Agreement: which contributions agree with each other, and how much weight a group of them carries once the
// anti-poisoning caps are applied (one vote per account, near-identical submissions count once, new accounts capped
// together, one scene capped).
import type { ConsensusConfig } from './consensus.config.js';
import type { ContributorTier } from './consensus.types.js';
import { compareIds, evenSample, unitDistance, weightedUnitCentroid } from './unit-vectors.js';

/** A coherent contribution, ready to vote. */
export interface AgreementUnit {
  contributionId: string;
  contributorId: string;
  sceneId: string;
  tier: ContributorTier;
  /** Tier weight × verified factor. */
  weight: number;
  /** What the unit weighs towards a consensus without reference faces (multi-performer scenes count less). */
  bootstrapWeight: number;
  /** Unit centroid of the contribution's kept faces. */
  centre: Float32Array;
}

export interface CappedWeight {
  /** Weight after every cap, the anchor's weight included when `anchored`. */
  total: number;
  /** Accounts that still weigh something after the caps. */
  distinctContributors: number;
  contributorIds: string[];
  /** How the caps changed the sum, in words. */
  notes: string[];
}

type AgreementConfig = Pick<ConsensusConfig, 'agreement' | 'contributors'>;

/**
 * The weight a set of agreeing units carries:
 * 1. each account counts once, with its heaviest unit;
 * 2. near-identical units (chains of centres each within `nearDuplicateDistance` of the next) weigh at most
 *    `maxNearDuplicateWeight` together, scaled down evenly;
 * 3. probation accounts together weigh at most `maxProbationWeight` (`maxProbationWeightAnchored` when the set agrees
 *    with the performer's reference faces), scaled down evenly;
 * 4. one scene weighs at most `maxSceneWeight`;
 * 5. agreeing reference faces add `anchorWeight`.
 * `anchored` also selects `weight` over `bootstrapWeight` (see agreement.bootstrapMultiPerformerFactor).
 * `dedupe: false` skips step 2 (quadratic in the accounts): used only to rank cluster seeds, never to decide.
 */
export function cappedWeight(
  units: readonly AgreementUnit[],
  anchored: boolean,
  config: AgreementConfig,
  dedupe = true,
): CappedWeight {
  const notes: string[] = [];
  const weightOf = (u: AgreementUnit) => (anchored ? u.weight : u.bootstrapWeight);
  const byHeaviest = (a: AgreementUnit, b: AgreementUnit) =>
    weightOf(b) - weightOf(a) || compareIds(a.contributionId, b.contributionId);

  // 1. One vote per account.
  const best = new Map<string, AgreementUnit>();
  for (const u of units) {
    const current = best.get(u.contributorId);
    if (!current || byHeaviest(u, current) < 0) best.set(u.contributorId, u);
  }
  const voters = [...best.values()].sort(byHeaviest);
  if (voters.length < units.length)
    notes.push(`${units.length - voters.length} repeat contribution(s) of the same accounts not counted`);

  const weights = new Map(voters.map((u) => [u.contributionId, weightOf(u)]));
  const capGroup = (members: readonly AgreementUnit[], cap: number): number => {
    const sum = members.reduce((s, u) => s + weights.get(u.contributionId)!, 0);
    if (sum > cap)
      for (const u of members) weights.set(u.contributionId, (weights.get(u.contributionId)! * cap) / sum);
    return sum;
  };

  // 2. Near-identical submissions from different accounts share one capped budget. Groups are linked chains
  //    (single linkage): subsets of one pool of faces all end up in one group, however they were drawn.
  if (dedupe) {
    const groupOf = linkedGroups(voters, config.agreement.nearDuplicateDistance);
    const groups = new Map<number, AgreementUnit[]>();
    voters.forEach((u, i) => groups.set(groupOf[i]!, [...(groups.get(groupOf[i]!) ?? []), u]));
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      const sum = capGroup(g, config.agreement.maxNearDuplicateWeight);
      if (sum > config.agreement.maxNearDuplicateWeight)
        notes.push(
          `${g.length} near-identical submissions capped at ${config.agreement.maxNearDuplicateWeight} (had ${round(sum)})`,
        );
    }
  }

  // 3. Probation accounts share one capped budget.
  const probationCap = anchored
    ? config.contributors.maxProbationWeightAnchored
    : config.contributors.maxProbationWeight;
  const probationSum = capGroup(
    voters.filter((u) => u.tier === 'probation'),
    probationCap,
  );
  if (probationSum > probationCap)
    notes.push(`new accounts capped at ${probationCap} (had ${round(probationSum)})`);

  // 4. One scene carries at most maxSceneWeight.
  const perScene = new Map<string, number>();
  for (const u of voters)
    perScene.set(u.sceneId, (perScene.get(u.sceneId) ?? 0) + weights.get(u.contributionId)!);
  let total = 0;
  for (const [sceneId, sum] of [...perScene].sort((a, b) => compareIds(a[0], b[0]))) {
    if (sum > config.agreement.maxSceneWeight)
      notes.push(`scene ${sceneId} capped at ${config.agreement.maxSceneWeight} (had ${round(sum)})`);
    total += Math.min(sum, config.agreement.maxSceneWeight);
  }

  // 5. Reference faces.
  if (anchored) total += config.agreement.anchorWeight;
  // Scaling leaves float dust (1.9999999999999998): weights are compared with K, so round it away.
  total = Math.round(total * 1e9) / 1e9;

  const contributorIds = voters
    .filter((u) => weights.get(u.contributionId)! > 0)
    .map((u) => u.contributorId)
    .sort(compareIds);
  return { total, distinctContributors: contributorIds.length, contributorIds, notes };
}

export interface AgreementCluster {
  /** Indices into the units, ascending. */
  members: number[];
  /** Weighted unit centroid of the members' centres. */
  centroid: Float32Array;
  /** Distance from the centroid to the nearest reference face; null without reference faces. */
  anchorDistance: number | null;
  /** Agrees with the reference faces. */
  anchored: boolean;
  weight: CappedWeight;
}

/**
 * Groups units into agreeing clusters, strongest first, by peeling: among the remaining units, the seed is the one whose
 * neighbourhood (centres within `agreeDistance`) carries the most capped weight (ties: more accounts, then the lower
 * contribution id; at most `maxSeedCandidates` seeds tried, spread evenly); the cluster is every remaining unit within
 * `agreeDistance` of the weighted centroid of that neighbourhood, re-centred twice. Up to `maxClusters` clusters.
 * Units must be sorted by contribution id: the result then does not depend on input order.
 */
export function findAgreementClusters(
  units: readonly AgreementUnit[],
  anchors: readonly Float32Array[],
  config: AgreementConfig,
): AgreementCluster[] {
  const a = config.agreement;
  const anchorDistanceOf = (v: Float32Array): number | null =>
    anchors.length ? Math.min(...anchors.map((x) => unitDistance(v, x))) : null;
  const isAnchored = (d: number | null) => d !== null && d <= a.anchorAgreeDistance;
  const clusters: AgreementCluster[] = [];
  // Distances from a seed to every unit, computed once per seed and reused while peeling.
  const rows = new Map<number, Float64Array>();
  const row = (seed: number): Float64Array => {
    let r = rows.get(seed);
    if (!r) {
      r = Float64Array.from(units, (u) => unitDistance(units[seed]!.centre, u.centre));
      rows.set(seed, r);
    }
    return r;
  };
  let remaining = units.map((_, i) => i);
  while (remaining.length > 0 && clusters.length < a.maxClusters) {
    let bestSeed = -1;
    let bestScore: CappedWeight | null = null;
    let bestNeighbours: number[] = [];
    for (const k of evenSample(remaining.length, a.maxSeedCandidates)) {
      const seed = remaining[k]!;
      const distances = row(seed);
      const neighbours = remaining.filter((j) => distances[j]! <= a.agreeDistance);
      const score = cappedWeight(
        neighbours.map((j) => units[j]!),
        isAnchored(anchorDistanceOf(units[seed]!.centre)),
        config,
        false,
      );
      if (
        !bestScore ||
        score.total > bestScore.total ||
        (score.total === bestScore.total && score.distinctContributors > bestScore.distinctContributors)
      ) {
        bestSeed = seed;
        bestScore = score;
        bestNeighbours = neighbours;
      }
    }
    let members = bestNeighbours;
    let centroid = centreOf(units, members) ?? units[bestSeed]!.centre;
    for (let round = 0; round < 2; round++) {
      const next = remaining.filter((j) => unitDistance(units[j]!.centre, centroid) <= a.agreeDistance);
      members = next.length ? next : [bestSeed];
      centroid = centreOf(units, members) ?? units[bestSeed]!.centre;
    }
    const anchorDistance = anchorDistanceOf(centroid);
    const anchored = isAnchored(anchorDistance);
    clusters.push({
      members,
      centroid,
      anchorDistance,
      anchored,
      weight: cappedWeight(
        members.map((j) => units[j]!),
        anchored,
        config,
      ),
    });
    const taken = new Set(members);
    remaining = remaining.filter((j) => !taken.has(j));
  }
  return clusters;
}

/** Centroid of the members' centres weighted by their weight (unweighted when they all weigh nothing). */
function centreOf(units: readonly AgreementUnit[], members: readonly number[]): Float32Array | null {
  const centres = members.map((j) => units[j]!.centre);
  return (
    weightedUnitCentroid(
      centres,
      members.map((j) => units[j]!.weight),
    ) ?? weightedUnitCentroid(centres)
  );
}

/** Union-find over every pair closer than `distance`: the group (root index) of each unit. */
function linkedGroups(units: readonly AgreementUnit[], distance: number): number[] {
  const parent = units.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < units.length; i++)
    for (let j = i + 1; j < units.length; j++)
      if (unitDistance(units[i]!.centre, units[j]!.centre) < distance) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
  return units.map((_, i) => find(i));
}

function round(x: number): string {
  return (Math.round(x * 100) / 100).toString();
}
