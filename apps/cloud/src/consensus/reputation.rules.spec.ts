import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSENSUS_DEFAULTS } from './consensus.config.js';
import type { PerformerConsensusResult } from './consensus.types.js';
import { contributorStanding, tallyContributorFaces, updateReputation } from './reputation.rules.js';

const base = { contributorId: 'u', accountAgeDays: 100, moderatorApproved: 0, moderatorRejected: 0 };

test('reputation is the (prior-smoothed) share of decided faces that were trusted', () => {
  const good = updateReputation({ ...base, trustedFaces: 190, disagreedFaces: 0 }, CONSENSUS_DEFAULTS);
  assert.ok(Math.abs(good.reputation - 195 / 200) < 1e-12);
  assert.equal(good.tier, 'established');
  assert.equal(good.weight, 1);
  assert.equal(good.flagged, false);
  assert.match(good.reason, /100% of 190 decided faces trusted/);
  const bad = updateReputation({ ...base, trustedFaces: 10, disagreedFaces: 90 }, CONSENSUS_DEFAULTS);
  assert.ok(Math.abs(bad.reputation - 15 / 110) < 1e-12);
  assert.equal(bad.flagged, true);
  assert.equal(bad.weight, 0);
  assert.match(bad.reason, /flagged/);
});

test('low agreement lowers the weight before it flags', () => {
  const middling = updateReputation({ ...base, trustedFaces: 65, disagreedFaces: 35 }, CONSENSUS_DEFAULTS);
  // (5 + 65) / 110 = 0.636 → established, weight (0.636 − 0.3) / 0.5 = 0.67
  assert.equal(middling.tier, 'established');
  assert.ok(middling.weight > 0.6 && middling.weight < 0.7, `weight ${middling.weight}`);
  const poor = updateReputation({ ...base, trustedFaces: 50, disagreedFaces: 50 }, CONSENSUS_DEFAULTS);
  assert.equal(poor.tier, 'probation');
  assert.equal(poor.flagged, false);
});

test('moderator decisions feed back: approvals lift, rejections sink a reputation', () => {
  const plain = updateReputation({ ...base, trustedFaces: 30, disagreedFaces: 30 }, CONSENSUS_DEFAULTS);
  const approved = updateReputation(
    { ...base, trustedFaces: 30, disagreedFaces: 30, moderatorApproved: 2 },
    CONSENSUS_DEFAULTS,
  );
  const rejected = updateReputation(
    { ...base, trustedFaces: 30, disagreedFaces: 30, moderatorRejected: 2 },
    CONSENSUS_DEFAULTS,
  );
  assert.ok(approved.reputation > plain.reputation + 0.2);
  assert.ok(rejected.reputation < plain.reputation - 0.2);
  assert.equal(rejected.flagged, true);
  // Moderator decisions alone are evidence enough to flag a new account.
  const spammer = updateReputation(
    { ...base, accountAgeDays: 2, trustedFaces: 0, disagreedFaces: 0, moderatorRejected: 1 },
    CONSENSUS_DEFAULTS,
  );
  assert.equal(spammer.flagged, true);
});

test('new and idle accounts stay on probation whatever their reputation; no evidence never flags', () => {
  const young = updateReputation(
    { ...base, accountAgeDays: 3, trustedFaces: 400, disagreedFaces: 0 },
    CONSENSUS_DEFAULTS,
  );
  assert.equal(young.tier, 'probation');
  assert.equal(young.weight, CONSENSUS_DEFAULTS.contributors.probationWeight);
  const idle = updateReputation(
    { ...base, accountAgeDays: 900, trustedFaces: 0, disagreedFaces: 0 },
    CONSENSUS_DEFAULTS,
  );
  assert.equal(idle.tier, 'probation');
  assert.equal(idle.reputation, 0.5);
  const fewBad = updateReputation({ ...base, trustedFaces: 0, disagreedFaces: 10 }, CONSENSUS_DEFAULTS);
  assert.equal(fewBad.flagged, false, '10 faces are not enough evidence');
  assert.equal(contributorStanding(undefined, CONSENSUS_DEFAULTS).tier, 'probation');
});

test('updateReputation refuses negative or non-finite counts', () => {
  assert.throws(
    () => updateReputation({ ...base, trustedFaces: -1, disagreedFaces: 0 }, CONSENSUS_DEFAULTS),
    /trustedFaces of contributor u must be a count ≥ 0/,
  );
});

test('tallyContributorFaces counts trusted and disagreeing faces only, per contributor, sorted', () => {
  const result = {
    contributions: [
      { contributionId: 'c1', contributorId: 'b' },
      { contributionId: 'c2', contributorId: 'a' },
    ],
    faces: [
      { faceId: '1', contributionId: 'c1', status: 'trusted', code: 'trusted' },
      { faceId: '2', contributionId: 'c1', status: 'rejected', code: 'far_from_consensus' },
      { faceId: '3', contributionId: 'c2', status: 'rejected', code: 'disagrees_with_consensus' },
      { faceId: '4', contributionId: 'c2', status: 'pending', code: 'conflict_closer_to_other_performer' },
      { faceId: '5', contributionId: 'c2', status: 'rejected', code: 'low_quality' },
      { faceId: '6', contributionId: 'c2', status: 'pending', code: 'awaiting_agreement' },
    ],
  } as unknown as PerformerConsensusResult;
  assert.deepEqual(tallyContributorFaces([result, result]), [
    { contributorId: 'a', trustedFaces: 0, disagreedFaces: 4 },
    { contributorId: 'b', trustedFaces: 2, disagreedFaces: 0 },
  ]);
});
