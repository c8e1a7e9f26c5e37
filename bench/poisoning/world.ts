// The synthetic world of the poisoning benchmark: performers and outsiders as embedding clusters (geometry fitted to the
// real embedder, see apps/cloud/src/consensus/testing/synthetic-embeddings.ts), stash-box scenes with 1–3 performers,
// honest accounts that mostly contribute the right faces, and attackers. Everything is drawn from one seeded RNG.
import type {
  ConsensusContributionInput,
  ConsensusFaceInput,
  ContributorProfile,
} from '../../apps/cloud/src/consensus/consensus.rules.js';
import {
  Rng,
  identityCentre,
  sampleFace,
  samplePhoto,
  sessionLook,
} from '../../apps/cloud/src/consensus/testing/synthetic-embeddings.js';

/**
 * - random-labels: established (reputation-farmed) accounts credit random scenes' performers with somebody else's faces;
 * - targeted-swap: established accounts swap the two performers of a few chosen scenes, and work honestly otherwise;
 * - sybil-swarm: brand-new accounts all push the same wrong faces (one pool, subsets, jittered) onto a few performers;
 * - sybil-farmed: the same with established accounts (each farmed its reputation first);
 * - sybil-distinct: established accounts, each with its own footage of the wrong person (no shared faces): the limit.
 */
export type AttackKind =
  'none' | 'random-labels' | 'targeted-swap' | 'sybil-swarm' | 'sybil-farmed' | 'sybil-distinct';

export interface WorldSettings {
  seed: number;
  performers: number;
  /** Identities that are no performer (strangers, extras, the faces attackers push). */
  outsiders: number;
  scenes: number;
  accounts: number;
  maliciousShare: number;
  attack: AttackKind;
  /** Share of performers with one stash-box promo photo (the rest: none, JAV-style). */
  anchoredShare: number;
  /** Share of honest accounts that are established when the simulation starts (the rest are new). */
  establishedShare: number;
  /** Scenes each honest account contributes per round. */
  scenesPerRound: number;
  /** Chance that an honest contribution holds a natural mistake. */
  mistakeRate: number;
  /** Share of contributions that are fingerprint-verified. */
  verifiedShare: number;
  /** Performers the sybil swarm targets, and scenes the swap attackers target. */
  targets: number;
}

export const WORLD_DEFAULTS: Omit<WorldSettings, 'maliciousShare' | 'attack'> = {
  seed: 1,
  performers: 150,
  outsiders: 100,
  scenes: 600,
  accounts: 120,
  anchoredShare: 0.7,
  establishedShare: 0.7,
  scenesPerRound: 2,
  mistakeRate: 0.06,
  verifiedShare: 0.9,
  targets: 6,
};

export interface SimFace extends ConsensusFaceInput {
  /** The identity the face really shows (performer index, or performers + outsider index). */
  truth: number;
}

export interface SimContribution extends ConsensusContributionInput {
  performer: number;
  round: number;
  byAttacker: boolean;
  faces: SimFace[];
}

export interface Account {
  id: string;
  attacker: boolean;
  ageDays: number;
  /** Decided faces before the simulation (what the account did earlier). */
  historyTrusted: number;
  historyDisagreed: number;
  profile: ContributorProfile;
  /** `${sceneId}` already contributed (one contribution per account × scene × performer). */
  done: Set<string>;
}

export interface Scene {
  id: string;
  performers: number[];
  weight: number;
}

export class World {
  readonly rng: Rng;
  readonly centres: Float32Array[];
  readonly anchors: Float32Array[][];
  readonly popularity: number[];
  readonly scenes: Scene[];
  readonly scenesOf: number[][];
  readonly accounts: Account[];
  /** Sybil targets (performer indices) and their wrong identity with its pool of faces. */
  readonly sybilTargets: { performer: number; identity: number; pool: Float32Array[] }[] = [];
  /** Scenes the swap attackers target (two-performer scenes). */
  readonly swapTargets: number[] = [];
  private readonly looks = new Map<string, Float32Array>();
  private readonly sceneCumulative: number[];
  private faceSerial = 0;
  private contributionSerial = 0;

  constructor(readonly settings: WorldSettings) {
    const s = settings;
    this.rng = new Rng(s.seed);
    const identities = s.performers + s.outsiders;
    this.centres = Array.from({ length: identities }, () => identityCentre(this.rng));
    this.anchors = Array.from({ length: s.performers }, (_, p) =>
      this.rng.chance(s.anchoredShare) ? [samplePhoto(this.rng, this.centres[p]!)] : [],
    );
    // Zipf-like popularity: a few performers appear in many scenes and libraries.
    const order = this.rng.shuffle(Array.from({ length: s.performers }, (_, i) => i));
    this.popularity = new Array<number>(s.performers);
    order.forEach((p, rank) => (this.popularity[p] = 1 / Math.pow(rank + 1, 0.8)));
    const performerCumulative = cumulative(this.popularity);
    this.scenes = Array.from({ length: s.scenes }, (_, i) => {
      const r = this.rng.next();
      const count = r < 0.55 ? 1 : r < 0.9 ? 2 : 3;
      const performers = new Set<number>();
      while (performers.size < count) performers.add(sampleCumulative(this.rng, performerCumulative));
      const list = [...performers].sort((a, b) => a - b);
      return {
        id: `scene${String(i).padStart(4, '0')}`,
        performers: list,
        weight: Math.max(...list.map((p) => this.popularity[p]!)),
      };
    });
    this.sceneCumulative = cumulative(this.scenes.map((sc) => sc.weight));
    this.scenesOf = Array.from({ length: s.performers }, () => []);
    this.scenes.forEach((sc, i) => sc.performers.forEach((p) => this.scenesOf[p]!.push(i)));

    const attackers = Math.round(s.attack === 'none' ? 0 : s.maliciousShare * s.accounts);
    this.accounts = Array.from({ length: s.accounts }, (_, i) => {
      const attacker = i >= s.accounts - attackers;
      const farmed = attacker && s.attack !== 'sybil-swarm';
      const establishedHonest = !attacker && this.rng.chance(s.establishedShare);
      const old = farmed || establishedHonest;
      const historyTrusted = old ? 50 + this.rng.int(450) : 0;
      const account: Account = {
        id: `${attacker ? 'attacker' : 'honest'}${String(i).padStart(3, '0')}`,
        attacker,
        ageDays: old ? 30 + this.rng.int(900) : this.rng.int(14),
        historyTrusted,
        historyDisagreed: old ? Math.round(historyTrusted * 0.02) : 0,
        profile: undefined as unknown as ContributorProfile,
        done: new Set(),
      };
      return account;
    });

    // Attack targets: mid-popularity performers (enough honest traffic to matter, little enough to be vulnerable),
    // half of them without reference faces.
    const byPopularity = order.slice(Math.floor(s.performers * 0.2));
    const anchorless = byPopularity.filter((p) => this.anchors[p]!.length === 0);
    const anchored = byPopularity.filter((p) => this.anchors[p]!.length > 0);
    const half = Math.ceil(s.targets / 2);
    for (const p of [...anchorless.slice(0, half), ...anchored.slice(0, s.targets - half)]) {
      const identity = s.performers + this.rng.int(s.outsiders);
      const look = sessionLook(this.rng);
      const pool = Array.from({ length: 40 }, () => sampleFace(this.rng, this.centres[identity]!, look));
      this.sybilTargets.push({ performer: p, identity, pool });
    }
    const duos = this.scenes.map((sc, i) => ({ sc, i })).filter(({ sc }) => sc.performers.length === 2);
    for (const { i } of this.rng.shuffle(duos).slice(0, s.targets)) this.swapTargets.push(i);
  }

  /** The look of one identity in one scene, shared by every contributor of that scene. */
  look(scene: number, identity: number): Float32Array {
    const key = `${scene}:${identity}`;
    let look = this.looks.get(key);
    if (!look) this.looks.set(key, (look = sessionLook(this.rng)));
    return look;
  }

  pickScene(): number {
    return sampleCumulative(this.rng, this.sceneCumulative);
  }

  /** One contribution crediting `performer` on `scene`, with faces of `identities` (drawn in turn per face). */
  contribution(
    account: Account,
    scene: number,
    performer: number,
    round: number,
    faces: { truth: number; embedding: Float32Array }[],
  ): SimContribution {
    const sc = this.scenes[scene]!;
    const id = `c${String(this.contributionSerial++).padStart(6, '0')}`;
    const start = this.rng.int(600);
    return {
      id,
      contributorId: account.id,
      sceneId: sc.id,
      verified: this.rng.chance(this.settings.verifiedShare),
      scenePerformerCount: sc.performers.length,
      performer,
      round,
      byAttacker: account.attacker,
      faces: faces.map((f, k) => ({
        id: `f${String(this.faceSerial++).padStart(8, '0')}`,
        embedding: f.embedding,
        truth: f.truth,
        ...this.faceMeta(),
        // Frames are sampled across the scene: one face per sampled frame, a few frames with two detections.
        timestampSec: start + 10 * k - (k > 0 && this.rng.chance(0.05) ? 10 : 0),
        trackKey: `t${performer}`,
      })),
    };
  }

  /** Client-side metadata: ≈ 15% of faces fail one of the quality minimums, as small or blurred faces do. */
  private faceMeta(): Pick<ConsensusFaceInput, 'detectorScore' | 'sizePx' | 'quality'> {
    return {
      detectorScore: this.rng.chance(0.05) ? 0.5 + 0.15 * this.rng.next() : 0.65 + 0.35 * this.rng.next(),
      sizePx: this.rng.chance(0.05) ? 24 + this.rng.int(16) : 40 + this.rng.int(200),
      quality: this.rng.chance(0.05) ? 0.3 * this.rng.next() : 0.3 + 0.7 * this.rng.next(),
    };
  }

  faceOf(scene: number, identity: number): Float32Array {
    return sampleFace(this.rng, this.centres[identity]!, this.look(scene, identity));
  }

  /** A face of `identity` from footage only this account has (its own look). */
  faceOfAccount(account: Account, identity: number): Float32Array {
    const key = `${account.id}:${identity}`;
    let look = this.looks.get(key);
    if (!look) this.looks.set(key, (look = sessionLook(this.rng)));
    return sampleFace(this.rng, this.centres[identity]!, look);
  }

  randomOutsider(): number {
    return this.settings.performers + this.rng.int(this.settings.outsiders);
  }
}

function cumulative(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

function sampleCumulative(rng: Rng, cumulativeWeights: readonly number[]): number {
  const x = rng.next() * cumulativeWeights[cumulativeWeights.length - 1]!;
  let lo = 0;
  let hi = cumulativeWeights.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulativeWeights[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
