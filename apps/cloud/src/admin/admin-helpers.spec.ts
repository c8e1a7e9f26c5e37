import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCursor, encodeCursor, pageOf } from './cursor.js';
import { dailySeries, windowStart } from './daily-series.js';
import { stashBoxPerformerUrl, stashBoxSceneUrl } from './stash-box-links.js';

describe('admin helpers', () => {
  test('stash-box page links come from the GraphQL URL', () => {
    assert.equal(stashBoxSceneUrl('https://stashdb.org/graphql', 'abc'), 'https://stashdb.org/scenes/abc');
    assert.equal(
      stashBoxPerformerUrl('http://127.0.0.1:9999/graphql/', 'a b'),
      'http://127.0.0.1:9999/performers/a%20b',
    );
    assert.equal(stashBoxSceneUrl('https://box.example/api', 'x'), 'https://box.example/api/scenes/x');
  });

  test('cursors round-trip and refuse anything else', () => {
    const c = encodeCursor(['2026-12-01T00:00:00.000Z', 'id-1', 3]);
    assert.deepEqual(decodeCursor(c, ['string', 'string', 'number'] as const), [
      '2026-12-01T00:00:00.000Z',
      'id-1',
      3,
    ]);
    assert.throws(() => decodeCursor(c, ['string', 'string'] as const), /invalid cursor/);
    assert.throws(() => decodeCursor('not json', ['string'] as const), /invalid cursor/);
    assert.throws(() => decodeCursor(encodeCursor([1]), ['string'] as const), /invalid cursor/);
  });

  test('pageOf keeps limit rows and a cursor only when more exist', () => {
    const rows = [1, 2, 3];
    assert.deepEqual(
      pageOf(rows, 3, String, (r) => [r]),
      { items: ['1', '2', '3'], nextCursor: null },
    );
    const page = pageOf(rows, 2, String, (r) => [r]);
    assert.deepEqual(page.items, ['1', '2']);
    assert.deepEqual(decodeCursor(page.nextCursor!, ['number'] as const), [2]);
  });
});

describe('daily series', () => {
  test('fills the days without rows, oldest first, in UTC', () => {
    const start = windowStart(new Date('2026-12-10T23:30:00Z'), 3);
    assert.equal(start.toISOString(), '2026-12-08T00:00:00.000Z');
    const series = dailySeries(start, 3, [{ day: '2026-12-09', n: 4 }], (day) => ({ day, n: 0 }));
    assert.deepEqual(series, [
      { day: '2026-12-08', n: 0 },
      { day: '2026-12-09', n: 4 },
      { day: '2026-12-10', n: 0 },
    ]);
  });
});
