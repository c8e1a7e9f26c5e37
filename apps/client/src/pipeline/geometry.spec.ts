import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clipCorners,
  coveredFraction,
  intersectionOverUnion,
  landmarkSquare,
  nonMaximumSuppression,
  type Corners,
} from './geometry.js';

const scored = (corners: Corners, score: number) => ({ corners, score });

describe('intersectionOverUnion / coveredFraction', () => {
  it('computes overlap ratios', () => {
    assert.equal(intersectionOverUnion([0, 0, 10, 10], [0, 0, 10, 10]), 1);
    assert.equal(intersectionOverUnion([0, 0, 10, 10], [20, 20, 30, 30]), 0);
    assert.equal(intersectionOverUnion([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
    assert.equal(coveredFraction([2, 2, 4, 4], [0, 0, 10, 10]), 1);
    assert.equal(coveredFraction([5, 0, 15, 10], [0, 0, 10, 10]), 0.5);
    assert.equal(coveredFraction([0, 0, 0, 10], [0, 0, 10, 10]), 0);
  });
});

describe('nonMaximumSuppression', () => {
  it('keeps the best of overlapping boxes and every separate face, best first', () => {
    const kept = nonMaximumSuppression(
      [
        scored([0, 0, 10, 10], 0.7),
        scored([1, 1, 11, 11], 0.9),
        scored([50, 50, 60, 60], 0.8),
        scored([0.5, 0, 10.5, 10], 0.75),
      ],
      0.4,
    );
    assert.deepEqual(
      kept.map((k) => k.score),
      [0.9, 0.8],
    );
  });

  it('keeps neighbours that touch but do not overlap much', () => {
    const kept = nonMaximumSuppression([scored([0, 0, 10, 10], 0.9), scored([8, 0, 18, 10], 0.8)], 0.4, 0.5);
    assert.equal(kept.length, 2);
  });

  it('drops a box lying mostly inside a better one only when containment suppression is on', () => {
    const face = scored([0, 0, 100, 100], 0.99);
    const eyes = scored([10, 20, 50, 45], 0.87); // IoU with the face is 0.1
    assert.equal(nonMaximumSuppression([face, eyes], 0.4).length, 2);
    assert.deepEqual(nonMaximumSuppression([face, eyes], 0.4, 0.5), [face]);
  });
});

describe('box helpers', () => {
  it('clips to the image', () => assert.deepEqual(clipCorners([-5, 3, 120, 90], 100, 80), [0, 3, 100, 80]));
  it('makes the landmark square from the box height, same centre', () => {
    assert.deepEqual(landmarkSquare([10, 20, 50, 100]), [-10, 20, 80, 80]);
  });
});
