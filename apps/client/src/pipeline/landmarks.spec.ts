import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANDMARK_POINT_COUNT, landmarksToImage, reduce68To5 } from './landmarks.js';

describe('reduce68To5', () => {
  it('averages the eye lids and mouth corners and takes the nose tip (iBUG indices)', () => {
    const flat = new Float32Array(LANDMARK_POINT_COUNT * 2).fill(-1000); // any unused point would spoil a mean
    const set = (i: number, x: number, y: number) => flat.set([x, y], i * 2);
    [37, 38, 40, 41].forEach((i, k) => set(i, 10 + k, 20 + k)); // left eye: mean (11.5, 21.5)
    [43, 44, 46, 47].forEach((i, k) => set(i, 50 + 2 * k, 20)); // right eye: mean (53, 20)
    set(30, 32, 40); // nose tip
    set(48, 12, 60);
    set(60, 16, 62); // left mouth: (14, 61)
    set(54, 52, 60);
    set(64, 48, 58); // right mouth: (50, 59)
    assert.deepEqual(reduce68To5(flat), [
      [11.5, 21.5],
      [53, 20],
      [32, 40],
      [14, 61],
      [50, 59],
    ]);
  });
  it('rejects another point count', () =>
    assert.throws(() => reduce68To5(new Float32Array(10)), /68 landmark points/));
});

describe('landmarksToImage', () => {
  it('maps crop-normalised points to image pixels', () => {
    assert.deepEqual(
      [...landmarksToImage([0, 0, 0.5, 1, 1, 0.25], { x: -10, y: 20, side: 80 })],
      [-10, 20, 30, 100, 70, 40],
    );
  });
});
