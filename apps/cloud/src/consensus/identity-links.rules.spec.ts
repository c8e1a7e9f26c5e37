import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centroid } from '@stash-sense/vectors';
import { suggestIdentityLinks } from './identity-links.rules.js';
import { Rng, identityCentre, samplePhoto } from './testing/builders.js';

const rng = new Rng(3);
const person = identityCentre(rng);
const other = identityCentre(rng);
/** A performer entry's trusted centroid: the mean of 20 photos of the person. */
const entry = (c: Float32Array) => centroid(Array.from({ length: 20 }, () => samplePhoto(rng, c)));

test('the same person on two stash-boxes is linked; a different person and the same stash-box are not', () => {
  const stashdb = {
    performerId: 'stashdb:1',
    endpointKey: 'stashdb',
    centroid: entry(person),
    trustedFaces: 20,
  };
  const fansdb = {
    performerId: 'fansdb:9',
    endpointKey: 'fansdb',
    centroid: entry(person),
    trustedFaces: 12,
  };
  const duplicate = {
    performerId: 'stashdb:2',
    endpointKey: 'stashdb',
    centroid: entry(person),
    trustedFaces: 12,
  };
  const stranger = { performerId: 'tpdb:5', endpointKey: 'tpdb', centroid: entry(other), trustedFaces: 40 };
  const links = suggestIdentityLinks([stranger, fansdb, duplicate, stashdb]);
  assert.deepEqual(links.map((l) => [l.a, l.b]).sort(), [
    ['fansdb:9', 'stashdb:1'],
    ['fansdb:9', 'stashdb:2'],
  ]);
  assert.ok(links.every((l) => l.distance < 0.25));
  assert.ok(links[0]!.distance <= links[1]!.distance, 'nearest first');
});

test('performers with too few trusted faces are not compared; mixed dimensions are refused', () => {
  const a = { performerId: 'a', endpointKey: 'x', centroid: entry(person), trustedFaces: 4 };
  const b = { performerId: 'b', endpointKey: 'y', centroid: entry(person), trustedFaces: 50 };
  assert.deepEqual(suggestIdentityLinks([a, b]), []);
  assert.equal(suggestIdentityLinks([{ ...a, trustedFaces: 5 }, b]).length, 1);
  assert.throws(
    () => suggestIdentityLinks([b, { ...a, trustedFaces: 9, centroid: new Float32Array(128).fill(0.088) }]),
    /compare one embedding model at a time/,
  );
});
