import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cappedWeight, findAgreementClusters, type AgreementUnit } from './agreement.rules.js';
import { CONSENSUS_DEFAULTS } from './consensus.config.js';
import { Rng, identityCentre, samplePhoto } from './testing/builders.js';

const rng = new Rng(5);
const P = identityCentre(rng);
const Q = identityCentre(rng);

function unit(id: string, o: Partial<AgreementUnit> = {}): AgreementUnit {
  return {
    contributionId: id,
    contributorId: `acct-${id}`,
    sceneId: `scene-${id}`,
    tier: 'established',
    weight: 1,
    bootstrapWeight: 1,
    centre: samplePhoto(rng, P),
    ...o,
  };
}

test('one vote per account: an account\u2019s heaviest contribution counts, once', () => {
  const units = [
    unit('a', { contributorId: 'x', weight: 0.5, bootstrapWeight: 0.5 }),
    unit('b', { contributorId: 'x' }),
    unit('c'),
  ];
  const w = cappedWeight(units, false, CONSENSUS_DEFAULTS);
  assert.equal(w.total, 2);
  assert.equal(w.distinctContributors, 2);
  assert.match(w.notes.join(), /1 repeat contribution/);
});

test('probation accounts share a budget of 1, or 2 when the group agrees with the reference faces (+1 anchor)', () => {
  const fresh = Array.from({ length: 10 }, (_, i) =>
    unit(`n${i}`, { tier: 'probation', weight: 0.5, bootstrapWeight: 0.5 }),
  );
  const plain = cappedWeight(fresh, false, CONSENSUS_DEFAULTS);
  assert.equal(plain.total, 1);
  assert.equal(plain.distinctContributors, 10);
  assert.match(plain.notes.join(), /new accounts capped at 1 \(had 5\)/);
  assert.equal(cappedWeight(fresh, true, CONSENSUS_DEFAULTS).total, 3);
  const mixed = [...fresh, unit('e1'), unit('e2')];
  assert.equal(cappedWeight(mixed, false, CONSENSUS_DEFAULTS).total, 3);
});

test('one scene carries at most 2', () => {
  const units = ['a', 'b', 'c', 'd'].map((id) => unit(id, { sceneId: 'same' }));
  assert.equal(cappedWeight(units, false, CONSENSUS_DEFAULTS).total, 2);
  assert.equal(cappedWeight([...units, unit('e')], false, CONSENSUS_DEFAULTS).total, 3);
});

test('near-identical submissions from different accounts and scenes weigh at most 2 together', () => {
  const shared = samplePhoto(rng, Q);
  const copies = Array.from({ length: 5 }, (_, i) => unit(`c${i}`, { centre: shared }));
  const w = cappedWeight(copies, false, CONSENSUS_DEFAULTS);
  assert.equal(w.total, 2);
  assert.match(w.notes.join(), /5 near-identical submissions capped at 2/);
  assert.equal(
    cappedWeight(copies, false, CONSENSUS_DEFAULTS, false).total,
    5,
    'dedupe off for seed ranking',
  );
});

test('without reference faces, multi-performer scenes weigh their bootstrap weight (0 by default)', () => {
  const units = ['a', 'b', 'c'].map((id) => unit(id, { bootstrapWeight: 0 }));
  assert.equal(cappedWeight(units, false, CONSENSUS_DEFAULTS).total, 0);
  assert.equal(cappedWeight(units, false, CONSENSUS_DEFAULTS).distinctContributors, 0);
  assert.equal(cappedWeight(units, true, CONSENSUS_DEFAULTS).total, 4);
});

test('clusters: the heaviest agreeing group comes first, another identity forms its own', () => {
  const units = [
    ...['p1', 'p2', 'p3', 'p4'].map((id) => unit(id)),
    ...['q1', 'q2'].map((id) => unit(id, { centre: samplePhoto(rng, Q) })),
  ];
  const clusters = findAgreementClusters(units, [], CONSENSUS_DEFAULTS);
  assert.equal(clusters.length, 2);
  assert.deepEqual(clusters[0]!.members, [0, 1, 2, 3]);
  assert.deepEqual(clusters[1]!.members, [4, 5]);
  assert.equal(clusters[0]!.weight.total, 4);
  assert.equal(clusters[0]!.anchorDistance, null);
});

test('clusters: capped weight picks the seed — a swarm of new accounts loses to fewer established ones', () => {
  const swarm = Array.from({ length: 20 }, (_, i) =>
    unit(`s${String(i).padStart(2, '0')}`, {
      tier: 'probation',
      weight: 0.5,
      bootstrapWeight: 0.5,
      centre: samplePhoto(rng, Q),
    }),
  );
  const units = [...swarm, unit('h1'), unit('h2')];
  const clusters = findAgreementClusters(units, [samplePhoto(rng, P)], CONSENSUS_DEFAULTS);
  assert.deepEqual(clusters[0]!.members, [20, 21]);
  assert.equal(clusters[0]!.anchored, true);
  assert.equal(clusters[0]!.weight.total, 3);
  assert.equal(clusters[1]!.anchored, false);
  assert.equal(clusters[1]!.weight.total, 1);
});
