import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyntheticFaceSpace } from '@stash-sense/face-index';
import { ExactPerformerSearch } from './exact-performer-search.js';
import { IDENTIFY_DEFAULTS } from './identify.config.js';
import { assignPerformers, identifyFaces } from './match.js';
import type { Candidate } from './types.js';

// 512-d synthetic space: same-performer faces ≈0.40 apart, look-alikes (same group of 20) ≈0.79, strangers ≈1.0.
const space = new SyntheticFaceSpace({ dimension: 512, seed: 21 });
const PERFORMERS = 40;
const gallery = new ExactPerformerSearch(
  Array.from({ length: PERFORMERS }, (_, p) => ({
    performer: {
      id: p,
      name: `P${p}`,
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: `s${p}` }],
    },
    embeddings: [0, 1, 2].map((f) => space.face(p, f)),
  })),
);

test('a known face gets its performer with distance, confidence and band', () => {
  const [result] = identifyFaces(gallery, [{ embedding: space.face(7, 50) }]);
  assert.equal(result!.bestMatch?.performer.id, 7);
  const best = result!.bestMatch!;
  assert.ok(best.distance < IDENTIFY_DEFAULTS.unknownDistance);
  assert.equal(best.confidence, 1 - best.distance);
  assert.equal(best.band, best.distance < 0.4 ? 'high' : 'likely');
  assert.equal(result!.candidates.length, IDENTIFY_DEFAULTS.topK);
  assert.deepEqual(result!.candidates[0], best);
  for (let i = 1; i < result!.candidates.length; i++)
    assert.ok(result!.candidates[i]!.distance >= result!.candidates[i - 1]!.distance);
});

test('an unknown person comes back unknown: candidates listed, none forced', () => {
  const results = identifyFaces(
    gallery,
    [0, 1, 2].map((i) => ({ embedding: space.stranger(i) })),
    { topK: 3 },
  );
  for (const result of results) {
    assert.equal(result.bestMatch, null);
    assert.equal(result.candidates.length, 3);
    assert.ok(
      result.candidates.every((c) => c.distance > IDENTIFY_DEFAULTS.unknownDistance && c.band !== 'high'),
    );
  }
});

test('the open-set threshold decides; a looser config accepts the same face', () => {
  const face = { embedding: space.face(3, 60, space.faceNoise * 3) }; // a poor photo: ≈0.65 from the gallery
  const [strict] = identifyFaces(gallery, [face]);
  const distance = strict!.candidates[0]!.distance;
  assert.ok(
    distance > IDENTIFY_DEFAULTS.unknownDistance && strict!.candidates[0]!.performer.id === 3,
    `distance ${distance}`,
  );
  assert.equal(strict!.bestMatch, null);
  const [loose] = identifyFaces(gallery, [face], { config: { unknownDistance: distance + 0.01 } });
  assert.equal(loose!.bestMatch?.performer.id, 3);
});

test('two faces of one image never get the same performer; the closer face keeps it', () => {
  const close = { embedding: space.face(5, 70) };
  const farther = { embedding: space.face(5, 71, space.faceNoise * 1.2) };
  const [a, b] = identifyFaces(gallery, [farther, close]);
  assert.equal(b!.bestMatch?.performer.id, 5);
  assert.notEqual(a!.bestMatch?.performer.id, 5);
  assert.equal(a!.candidates[0]!.performer.id, 5); // still listed as a candidate
  const [x, y] = identifyFaces(gallery, [farther, close], { exclusive: false });
  assert.equal(x!.bestMatch?.performer.id, 5);
  assert.equal(y!.bestMatch?.performer.id, 5);
});

test('assignPerformers hands the freed face its next eligible candidate', () => {
  const c = (id: number, distance: number): Candidate => ({
    performer: { id, name: `P${id}`, stashIds: [], faceCount: 1 },
    distance,
    confidence: 1 - distance,
    band: 'high',
  });
  const result = assignPerformers(
    [[c(1, 0.3), c(2, 0.35)], [c(1, 0.2)], [c(1, 0.25), c(3, 0.9)]],
    0.55,
    true,
  );
  assert.deepEqual(
    result.map((r) => r?.performer.id ?? null),
    [2, 1, null],
  );
});

test('bad topK is refused', () => {
  assert.throws(() => identifyFaces(gallery, [], { topK: 0 }), /topK must be a positive integer/);
  assert.deepEqual(identifyFaces(gallery, []), []);
});
