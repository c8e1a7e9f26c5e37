import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centroid, cosineDistance, dot, isFiniteVector, l2Norm, l2Normalize, mean } from './vector-math.js';

test('l2Normalize gives unit length and keeps direction', () => {
  const v = l2Normalize([3, 4]);
  assert.ok(Math.abs(l2Norm(v) - 1) < 1e-6);
  assert.ok(Math.abs(v[0]! - 0.6) < 1e-6 && Math.abs(v[1]! - 0.8) < 1e-6);
});

test('l2Normalize refuses zero and non-finite vectors', () => {
  assert.throws(() => l2Normalize([0, 0, 0]), /zero or non-finite/);
  assert.throws(() => l2Normalize([1, NaN]), /zero or non-finite/);
});

test('cosineDistance: identical 0, orthogonal 1, opposite 2', () => {
  assert.ok(Math.abs(cosineDistance([1, 0], [2, 0])) < 1e-9);
  assert.ok(Math.abs(cosineDistance([1, 0], [0, 5]) - 1) < 1e-9);
  assert.ok(Math.abs(cosineDistance([1, 0], [-1, 0]) - 2) < 1e-9);
});

test('dot refuses mismatched dimensions', () => {
  assert.throws(() => dot([1, 2], [1, 2, 3]), /dimension mismatch/);
});

test('mean and centroid', () => {
  assert.deepEqual(
    Array.from(
      mean([
        [1, 0],
        [0, 1],
      ]),
    ),
    [0.5, 0.5],
  );
  const c = centroid([
    [1, 0],
    [0, 1],
  ]);
  assert.ok(Math.abs(c[0]! - Math.SQRT1_2) < 1e-6);
  assert.throws(() => mean([]), /no vectors/);
});

test('isFiniteVector', () => {
  assert.equal(isFiniteVector([1, 2]), true);
  assert.equal(isFiniteVector([1, Infinity]), false);
});
