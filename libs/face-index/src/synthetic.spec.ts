import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineDistance, l2Norm } from '@stash-sense/vectors';
import { seededRandom, SyntheticFaceSpace } from './synthetic.js';

test('seededRandom is deterministic and uniform-ish', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const values = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    values.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
  assert.ok(values.every((x) => x >= 0 && x < 1));
});

test('faces are unit vectors, regenerated identically, with the documented distance structure', () => {
  const space = new SyntheticFaceSpace({ dimension: 512, seed: 3 });
  const again = new SyntheticFaceSpace({ dimension: 512, seed: 3 });
  assert.deepEqual(space.face(5, 2), again.face(5, 2));
  assert.ok(Math.abs(l2Norm(space.face(5, 2)) - 1) < 1e-5);
  const avg = (pairs: [Float32Array, Float32Array][]) =>
    pairs.reduce((s, [x, y]) => s + cosineDistance(x, y), 0) / pairs.length;
  const same = avg(Array.from({ length: 30 }, (_, i) => [space.face(i, 0), space.face(i, 1)]));
  const lookAlike = avg(
    Array.from({ length: 30 }, (_, i) => [space.face(i, 0), space.face(i + 1 === 20 ? 0 : i + 1, 1)]),
  );
  const strangers = avg(Array.from({ length: 30 }, (_, i) => [space.face(i, 0), space.stranger(i)]));
  assert.ok(Math.abs(same - 0.4) < 0.05, `same performer ${same}`);
  assert.ok(Math.abs(lookAlike - 0.79) < 0.06, `look-alikes ${lookAlike}`);
  assert.ok(Math.abs(strangers - 1) < 0.08, `strangers ${strangers}`);
});

test('the distance structure holds in other dimensions', () => {
  const space = new SyntheticFaceSpace({ dimension: 128, seed: 4 });
  let same = 0;
  for (let i = 0; i < 40; i++) same += cosineDistance(space.face(i, 0), space.face(i, 1)) / 40;
  assert.ok(Math.abs(same - 0.4) < 0.06, `same performer ${same}`);
});

test('intrinsicDimension keeps the distances and widens the strangers’ spread to ≈1/√k', () => {
  const spread = (space: SyntheticFaceSpace) => {
    const d = Array.from({ length: 400 }, (_, i) => cosineDistance(space.face(i * 20, 0), space.stranger(i)));
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    return { mean, std: Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length) };
  };
  const low = new SyntheticFaceSpace({ dimension: 512, seed: 5, intrinsicDimension: 100 });
  const iso = new SyntheticFaceSpace({ dimension: 512, seed: 5 });
  const v = low.face(7, 1);
  assert.equal(v.length, 512);
  assert.ok(Math.abs(l2Norm(v) - 1) < 1e-5);
  assert.deepEqual(
    v,
    new SyntheticFaceSpace({ dimension: 512, seed: 5, intrinsicDimension: 100 }).face(7, 1),
  );
  let same = 0;
  for (let i = 0; i < 40; i++) same += cosineDistance(low.face(i, 0), low.face(i, 1)) / 40;
  assert.ok(Math.abs(same - 0.4) < 0.06, `same performer ${same}`);
  const [l, s] = [spread(low), spread(iso)];
  assert.ok(Math.abs(l.mean - 1) < 0.03 && Math.abs(s.mean - 1) < 0.03, `means ${l.mean} ${s.mean}`);
  assert.ok(Math.abs(l.std - 0.1) < 0.02, `intrinsic 100: spread ${l.std}`);
  assert.ok(Math.abs(s.std - 1 / Math.sqrt(512)) < 0.01, `isotropic: spread ${s.std}`);
  assert.throws(
    () => new SyntheticFaceSpace({ dimension: 64, intrinsicDimension: 100 }),
    /intrinsicDimension/,
  );
});
