import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineEmbeddings, embedderInput } from './embed.js';

describe('embedderInput', () => {
  const size = 2;
  // 2×2 RGB crop, pixels in reading order: distinct values per channel.
  const rgb = new Float32Array([255, 127, 0, 1, 2, 3, 10, 20, 30, 40, 50, 60]);
  const n = (v: number) => (v - 127) / 128;

  it('is planar in B, G, R order with (v − 127) / 128', () => {
    const input = embedderInput(rgb, size);
    assert.deepEqual([...input], [0, 3, 30, 60, 127, 2, 20, 50, 255, 1, 10, 40].map(n));
  });

  it('mirrors each row when asked', () => {
    const input = embedderInput(rgb, size, true);
    assert.deepEqual([...input.subarray(0, 4)], [3, 0, 60, 30].map(n)); // blue plane, columns swapped
  });

  it('rejects a crop of the wrong size', () =>
    assert.throws(() => embedderInput(new Float32Array(5), 2), /2×2/));
});

describe('combineEmbeddings', () => {
  it('averages then L2-normalises', () => {
    const combined = combineEmbeddings([new Float32Array([1, 0]), new Float32Array([0, 1])]);
    assert.ok(Math.abs(combined[0]! - Math.SQRT1_2) < 1e-6 && Math.abs(combined[1]! - Math.SQRT1_2) < 1e-6);
    const single = combineEmbeddings([new Float32Array([3, 4])]);
    assert.deepEqual(
      [...single].map((v) => Math.round(v * 1e6) / 1e6),
      [0.6, 0.8],
    );
  });
  it('needs at least one embedding', () => assert.throws(() => combineEmbeddings([]), /no embeddings/));
});
