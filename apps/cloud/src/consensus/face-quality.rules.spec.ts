import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSENSUS_DEFAULTS } from './consensus.config.js';
import { checkFace, checkFrames, countUniqueFrames, dominantDimension } from './face-quality.rules.js';
import { face } from './testing/builders.js';

const q = CONSENSUS_DEFAULTS.quality;
const unit = (n: number) => new Float32Array(n).fill(1 / Math.sqrt(n));

test('checkFace accepts a good face and keeps its unit embedding as is', () => {
  const e = unit(512);
  const result = checkFace(face('f', e, 0), 512, q);
  assert.ok(result.ok);
  assert.equal(result.embedding, e);
});

test('checkFace re-normalises an embedding that is not unit length', () => {
  const result = checkFace(face('f', new Float32Array(4).fill(2), 0), 4, q);
  assert.ok(result.ok);
  assert.ok(Math.abs(result.embedding[0]! - 0.5) < 1e-6);
});

test('checkFace rejects each bad input with a reason naming the value and the limit', () => {
  const cases: [Parameters<typeof face>[3], RegExp, string][] = [
    [{ detectorScore: 0.649 }, /detector score 0\.649 is below 0\.65/, 'low_detector_score'],
    [{ sizePx: 39 }, /39 px, below 40 px/, 'too_small'],
    [{ quality: 0.29 }, /quality 0\.290 is below 0\.3/, 'low_quality'],
  ];
  for (const [options, reason, code] of cases) {
    const result = checkFace(face('f', unit(8), 0, options), 8, q);
    assert.ok(!result.ok);
    assert.equal(result.code, code);
    assert.match(result.reason, reason);
  }
  const atLimits = checkFace(face('f', unit(8), 0, { detectorScore: 0.65, sizePx: 40, quality: 0.3 }), 8, q);
  assert.ok(atLimits.ok, 'the minimums themselves pass');
});

test('checkFace rejects a wrong dimension, a zero vector and NaN', () => {
  const wrong = checkFace(face('f', unit(128), 0), 512, q);
  assert.ok(!wrong.ok && wrong.code === 'invalid_embedding' && /128 values/.test(wrong.reason));
  const zero = checkFace(face('f', new Float32Array(8), 0), 8, q);
  assert.ok(!zero.ok && zero.code === 'invalid_embedding');
  const nan = unit(8);
  nan[3] = NaN;
  const bad = checkFace(face('f', nan, 0), 8, q);
  assert.ok(!bad.ok && bad.code === 'invalid_embedding');
});

test('countUniqueFrames merges detections of one frame', () => {
  assert.equal(countUniqueFrames([3, 1, 1, 2, 2.0005], q.sameFrameSec), 3);
  assert.equal(countUniqueFrames([], q.sameFrameSec), 0);
});

test('checkFrames: min_appearances before min_unique_frames', () => {
  assert.equal(checkFrames([{ timestampSec: 1 }], q)!.code, 'too_few_appearances');
  assert.equal(checkFrames([{ timestampSec: 1 }, { timestampSec: 1 }], q)!.code, 'too_few_frames');
  assert.equal(checkFrames([{ timestampSec: 1 }, { timestampSec: 2 }], q), null);
});

test('dominantDimension: the most common, ties to the larger, independent of order', () => {
  assert.equal(dominantDimension([512, 128, 512]), 512);
  assert.equal(dominantDimension([128, 512]), 512);
  assert.equal(dominantDimension([512, 128]), 512);
  assert.equal(dominantDimension([]), null);
});
