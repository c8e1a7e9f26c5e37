import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PIPELINE_DEFAULTS } from './defaults.js';
import { combineQuality, estimatePose, laplacianVariance, poseScore, sharpnessScore } from './quality.js';
import type { Point } from './types.js';

function checkerboard(size: number, cell: number, contrast: number): Float32Array {
  const g = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      g[y * size + x] = ((Math.floor(x / cell) + Math.floor(y / cell)) % 2) * contrast;
  return g;
}

function boxBlur(g: Float32Array, size: number): Float32Array {
  const out = new Float32Array(g.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let s = 0, n = 0; // prettier-ignore
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const yy = Math.min(size - 1, Math.max(0, y + dy));
          const xx = Math.min(size - 1, Math.max(0, x + dx));
          s += g[yy * size + xx]!;
          n++;
        }
      out[y * size + x] = s / n;
    }
  return out;
}

describe('sharpness', () => {
  it('is 0 on a flat image and on a linear ramp', () => {
    assert.equal(laplacianVariance(new Float32Array(64 * 64).fill(90), 64, 64), 0);
    const ramp = new Float32Array(64 * 64).map((_, i) => (i % 64) * 3);
    assert.ok(laplacianVariance(ramp, 64, 64) < 1e-9);
  });

  it('falls when the image is blurred and rises with contrast', () => {
    const sharp = checkerboard(112, 4, 100);
    const blurred = boxBlur(sharp, 112);
    const vSharp = laplacianVariance(sharp, 112, 112, 16);
    const vBlur = laplacianVariance(blurred, 112, 112, 16);
    assert.ok(vBlur < vSharp / 10, `${vBlur} vs ${vSharp}`);
    assert.ok(laplacianVariance(checkerboard(112, 4, 200), 112, 112, 16) > vSharp);
    assert.ok(sharpnessScore(vBlur) < sharpnessScore(vSharp));
  });

  it('maps the variance into [0,1) with 0.5 at the configured half point', () => {
    assert.equal(sharpnessScore(0), 0);
    assert.equal(sharpnessScore(PIPELINE_DEFAULTS.quality.sharpnessHalf), 0.5);
    assert.ok(sharpnessScore(1e9) < 1);
  });
});

/** Projects a simple 3-D head (eyes ±1 apart, nose tip 0.5 in front, mouth below) turned by yaw, then rolled. */
function headPoints(yawDeg: number, rollDeg: number): Point[] {
  const depth = PIPELINE_DEFAULTS.quality.noseDepthRatio; // in units of the eye distance (2 here → scale below)
  const model: [number, number, number][] = [[-1, 0, 0], [1, 0, 0], [0, 1, 2 * depth], [-0.8, 2, 0], [0.8, 2, 0]]; // prettier-ignore
  const yaw = (yawDeg * Math.PI) / 180;
  const roll = (rollDeg * Math.PI) / 180;
  return model.map(([x, y, z]) => {
    const px = x * Math.cos(yaw) + z * Math.sin(yaw);
    return [
      100 + 40 * (px * Math.cos(roll) - y * Math.sin(roll)),
      100 + 40 * (px * Math.sin(roll) + y * Math.cos(roll)),
    ] as Point;
  });
}

describe('estimatePose', () => {
  it('recovers yaw and roll of the head model it assumes', () => {
    for (const [yaw, roll] of [
      [0, 0],
      [30, 0],
      [-45, 0],
      [20, 15],
      [-10, -30],
    ]) {
      const pose = estimatePose(headPoints(yaw!, roll!));
      assert.ok(Math.abs(pose.yaw - yaw!) < 0.5, `yaw ${pose.yaw} vs ${yaw}`);
      assert.ok(Math.abs(pose.roll - roll!) < 0.5, `roll ${pose.roll} vs ${roll}`);
    }
  });
  it('needs the five points', () => assert.throws(() => estimatePose([[0, 0]]), /5 face points/));
});

describe('poseScore and combineQuality', () => {
  it('is 1 when frontal, 0 at profile, linear between', () => {
    const { frontalYaw, profileYaw } = PIPELINE_DEFAULTS.quality;
    assert.equal(poseScore(0), 1);
    assert.equal(poseScore(-frontalYaw), 1);
    assert.equal(poseScore(profileYaw), 0);
    assert.equal(poseScore(-90), 0);
    assert.ok(Math.abs(poseScore((frontalYaw + profileYaw) / 2) - 0.5) < 1e-9);
  });
  it('multiplies sharpness and pose', () => {
    assert.equal(combineQuality(0.8, 0.5), 0.4);
    assert.equal(combineQuality(0.9, 0), 0);
  });
});
