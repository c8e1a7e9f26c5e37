import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bandOf, confidenceOf } from './confidence.js';
import { IDENTIFY_DEFAULTS } from './identify.config.js';

test('bands follow the seed table: <0.4 high, 0.4–0.6 likely, 0.6–0.8 possible, ≥0.8 unlikely', () => {
  assert.equal(bandOf(0), 'high');
  assert.equal(bandOf(0.399), 'high');
  assert.equal(bandOf(0.4), 'likely');
  assert.equal(bandOf(0.599), 'likely');
  assert.equal(bandOf(0.6), 'possible');
  assert.equal(bandOf(0.799), 'possible');
  assert.equal(bandOf(0.8), 'unlikely');
  assert.equal(bandOf(1.7), 'unlikely');
  assert.equal(bandOf(0.45, { high: 0.5, likely: 0.6, possible: 0.7 }), 'high');
});

test('confidence is 1 − distance clipped to [0, 1]', () => {
  assert.equal(confidenceOf(0), 1);
  assert.equal(confidenceOf(0.25), 0.75);
  assert.equal(confidenceOf(1.3), 0);
  assert.equal(confidenceOf(-0.000001), 1);
});

test('the open-set threshold lies inside the "likely" band and below the support limit', () => {
  const { unknownDistance, bands, minConfidence } = IDENTIFY_DEFAULTS;
  assert.ok(unknownDistance > bands.high && unknownDistance <= bands.likely);
  assert.ok(unknownDistance <= 1 - minConfidence);
});
