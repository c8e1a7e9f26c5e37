import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMainCluster } from './coherence.rules.js';
import { CONSENSUS_DEFAULTS } from './consensus.config.js';
import { Rng, identityCentre, sampleFace, sessionLook } from './testing/builders.js';

const config = CONSENSUS_DEFAULTS.coherence;
const rng = new Rng(11);
const P = identityCentre(rng);
const Q = identityCentre(rng);

function faces(centre: Float32Array, n: number) {
  const look = sessionLook(rng);
  return Array.from({ length: n }, () => sampleFace(rng, centre, look));
}

test('the majority identity is kept and the other identity\u2019s faces are outliers, wherever they sit', () => {
  const mixed = [...faces(Q, 3), ...faces(P, 10), ...faces(Q, 2)];
  const cluster = findMainCluster(mixed, config);
  assert.deepEqual(cluster.outliers, [0, 1, 2, 13, 14]);
  assert.equal(cluster.kept.length, 10);
  assert.ok(Math.abs(cluster.share - 10 / 15) < 1e-12);
  let d = 0;
  for (let i = 0; i < P.length; i++) d += cluster.centre![i]! * P[i]!;
  assert.ok(1 - d < 0.15, `centre ${1 - d} from the identity`);
});

test('a half-and-half mix has no majority (share ≤ 0.5)', () => {
  const cluster = findMainCluster([...faces(P, 8), ...faces(Q, 8)], config);
  assert.ok(cluster.share <= 0.5, `share ${cluster.share}`);
});

test('with more faces than seed candidates the majority is still found (sampled seeds)', () => {
  const many = [...faces(P, 150), ...faces(Q, 30)];
  const cluster = findMainCluster(many, { ...config, maxSeedCandidates: 16 });
  assert.equal(cluster.kept.length, 150);
  assert.ok(cluster.outliers.every((i) => i >= 150));
});

test('no faces: empty result', () => {
  assert.deepEqual(findMainCluster([], config), { kept: [], outliers: [], centre: null, share: 0 });
});
