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
