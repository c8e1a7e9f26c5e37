import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ARCFACE_TEMPLATE_112,
  affineScale,
  applyAffine,
  estimateSimilarity,
  invertAffine,
  type Affine,
} from './align.js';
import type { Point } from './types.js';

function similarity(scale: number, angleDeg: number, tx: number, ty: number): Affine {
  const a = scale * Math.cos((angleDeg * Math.PI) / 180);
  const b = scale * Math.sin((angleDeg * Math.PI) / 180);
  return [a, -b, tx, b, a, ty];
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance: number) {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]!) <= tolerance, `index ${i}: ${v} vs ${expected[i]} (±${tolerance})`),
  );
}

describe('estimateSimilarity', () => {
  it('recovers known similarity transforms exactly from noiseless points', () => {
    for (const [scale, angle, tx, ty] of [
      [1, 0, 0, 0],
      [0.37, 12, -40.5, 18],
      [2.5, -170, 300, -7],
      [0.05, 90, 1, 2],
    ] as const) {
      const truth = similarity(scale, angle, tx, ty);
      const from: Point[] = [[100, 120], [160, 118], [131, 160], [108, 195], [155, 197]]; // prettier-ignore
      const to = from.map((p) => applyAffine(truth, p));
      assertClose(estimateSimilarity(from, to), truth, 1e-9);
    }
  });

  it('maps a face whose points are a scaled, rotated, shifted template back onto the template', () => {
    const placement = similarity(4.2, 25, 812, 433);
    const facePoints = ARCFACE_TEMPLATE_112.map((p) => applyAffine(placement, p));
    const toTemplate = estimateSimilarity(facePoints, ARCFACE_TEMPLATE_112);
    facePoints.forEach((p, i) => assertClose(applyAffine(toTemplate, p), ARCFACE_TEMPLATE_112[i]!, 1e-9));
    assert.ok(Math.abs(affineScale(toTemplate) - 1 / 4.2) < 1e-12);
  });

  it('gives the least-squares fit under noise: better than any perturbed transform', () => {
    const truth = similarity(1.3, -8, 5, 9);
    const from: Point[] = [[0, 0], [10, 1], [4, 7], [-3, 12], [9, 14]]; // prettier-ignore
    const noise = [
      [0.3, -0.2],
      [-0.4, 0.1],
      [0.2, 0.5],
      [-0.1, -0.3],
      [0.0, 0.2],
    ];
    const to = from.map((p, i) => {
      const q = applyAffine(truth, p);
      return [q[0] + noise[i]![0]!, q[1] + noise[i]![1]!] as Point;
    });
    const fit = estimateSimilarity(from, to);
    const error = (m: Affine) => from.reduce((sum, p, i) => {
      const q = applyAffine(m, p);
      return sum + (q[0] - to[i]![0]) ** 2 + (q[1] - to[i]![1]) ** 2;
    }, 0); // prettier-ignore
    for (const [s, a, x, y] of [
      [1.31, -8, 5, 9],
      [1.3, -7.9, 5, 9],
      [1.3, -8, 5.05, 9],
      [1.3, -8, 5, 8.95],
    ]) {
      assert.ok(error(fit) < error(similarity(s!, a!, x!, y!)));
    }
    assertClose(fit, truth, 0.2);
  });

  it('never reflects: mirrored points get a rotation, not a flip', () => {
    const from: Point[] = [[0, 0], [1, 0], [0, 1]]; // prettier-ignore
    const to: Point[] = [[0, 0], [-1, 0], [0, 1]]; // prettier-ignore
    const [a, b, , d, e] = estimateSimilarity(from, to);
    assert.ok(a * e - b * d >= 0);
  });

  it('rejects degenerate input with a message', () => {
    assert.throws(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]]), /coincide/); // prettier-ignore
    assert.throws(() => estimateSimilarity([[1, 1]], [[0, 0]]), /≥ 2/);
  });
});

describe('invertAffine', () => {
  it('undoes the transform', () => {
    const m: Affine = [0.8, -0.3, 12, 0.25, 1.1, -4];
    const inv = invertAffine(m);
    for (const p of [
      [0, 0],
      [5, -3],
      [100, 250],
    ] as Point[])
      assertClose(applyAffine(inv, applyAffine(m, p)), p, 1e-9);
  });
  it('refuses a singular matrix', () => assert.throws(() => invertAffine([1, 2, 0, 2, 4, 0]), /singular/));
});
