// Runs the consensus rules round by round over a synthetic world (world.ts) the way the cloud's workers would:
// contributions arrive, every touched performer is re-decided with the current reputations and the other performers'
// centroids of the previous round, swaps are looked for per scene, and reputations are recomputed from the outcomes.
import {
  CONSENSUS_DEFAULTS,
  contributorStanding,
  decidePerformer,
  detectSwaps,
  tallyContributorFaces,
  updateReputation,
  type ConflictKind,
  type ConsensusConfig,
  type PerformerConsensusResult,
} from '../../apps/cloud/src/consensus/consensus.rules.js';
import { World, type Account, type SimContribution, type WorldSettings } from './world.js';

export interface RunMetrics {
  attack: string;
  maliciousShare: number;
  attackers: number;
  rounds: number;
  contributions: { honest: number; attacker: number };
  trustedFaces: number;
  /** Trusted faces whose real identity is not the credited performer, over all trusted faces. */
  poisonedShare: number;
  poisonedFromAttackers: number;
  poisonedFromHonestMistakes: number;
  /** Among the attacked performers (sybil targets / swap scenes' performers) only. */
  targets: { performers: number; established: number; trustedFaces: number; poisonedShare: number };
  /** Honest accounts' right faces that pass the quality rules: share trusted at the end. */
  honestAccepted: number;
  /** The same, counting only performers that reached a consensus. */
  honestAcceptedEstablished: number;
  performers: { withContributions: number; established: number; inConflict: number };
  timeToConsensus: {
    medianRounds: number | null;
    p90Rounds: number | null;
    medianContributions: number | null;
    p90Contributions: number | null;
  };
  flagged: { attackers: number; honest: number };
  conflicts: Partial<Record<ConflictKind, number>>;
  swapsDetected: { records: number; attackerAccountsCaught: number };
  timing: { decideMsTotal: number; decideMsPerPerformer: number; decideMsMax: number; facesMax: number };
}

export function simulate(
  settings: WorldSettings,
  rounds: number,
  config: ConsensusConfig = CONSENSUS_DEFAULTS,
): RunMetrics {
  const world = new World(settings);
  const contributionsOf: SimContribution[][] = Array.from({ length: settings.performers }, () => []);
  const all: SimContribution[] = [];
  const firstEstablished = new Map<number, { round: number; contributions: number }>();
  let results = new Map<number, PerformerConsensusResult>();
  let decideMsTotal = 0;
  let decideMsMax = 0;
  let decideCalls = 0;
  let facesMax = 0;
  const refreshProfiles = (tallies: Map<string, { trustedFaces: number; disagreedFaces: number }>) => {
    for (const a of world.accounts) {
      const t = tallies.get(a.id);
      a.profile = updateReputation(
        {
          contributorId: a.id,
          accountAgeDays: a.ageDays,
          trustedFaces: a.historyTrusted + (t?.trustedFaces ?? 0),
          disagreedFaces: a.historyDisagreed + (t?.disagreedFaces ?? 0),
          moderatorApproved: 0,
          moderatorRejected: 0,
        },
        config,
      ).profile;
    }
  };
  refreshProfiles(new Map());

  const add = (c: SimContribution) => {
    contributionsOf[c.performer]!.push(c);
    all.push(c);
  };

  for (let round = 1; round <= rounds; round++) {
    // Honest accounts (and, between attacks, attackers keeping up appearances) contribute.
    for (const account of world.accounts) {
      if (account.attacker) attack(world, account, round, add);
      else for (let k = 0; k < settings.scenesPerRound; k++) honestScene(world, account, round, add);
    }

    // Decide every performer with contributions, with last round's centroids of its scene partners.
    const previous = results;
    results = new Map();
    for (let p = 0; p < settings.performers; p++) {
      const contributions = contributionsOf[p]!;
      if (contributions.length === 0) continue;
      const partners = new Set<number>();
      for (const c of contributions)
        for (const q of world.scenes[sceneIndex(c.sceneId)]!.performers) if (q !== p) partners.add(q);
      const otherPerformers = [...partners]
        .map((q) => ({ q, centroid: previous.get(q)?.centroid ?? null }))
        .filter((x): x is { q: number; centroid: Float32Array } => x.centroid !== null)
        .map(({ q, centroid }) => ({ performerId: performerId(q), centroid }));
      const contributorIds = new Set(contributions.map((c) => c.contributorId));
      const started = performance.now();
      const result = decidePerformer(
        {
          performerId: performerId(p),
          contributions,
          contributors: world.accounts.filter((a) => contributorIds.has(a.id)).map((a) => a.profile),
          anchors: world.anchors[p]!,
          otherPerformers,
          notSame: [],
        },
        config,
      );
      const ms = performance.now() - started;
      decideMsTotal += ms;
      decideMsMax = Math.max(decideMsMax, ms);
      decideCalls++;
      facesMax = Math.max(
        facesMax,
        contributions.reduce((n, c) => n + c.faces.length, 0),
      );
      results.set(p, result);
      if (result.summary.trusted > 0 && !firstEstablished.has(p))
        firstEstablished.set(p, { round, contributions: contributions.length });
    }

    // Reputation from this round's outcomes (current totals, idempotent), then a week passes.
    const tallies = new Map(tallyContributorFaces([...results.values()]).map((t) => [t.contributorId, t]));
    for (const a of world.accounts) a.ageDays += 7;
    refreshProfiles(tallies);
  }

  // Swaps, per multi-performer scene, on the final state.
  const centres = new Map<string, Float32Array | null>();
  for (const r of results.values()) for (const c of r.contributions) centres.set(c.contributionId, c.centre);
  const byScene = new Map<string, SimContribution[]>();
  for (const c of all) byScene.set(c.sceneId, [...(byScene.get(c.sceneId) ?? []), c]);
  let swapRecords = 0;
  const caught = new Set<string>();
  for (const [sceneId, list] of byScene) {
    const scene = world.scenes[sceneIndex(sceneId)]!;
    if (scene.performers.length < 2) continue;
    const records = detectSwaps(
      {
        sceneId,
        performers: scene.performers.map((p) => ({
          performerId: performerId(p),
          centroid: results.get(p)?.centroid ?? null,
        })),
        contributions: list.map((c) => ({
          contributionId: c.id,
          contributorId: c.contributorId,
          performerId: performerId(c.performer),
          centre: centres.get(c.id) ?? null,
        })),
      },
      config,
    );
    swapRecords += records.length;
    for (const r of records) for (const id of r.contributorIds) if (id.startsWith('attacker')) caught.add(id);
  }

  // Metrics.
  const truthOf = new Map<
    string,
    { truth: number; performer: number; attacker: boolean; passesQuality: boolean }
  >();
  for (const c of all)
    for (const f of c.faces)
      truthOf.set(f.id, {
        truth: f.truth,
        performer: c.performer,
        attacker: c.byAttacker,
        passesQuality:
          f.detectorScore >= config.quality.minDetectorScore &&
          f.sizePx >= config.quality.minSizePx &&
          f.quality >= config.quality.minQuality,
      });
  const targetPerformers = new Set<number>(
    settings.attack === 'targeted-swap'
      ? world.swapTargets.flatMap((s) => world.scenes[s]!.performers)
      : settings.attack.startsWith('sybil')
        ? world.sybilTargets.map((t) => t.performer)
        : [],
  );
  let trusted = 0;
  let poisonedAttack = 0;
  let poisonedHonest = 0;
  let targetTrusted = 0;
  let targetPoisoned = 0;
  let honestRight = 0;
  let honestRightTrusted = 0;
  let honestRightEstablished = 0;
  let honestRightEstablishedTrusted = 0;
  const conflicts: Partial<Record<ConflictKind, number>> = {};
  for (const [p, r] of results) {
    for (const c of r.conflicts) conflicts[c.kind] = (conflicts[c.kind] ?? 0) + 1;
    const established = r.state === 'established';
    for (const f of r.faces) {
      const t = truthOf.get(f.faceId)!;
      const right = t.truth === p;
      if (f.status === 'trusted') {
        trusted++;
        if (targetPerformers.has(p)) targetTrusted++;
        if (!right) {
          if (t.attacker) poisonedAttack++;
          else poisonedHonest++;
          if (targetPerformers.has(p)) targetPoisoned++;
        }
      }
      if (!t.attacker && right && t.passesQuality) {
        honestRight++;
        if (f.status === 'trusted') honestRightTrusted++;
        if (established) {
          honestRightEstablished++;
          if (f.status === 'trusted') honestRightEstablishedTrusted++;
        }
      }
    }
  }
  const rounds1 = [...firstEstablished.values()].map((x) => x.round).sort((a, b) => a - b);
  const contributions1 = [...firstEstablished.values()].map((x) => x.contributions).sort((a, b) => a - b);
  const attackersList = world.accounts.filter((a) => a.attacker);
  const honestList = world.accounts.filter((a) => !a.attacker);
  const flaggedShare = (list: Account[]) =>
    list.length ? list.filter((a) => isFlagged(a, config)).length / list.length : 0;
  return {
    attack: settings.attack,
    maliciousShare: settings.maliciousShare,
    attackers: attackersList.length,
    rounds,
    contributions: {
      honest: all.filter((c) => !c.byAttacker).length,
      attacker: all.filter((c) => c.byAttacker).length,
    },
    trustedFaces: trusted,
    poisonedShare: trusted ? (poisonedAttack + poisonedHonest) / trusted : 0,
    poisonedFromAttackers: poisonedAttack,
    poisonedFromHonestMistakes: poisonedHonest,
    targets: {
      performers: targetPerformers.size,
      established: [...targetPerformers].filter((p) => results.get(p)?.state === 'established').length,
      trustedFaces: targetTrusted,
      poisonedShare: targetTrusted ? targetPoisoned / targetTrusted : 0,
    },
    honestAccepted: honestRight ? honestRightTrusted / honestRight : 0,
    honestAcceptedEstablished: honestRightEstablished
      ? honestRightEstablishedTrusted / honestRightEstablished
      : 0,
    performers: {
      withContributions: results.size,
      established: [...results.values()].filter((r) => r.state === 'established').length,
      inConflict: [...results.values()].filter((r) => r.state === 'conflict').length,
    },
    timeToConsensus: {
      medianRounds: quantile(rounds1, 0.5),
      p90Rounds: quantile(rounds1, 0.9),
      medianContributions: quantile(contributions1, 0.5),
      p90Contributions: quantile(contributions1, 0.9),
    },
    flagged: { attackers: flaggedShare(attackersList), honest: flaggedShare(honestList) },
    conflicts,
    swapsDetected: { records: swapRecords, attackerAccountsCaught: caught.size },
    timing: {
      decideMsTotal,
      decideMsPerPerformer: decideCalls ? decideMsTotal / decideCalls : 0,
      decideMsMax,
      facesMax,
    },
  };
}

function isFlagged(a: Account, config: ConsensusConfig): boolean {
  return contributorStanding(a.profile, config).tier === 'flagged';
}

const performerId = (p: number) => `performer${String(p).padStart(4, '0')}`;
const sceneIndex = (sceneId: string) => Number(sceneId.slice('scene'.length));

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** One honest account contributes one scene it has not contributed yet: one contribution per credited performer. */
function honestScene(world: World, account: Account, round: number, add: (c: SimContribution) => void): void {
  const { rng, settings } = world;
  let scene = world.pickScene();
  for (let tries = 0; account.done.has(world.scenes[scene]!.id) && tries < 20; tries++)
    scene = world.pickScene();
  const sc = world.scenes[scene]!;
  if (account.done.has(sc.id)) return;
  account.done.add(sc.id);
  for (const p of sc.performers) {
    const n = 6 + rng.int(25);
    const partners = sc.performers.filter((q) => q !== p);
    let identityOf = (_k: number) => p;
    if (rng.chance(settings.mistakeRate)) {
      const r = rng.next();
      const partner = partners.length ? rng.pick(partners) : null;
      if (partner !== null && r < 0.5)
        identityOf = () => partner; // credited the partner's face cluster
      else if (r < 0.75) {
        const intruder = partner ?? world.randomOutsider(); // bad clustering: a quarter of another face
        identityOf = (k) => (k % 4 === 3 ? intruder : p);
      } else {
        const extra = world.randomOutsider(); // an uncredited extra's faces
        identityOf = () => extra;
      }
    }
    const faces = Array.from({ length: n }, (_, k) => {
      const truth = identityOf(k);
      return { truth, embedding: world.faceOf(scene, truth) };
    });
    add(world.contribution(account, scene, p, round, faces));
  }
}

function attack(world: World, account: Account, round: number, add: (c: SimContribution) => void): void {
  const { rng, settings } = world;
  switch (settings.attack) {
    case 'random-labels': {
      // Random scenes, every credited performer given the faces of somebody else.
      for (let k = 0; k < settings.scenesPerRound; k++) {
        const scene = rng.int(world.scenes.length);
        const sc = world.scenes[scene]!;
        if (account.done.has(sc.id)) continue;
        account.done.add(sc.id);
        for (const p of sc.performers) {
          const wrong = rng.chance(0.5)
            ? world.randomOutsider()
            : (p + 1 + rng.int(settings.performers - 1)) % settings.performers;
          const faces = Array.from({ length: 6 + rng.int(25) }, () => ({
            truth: wrong,
            embedding: world.faceOf(scene, wrong),
          }));
          add(world.contribution(account, scene, p, round, faces));
        }
      }
      return;
    }
    case 'targeted-swap': {
      // The target scenes, each performer credited with the other's faces; otherwise honest work for reputation.
      for (const scene of world.swapTargets) {
        const sc = world.scenes[scene]!;
        if (account.done.has(sc.id)) continue;
        account.done.add(sc.id);
        const [p1, p2] = sc.performers as [number, number];
        for (const [credited, shown] of [
          [p1, p2],
          [p2, p1],
        ] as const) {
          const faces = Array.from({ length: 6 + rng.int(25) }, () => ({
            truth: shown,
            embedding: world.faceOf(scene, shown),
          }));
          add(world.contribution(account, scene, credited, round, faces));
        }
      }
      honestScene(world, account, round, add);
      return;
    }
    case 'sybil-swarm':
    case 'sybil-farmed':
    case 'sybil-distinct': {
      // Every sybil pushes the same wrong faces (subsets of one pool, lightly jittered) onto each target.
      for (const target of world.sybilTargets) {
        const options = world.scenesOf[target.performer]!.filter(
          (s) => !account.done.has(`${world.scenes[s]!.id}:${target.performer}`),
        );
        if (options.length === 0) continue;
        const scene = rng.pick(options);
        account.done.add(`${world.scenes[scene]!.id}:${target.performer}`);
        const faces = Array.from({ length: 12 }, () => ({
          truth: target.identity,
          embedding:
            settings.attack === 'sybil-distinct'
              ? world.faceOfAccount(account, target.identity)
              : jitter(rng.pick(target.pool), rng),
        }));
        add(world.contribution(account, scene, target.performer, round, faces));
      }
      return;
    }
    case 'none':
      return;
  }
}

function jitter(v: Float32Array, rng: World['rng']): Float32Array {
  const out = Float32Array.from(v, (x) => x + 0.003 * rng.gaussian());
  let n = 0;
  for (const x of out) n += x * x;
  n = Math.sqrt(n);
  return out.map((x) => x / n);
}
