import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bucketOf,
  bucketPercentages,
  faceCountBuckets,
  hasChanges,
  NO_CHANGES,
} from './build-report.rules.js';

describe('face-count buckets', () => {
  test('bucket edges 1 / 2–3 / 4–5 / 6–10 / 11+', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 10, 11, 500].map(bucketOf), [
      '1',
      '2-3',
      '2-3',
      '4-5',
      '4-5',
      '6-10',
      '6-10',
      '11+',
      '11+',
    ]);
  });
  test('counts performers with faces only, and percentages add up', () => {
    const buckets = faceCountBuckets([0, 1, 1, 2, 3, 4, 7, 12, 20]);
    assert.deepEqual(buckets, { '1': 2, '2-3': 2, '4-5': 1, '6-10': 1, '11+': 2 });
    assert.deepEqual(bucketPercentages(buckets), {
      '1': 25,
      '2-3': 25,
      '4-5': 12.5,
      '6-10': 12.5,
      '11+': 25,
    });
    assert.deepEqual(bucketPercentages(faceCountBuckets([])), {
      '1': 0,
      '2-3': 0,
      '4-5': 0,
      '6-10': 0,
      '11+': 0,
    });
  });
  test('hasChanges', () => {
    assert.equal(hasChanges(NO_CHANGES), false);
    assert.equal(hasChanges({ ...NO_CHANGES, performersChanged: 1 }), true);
  });
});
