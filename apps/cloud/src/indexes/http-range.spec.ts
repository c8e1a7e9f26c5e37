import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesIfNoneMatch, parseRange } from './http-range.js';

describe('parseRange', () => {
  test('whole file without a header, with another unit, several ranges or bad syntax', () => {
    assert.equal(parseRange(undefined, 100), null);
    assert.equal(parseRange('items=0-1', 100), null);
    assert.equal(parseRange('bytes=0-1,5-6', 100), null);
    assert.equal(parseRange('bytes=-', 100), null);
    assert.equal(parseRange('bytes=9-3', 100), null);
  });
  test('first-last, open-ended and suffix ranges; the end is clamped to the file', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=90-1000', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { start: 0, end: 99 });
  });
  test('416 when no byte of the range exists', () => {
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=100-200', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  });
});

describe('matchesIfNoneMatch', () => {
  test('exact, listed, weak and star matches; anything else does not match', () => {
    assert.equal(matchesIfNoneMatch('"abc"', '"abc"'), true);
    assert.equal(matchesIfNoneMatch('"x", "abc"', '"abc"'), true);
    assert.equal(matchesIfNoneMatch('W/"abc"', '"abc"'), true);
    assert.equal(matchesIfNoneMatch('*', '"abc"'), true);
    assert.equal(matchesIfNoneMatch('"abd"', '"abc"'), false);
    assert.equal(matchesIfNoneMatch(undefined, '"abc"'), false);
  });
});
