import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONSENSUS_DEFAULTS,
  consensusConfig,
  decidePerformer,
  type ConsensusContributionInput,
  type ContributorProfile,
  type PerformerConsensusInput,
} from './consensus.rules.js';
import {
  Rng,
  contribution,
  established,
  face,
  identityCentre,
  newAccount,
  samplePhoto,
  sessionLook,
} from './testing/builders.js';

const rng = new Rng(20261125);
const P = identityCentre(rng);
const Q = identityCentre(rng);
const R = identityCentre(rng);

function input(
  contributions: ConsensusContributionInput[],
  contributors: ContributorProfile[],
  extra: Partial<PerformerConsensusInput> = {},
): PerformerConsensusInput {
  return { performerId: 'P', contributions, contributors, otherPerformers: [], notSame: [], ...extra };
}

/** n contributions of identity `centre`, one per account `${prefix}${i}` and one single-performer scene each. */
function honest(
  prefix: string,
  n: number,
  centre = P,
  options: Partial<Parameters<typeof contribution>[0]> = {},
) {
  return Array.from({ length: n }, (_, i) =>
    contribution({
      id: `${prefix}c${i}`,
      contributorId: `${prefix}${i}`,
      sceneId: `${prefix}s${i}`,
      centre,
      rng,
      ...options,
    }),
  );
}

test('quality: faces below the detector score, size or quality minimums are rejected with their reason', () => {
  const c = contribution({ id: 'c0', contributorId: 'u0', sceneId: 's0', centre: P, rng, faces: 6 });
  c.faces[0] = { ...c.faces[0]!, detectorScore: 0.4 };
  c.faces[1] = { ...c.faces[1]!, sizePx: 32 };
  c.faces[2] = { ...c.faces[2]!, quality: 0.1 };
  c.faces[3] = { ...c.faces[3]!, embedding: new Float32Array(128).fill(0.1) };
  const result = decidePerformer(input([c], [established('u0')]));
  const byId = new Map(result.faces.map((f) => [f.faceId, f]));
  assert.equal(byId.get(c.faces[0]!.id)!.code, 'low_detector_score');
  assert.match(byId.get(c.faces[0]!.id)!.reason, /0\.400 is below 0\.65/);
  assert.equal(byId.get(c.faces[1]!.id)!.code, 'too_small');
  assert.match(byId.get(c.faces[1]!.id)!.reason, /32 px, below 40 px/);
  assert.equal(byId.get(c.faces[2]!.id)!.code, 'low_quality');
  assert.equal(byId.get(c.faces[3]!.id)!.code, 'invalid_embedding');
  for (const id of [0, 1, 2, 3]) assert.equal(byId.get(c.faces[id]!.id)!.status, 'rejected');
  // The two good faces still count as a contribution (pending: one account is not an agreement).
  assert.equal(byId.get(c.faces[4]!.id)!.status, 'pending');
  assert.equal(result.contributions[0]!.keptFaces, 2);
});

test('min_appearances and min_unique_frames: a contribution needs 2 usable faces from 2 distinct frames', () => {
  const oneFace = contribution({ id: 'c1', contributorId: 'u1', sceneId: 's1', centre: P, rng, faces: 1 });
  const oneFrame = contribution({ id: 'c2', contributorId: 'u2', sceneId: 's2', centre: P, rng, faces: 4 });
  for (const f of oneFrame.faces) f.timestampSec = 42;
  const twoFrames = contribution({ id: 'c3', contributorId: 'u3', sceneId: 's3', centre: P, rng, faces: 2 });
  const result = decidePerformer(
    input([oneFace, oneFrame, twoFrames], [established('u1'), established('u2'), established('u3')]),
  );
  const [c1, c2, c3] = result.contributions;
  assert.equal(c1!.status, 'rejected');
  assert.equal(c1!.code, 'too_few_appearances');
  assert.equal(c2!.status, 'rejected');
  assert.equal(c2!.code, 'too_few_frames');
  assert.match(c2!.reason, /1 frame\(s\), at least 2/);
  assert.notEqual(c3!.status, 'rejected');
  assert.ok(result.faces.filter((f) => f.contributionId === 'c2').every((f) => f.code === 'too_few_frames'));
});

test('coherence: faces of another person inside a contribution are dropped as outliers, the rest trusted', () => {
  const contributions = honest('u', 3);
  const polluted = contributions[0]!;
  polluted.faces.push(face('uc0-z1', samplePhoto(rng, Q), 90), face('uc0-z2', samplePhoto(rng, Q), 91));
  const result = decidePerformer(
    input(contributions, [established('u0'), established('u1'), established('u2')]),
  );
  assert.equal(result.state, 'established');
  const outliers = result.faces.filter((f) => f.code === 'coherence_outlier').map((f) => f.faceId);
  assert.deepEqual(outliers, ['uc0-z1', 'uc0-z2']);
  assert.equal(result.faces.filter((f) => f.contributionId === 'uc0' && f.status === 'trusted').length, 12);
});

test('coherence: a contribution mixing two identities half and half is rejected whole', () => {
  const c = contribution({ id: 'c0', contributorId: 'u0', sceneId: 's0', centre: P, rng, faces: 6 });
  const other = contribution({ id: 'x', contributorId: 'u0', sceneId: 's0', centre: Q, rng, faces: 6 });
  c.faces.push(...other.faces.map((f, i) => ({ ...f, id: `c0-q${i}`, timestampSec: 100 + i })));
  const result = decidePerformer(input([c], [established('u0')]));
  assert.equal(result.contributions[0]!.code, 'incoherent');
  assert.ok(result.faces.every((f) => f.status === 'rejected'));
});

test('agreement: K = 3 weighted accounts — two established accounts are not enough, three are', () => {
  const three = honest('u', 3);
  const profiles = ['u0', 'u1', 'u2'].map((id) => established(id));
  const two = decidePerformer(input(three.slice(0, 2), profiles));
  assert.equal(two.state, 'awaiting_agreement');
  assert.equal(two.summary.trusted, 0);
  assert.ok(two.faces.every((f) => f.status === 'pending' && f.code === 'awaiting_agreement'));
  assert.match(two.summary.reason, /weighs 2\.00 of 3 from 2 account/);
  const all = decidePerformer(input(three, profiles));
  assert.equal(all.state, 'established');
  assert.equal(all.summary.contributorsAgreeing, 3);
  assert.ok(all.summary.trusted >= 34, `trusted ${all.summary.trusted} of 36`);
  assert.ok(all.centroid && 1 - dotOf(all.centroid, P) < 0.05, 'centroid lies on the performer');
});

test('agreement: reputation weighs — three accounts of middling reputation do not reach K, unverified ones neither', () => {
  const three = honest('u', 3);
  const middling = ['u0', 'u1', 'u2'].map((id) => established(id, 0.65)); // weight (0.65−0.3)/0.5 = 0.7 each
  const r1 = decidePerformer(input(three, middling));
  assert.equal(r1.state, 'awaiting_agreement');
  assert.ok(Math.abs(r1.summary.weight - 2.1) < 1e-9, `weight ${r1.summary.weight}`);
  const unverified = honest('v', 4, P, { verified: false });
  const r2 = decidePerformer(
    input(
      unverified,
      ['v0', 'v1', 'v2', 'v3'].map((id) => established(id)),
    ),
  );
  assert.equal(r2.state, 'awaiting_agreement');
  assert.equal(r2.summary.weight, 2);
  const five = honest('w', 6, P, { verified: false });
  const r3 = decidePerformer(
    input(
      five,
      five.map((c) => established(c.contributorId)),
    ),
  );
  assert.equal(r3.state, 'established');
});

test('agreement: one account never suffices, even with many contributions', () => {
  const many = Array.from({ length: 6 }, (_, i) =>
    contribution({ id: `c${i}`, contributorId: 'solo', sceneId: `s${i}`, centre: P, rng }),
  );
  const result = decidePerformer(input(many, [established('solo')]));
  assert.equal(result.state, 'awaiting_agreement');
  assert.equal(result.summary.weight, 1);
});

test('bootstrap: without reference faces, single-performer scenes count fully, multi-performer scenes half', () => {
  const multi = honest('m', 5, P, { scenePerformerCount: 2 });
  const profiles = [...multi.map((c) => established(c.contributorId))];
  const onlyMulti = decidePerformer(input(multi, profiles));
  assert.equal(onlyMulti.state, 'awaiting_agreement');
  assert.equal(onlyMulti.summary.weight, 2.5);
  const single = honest('s', 1);
  const both = decidePerformer(
    input([...multi, ...single], [...profiles, ...single.map((c) => established(c.contributorId))]),
  );
  assert.equal(both.state, 'established');
  assert.equal(both.summary.weight, 3.5);
  assert.ok(both.contributions.every((c) => c.status === 'accepted'));
  assert.match(both.summary.reason, /without reference faces/);
  // Strict reading (factor 0): only single-performer scenes found a consensus; the others join it afterwards.
  const strict = consensusConfig({ agreement: { bootstrapMultiPerformerFactor: 0 } });
  assert.equal(decidePerformer(input(multi, profiles), strict).summary.weight, 0);
  const three = honest('t', 3);
  const founded = decidePerformer(
    input([...multi, ...three], [...profiles, ...three.map((c) => established(c.contributorId))]),
    strict,
  );
  assert.equal(founded.state, 'established');
  assert.ok(
    founded.contributions.every((c) => c.status === 'accepted'),
    'multi-performer contributions joined',
  );
});

test('bootstrap: one scene carries at most 2 — three accounts on one scene need a second scene or an anchor', () => {
  const look = sessionLook(rng);
  const sameScene = ['a', 'b', 'c'].map((u) =>
    contribution({ id: `c-${u}`, contributorId: u, sceneId: 'only-scene', centre: P, rng, look }),
  );
  const profiles = ['a', 'b', 'c'].map((id) => established(id));
  const result = decidePerformer(input(sameScene, profiles));
  assert.equal(result.state, 'awaiting_agreement');
  assert.equal(result.summary.weight, 2);
  const anchored = decidePerformer(input(sameScene, profiles, { anchors: [samplePhoto(rng, P)] }));
  assert.equal(anchored.state, 'established');
  assert.equal(anchored.summary.weight, 3);
});

test('anchors: new accounts establish a performer whose reference faces they agree with, not one they contradict', () => {
  const fresh = honest('n', 4);
  const profiles = fresh.map((c) => newAccount(c.contributorId));
  const promo = samplePhoto(rng, P);
  const agreeing = decidePerformer(input(fresh, profiles, { anchors: [promo] }));
  assert.equal(agreeing.state, 'established'); // 4 × 0.5 (cap 2 with anchors) + anchor 1
  const unanchored = decidePerformer(input(fresh, profiles));
  assert.equal(unanchored.state, 'awaiting_agreement');
  assert.equal(unanchored.summary.weight, 1); // new accounts capped at 1 without anchors
  const wrongFaces = honest('w', 4, Q);
  const contradicting = decidePerformer(
    input(
      wrongFaces,
      wrongFaces.map((c) => newAccount(c.contributorId)),
      { anchors: [promo] },
    ),
  );
  assert.equal(contradicting.state, 'awaiting_agreement');
  assert.equal(contradicting.summary.trusted, 0);
});

test('anchors: established accounts that reach K against the reference faces file an anchor_disagreement', () => {
  const wrong = honest('w', 4, Q);
  const result = decidePerformer(
    input(
      wrong,
      wrong.map((c) => established(c.contributorId)),
      { anchors: [samplePhoto(rng, P)] },
    ),
  );
  assert.equal(result.state, 'conflict');
  assert.equal(result.summary.trusted, 0);
  const conflict = result.conflicts.find((c) => c.kind === 'anchor_disagreement');
  assert.ok(conflict && conflict.blocking);
  assert.deepEqual(conflict.contributionIds, ['wc0', 'wc1', 'wc2', 'wc3']);
  assert.ok(result.faces.every((f) => f.status === 'pending' && f.code === 'conflict_anchor_disagreement'));
});

test('conflicts: two separate groups that each reach K are held for a moderator', () => {
  const a = honest('a', 3, P);
  const b = honest('b', 3, Q);
  const profiles = [...a, ...b].map((c) => established(c.contributorId));
  const result = decidePerformer(input([...a, ...b], profiles));
  assert.equal(result.state, 'conflict');
  const conflict = result.conflicts.find((c) => c.kind === 'competing_consensus');
  assert.ok(conflict);
  assert.equal((conflict.evidence.groups as unknown[]).length, 2);
  assert.equal(result.summary.trusted, 0);
  // A much weaker second group (< half the winner's weight) is simply rejected.
  const strong = honest('s', 8, P);
  const weak = decidePerformer(
    input(
      [...strong, ...b],
      [...strong, ...b].map((c) => established(c.contributorId)),
    ),
  );
  assert.equal(weak.state, 'established');
  assert.ok(
    weak.contributions
      .filter((c) => c.contributionId.startsWith('b'))
      .every((c) => c.code === 'disagrees_with_consensus'),
  );
});

test('conflicts: a contribution closer to another performer\u2019s consensus is held back with its evidence', () => {
  const good = honest('u', 3);
  const misattributed = contribution({
    id: 'zz',
    contributorId: 'u0',
    sceneId: 'duo',
    centre: Q,
    rng,
    scenePerformerCount: 2,
  });
  const others = [{ performerId: 'Q', centroid: Q }];
  const result = decidePerformer(
    input(
      [...good, misattributed],
      good.map((c) => established(c.contributorId)),
      { otherPerformers: others },
    ),
  );
  assert.equal(result.state, 'established');
  const decision = result.contributions.find((c) => c.contributionId === 'zz')!;
  assert.equal(decision.status, 'pending');
  assert.equal(decision.code, 'conflict_closer_to_other_performer');
  const conflict = result.conflicts.find((c) => c.kind === 'closer_to_other_performer')!;
  assert.deepEqual(conflict.contributionIds, ['zz']);
  assert.deepEqual(conflict.performerIds, ['P', 'Q']);
  assert.equal(conflict.evidence.ownReference, 'consensus');
  assert.ok((conflict.evidence.distanceToOther as number) < (conflict.evidence.distanceToOwn as number));
  assert.ok(result.faces.filter((f) => f.contributionId === 'zz').every((f) => f.status === 'pending'));
  // Honest faces unaffected.
  assert.ok(
    result.faces
      .filter((f) => f.contributionId !== 'zz')
      .every((f) => f.status === 'trusted' || f.code === 'far_from_consensus'),
  );
});

test('conflicts: not-same feedback from an established account holds contradicted trusted faces back; new accounts only file a record', () => {
  const good = honest('u', 3);
  const profiles = [
    ...good.map((c) => established(c.contributorId)),
    established('critic'),
    newAccount('troll'),
  ];
  const contested = good[1]!.faces[3]!;
  const before = decidePerformer(input(good, profiles));
  assert.equal(before.faces.find((f) => f.faceId === contested.id)!.status, 'trusted');

  const fromTroll = decidePerformer(
    input(good, profiles, {
      notSame: [{ feedbackId: 'fb1', contributorId: 'troll', faceEmbedding: contested.embedding }],
    }),
  );
  assert.equal(fromTroll.summary.trusted, before.summary.trusted, 'advisory only');
  const advisory = fromTroll.conflicts.find((c) => c.kind === 'not_same_feedback')!;
  assert.equal(advisory.blocking, false);
  assert.ok((advisory.evidence.contradictedFaces as number) >= 1);

  const fromCritic = decidePerformer(
    input(good, profiles, {
      notSame: [{ feedbackId: 'fb2', contributorId: 'critic', faceEmbedding: contested.embedding }],
    }),
  );
  const held = fromCritic.faces.find((f) => f.faceId === contested.id)!;
  assert.equal(held.status, 'pending');
  assert.equal(held.code, 'conflict_not_same_feedback');
  const record = fromCritic.conflicts.find((c) => c.kind === 'not_same_feedback')!;
  assert.equal(record.blocking, true);
  assert.equal(record.key, 'not_same_feedback:P:fb2');
  assert.equal(
    fromCritic.summary.trusted + (record.evidence.heldBackFaces as number),
    before.summary.trusted,
  );

  // Feedback about a face of somebody else contradicts nothing.
  const unrelated = decidePerformer(
    input(good, profiles, {
      notSame: [{ feedbackId: 'fb3', contributorId: 'critic', faceEmbedding: samplePhoto(rng, R) }],
    }),
  );
  assert.equal(unrelated.conflicts.length, 0);
  assert.equal(unrelated.summary.trusted, before.summary.trusted);
});

test('sybil swarm: 40 new accounts pushing the same wrong faces get nothing trusted, alone or against honest accounts', () => {
  const pool = Array.from({ length: 30 }, () => samplePhoto(rng, Q));
  const swarm: ConsensusContributionInput[] = Array.from({ length: 40 }, (_, i) => ({
    id: `sy${String(i).padStart(2, '0')}`,
    contributorId: `sybil${i}`,
    sceneId: `scene${i % 10}`,
    verified: true,
    scenePerformerCount: 1,
    faces: Array.from({ length: 10 }, (_, k) => face(`sy${i}-f${k}`, pool[(i + k * 7) % pool.length]!, k)),
  }));
  const sybils = swarm.map((c) => newAccount(c.contributorId));
  const alone = decidePerformer(input(swarm, sybils));
  assert.equal(alone.summary.trusted, 0);
  assert.equal(alone.state, 'awaiting_agreement');
  assert.ok(alone.summary.weight <= CONSENSUS_DEFAULTS.contributors.maxProbationWeight + 1e-9);
  // The caps are what protects: without them the same swarm founds a consensus on the wrong faces.
  const uncapped = consensusConfig({
    contributors: { maxProbationWeight: 100 },
    agreement: { maxNearDuplicateWeight: 100, maxSceneWeight: 100 },
  });
  const open = decidePerformer(input(swarm, sybils), uncapped);
  assert.equal(open.state, 'established');
  assert.ok(open.summary.trusted > 0);

  const good = honest('u', 3);
  const mixed = decidePerformer(
    input([...swarm, ...good], [...sybils, ...good.map((c) => established(c.contributorId))]),
  );
  assert.equal(mixed.state, 'established');
  const trustedSybilFaces = mixed.faces.filter(
    (f) => f.contributionId.startsWith('sy') && f.status === 'trusted',
  );
  assert.equal(trustedSybilFaces.length, 0);
  assert.ok(
    mixed.contributions
      .filter((c) => c.contributionId.startsWith('sy'))
      .every((c) => c.code === 'disagrees_with_consensus'),
  );
});

test('sybil swarm: re-sent identical faces from established (farmed) accounts are capped like one scene', () => {
  const wrong = contribution({ id: 'template', contributorId: 'x', sceneId: 'x', centre: Q, rng });
  const copies = Array.from({ length: 6 }, (_, i) => ({
    ...wrong,
    id: `copy${i}`,
    contributorId: `farmed${i}`,
    sceneId: `scene${i}`,
    faces: wrong.faces.map((f) => ({ ...f, id: `copy${i}-${f.id}` })),
  }));
  const result = decidePerformer(
    input(
      copies,
      copies.map((c) => established(c.contributorId)),
    ),
  );
  assert.equal(result.summary.trusted, 0);
  assert.equal(result.summary.weight, CONSENSUS_DEFAULTS.agreement.maxNearDuplicateWeight);
});

test('medoids are trusted faces, at most maxMedoids, and the result reports them with the centroid', () => {
  const many = honest('u', 12);
  const result = decidePerformer(
    input(
      many,
      many.map((c) => established(c.contributorId)),
    ),
  );
  assert.equal(result.state, 'established');
  assert.ok(result.medoids.length >= 1 && result.medoids.length <= CONSENSUS_DEFAULTS.agreement.maxMedoids);
  const trusted = new Set(
    result.faces
      .filter((f) => f.status === 'trusted')
      .map((f) => many.flatMap((c) => c.faces).find((x) => x.id === f.faceId)!.embedding),
  );
  for (const m of result.medoids) assert.ok([...trusted].some((t) => t.every((v, i) => v === m[i])));
});

test('determinism: shuffled contributions, faces, profiles and references give the same result', () => {
  const good = honest('u', 5);
  const wrong = honest('w', 3, Q, { scenePerformerCount: 2 });
  const contributors = [...good, ...wrong].map((c) => established(c.contributorId));
  const base = input([...good, ...wrong], contributors, {
    anchors: [samplePhoto(rng, P), samplePhoto(rng, P)],
    otherPerformers: [
      { performerId: 'Q', centroid: Q },
      { performerId: 'R', centroid: R },
    ],
    notSame: [{ feedbackId: 'fb', contributorId: 'u4', faceEmbedding: good[0]!.faces[0]!.embedding }],
  });
  const expected = decidePerformer(base);
  assert.equal(expected.state, 'established');
  const shuffler = new Rng(7);
  for (let round = 0; round < 5; round++) {
    const shuffled: PerformerConsensusInput = {
      ...base,
      contributions: shuffler
        .shuffle(base.contributions)
        .map((c) => ({ ...c, faces: shuffler.shuffle(c.faces) })),
      contributors: shuffler.shuffle(base.contributors),
      anchors: shuffler.shuffle(base.anchors!),
      otherPerformers: shuffler.shuffle(base.otherPerformers),
      notSame: shuffler.shuffle(base.notSame),
    };
    assert.deepEqual(decidePerformer(shuffled), expected);
  }
});

test('configuration: overrides apply (K = 2) and bad values are refused', () => {
  const two = honest('u', 2);
  const profiles = two.map((c) => established(c.contributorId));
  assert.equal(decidePerformer(input(two, profiles)).state, 'awaiting_agreement');
  const k2 = consensusConfig({ agreement: { minWeight: 2 } });
  assert.equal(decidePerformer(input(two, profiles), k2).state, 'established');
  assert.throws(
    () => consensusConfig({ agreement: { minWeight: -1 } }),
    /agreement\.minWeight must be a finite number/,
  );
  assert.throws(
    () => consensusConfig({ agreement: { nope: 1 } as never }),
    /unknown consensus setting agreement\.nope/,
  );
  assert.throws(
    () => consensusConfig({ contributors: { unverifiedFactor: 2 } }),
    /unverifiedFactor must be ≤ 1/,
  );
});

test('inputs: duplicate ids and references of another model are refused with a clear message', () => {
  const two = honest('u', 2);
  assert.throws(() => decidePerformer(input([two[0]!, two[0]!], [])), /contribution id uc0 appears twice/);
  assert.throws(
    () => decidePerformer(input(two, [], { anchors: [new Float32Array(128).fill(1)] })),
    /anchor 0 has 128 values but the performer's faces have 512/,
  );
  assert.throws(() => decidePerformer(input(two, [established('u0'), established('u0')])), /listed twice/);
  const empty = decidePerformer(input([], []));
  assert.equal(empty.state, 'awaiting_agreement');
  assert.deepEqual(empty.faces, []);
});

test('speed: a performer with 5,000 faces is decided in under a second (3 s allowed on a loaded machine)', () => {
  const big = Array.from({ length: 200 }, (_, i) =>
    contribution({
      id: `b${String(i).padStart(3, '0')}`,
      contributorId: `u${i % 50}`,
      sceneId: `s${i % 80}`,
      centre: i % 10 === 0 ? Q : P,
      rng,
      faces: 25,
    }),
  );
  const profiles = Array.from({ length: 50 }, (_, i) => established(`u${i}`));
  const args = input(big, profiles, { otherPerformers: [{ performerId: 'R', centroid: R }] });
  decidePerformer(args); // warm-up (JIT)
  const started = performance.now();
  const result = decidePerformer(args);
  const ms = performance.now() - started;
  assert.equal(result.faces.length, 5000);
  assert.equal(result.state, 'established');
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
});

function dotOf(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
