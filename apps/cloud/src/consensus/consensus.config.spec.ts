import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSENSUS_DEFAULTS, consensusConfig } from './consensus.config.js';

test('consensusConfig: defaults, with overrides merged per section', () => {
  assert.deepEqual(consensusConfig(), CONSENSUS_DEFAULTS);
  const c = consensusConfig({ agreement: { minWeight: 5 }, quality: { minSizePx: 60 } });
  assert.equal(c.agreement.minWeight, 5);
  assert.equal(c.agreement.agreeDistance, CONSENSUS_DEFAULTS.agreement.agreeDistance);
  assert.equal(c.quality.minSizePx, 60);
});

test('consensusConfig: every problem named in one error', () => {
  assert.throws(
    () =>
      consensusConfig({
        agreement: { minWeight: Number.NaN, competingShare: 3 },
        contributors: { zeroWeightReputation: 0.9 },
      }),
    (err: Error) =>
      /agreement\.minWeight must be a finite number/.test(err.message) &&
      /agreement\.competingShare must be ≤ 1/.test(err.message) &&
      /zeroWeightReputation must be below/.test(err.message),
  );
  assert.throws(() => consensusConfig({ nonsense: {} } as never), /unknown consensus section "nonsense"/);
});

test('every default is a finite number ≥ 0 (the defaults pass their own validation)', () => {
  for (const section of Object.values(CONSENSUS_DEFAULTS))
    for (const value of Object.values(section)) assert.ok(Number.isFinite(value) && value >= 0);
});
