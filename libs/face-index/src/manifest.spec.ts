import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexManifest } from '@stash-sense/contracts';
import { FaceIndexError } from './errors.js';
import { parseManifest, serializeManifest } from './manifest.js';

const manifest: IndexManifest = {
  formatVersion: 1,
  indexVersion: '2026.11.25-1',
  createdAt: '2026-11-25T12:00:00.000Z',
  parentVersion: null,
  model: { name: 'fr_feature', version: '0.0.1', dimension: 512, metric: 'cosine' },
  storage: 'float16',
  counts: { performers: 2, faces: 3 },
  ann: { library: 'usearch', version: '2.25.3', connectivity: 16, expansionAdd: 128, expansionSearch: 64 },
  files: [{ name: 'faces.u32', sha256: 'a'.repeat(64), size: 12 }],
};

test('serialised manifests are canonical and parse back', () => {
  const text = serializeManifest(manifest);
  assert.match(text, /^\{"ann":\{"connectivity":16,/);
  assert.ok(text.endsWith('}\n') && !text.includes(' '));
  assert.deepEqual(parseManifest(text, 'x'), manifest);
});

test('schema problems are listed by field', () => {
  const bad = {
    ...manifest,
    files: [...manifest.files, manifest.files[0]!],
    counts: { performers: -1, faces: 3 },
  };
  assert.throws(
    () => parseManifest(JSON.stringify(bad), 'idx'),
    (e: unknown) =>
      e instanceof FaceIndexError &&
      e.code === 'manifest_invalid' &&
      /counts\.performers:/.test(e.message) &&
      /file names must be unique/.test(e.message),
  );
  assert.throws(
    () =>
      parseManifest(
        JSON.stringify({ ...manifest, files: [{ ...manifest.files[0], name: '../etc' }] }),
        'idx',
      ),
    /files\.0\.name/,
  );
});

test('format versions other than 1 are refused with what to do', () => {
  assert.throws(
    () => parseManifest(JSON.stringify({ ...manifest, formatVersion: 3 }), 'idx'),
    /newer than this software understands .*upgrade Stash Sense/,
  );
  assert.throws(
    () => parseManifest(JSON.stringify({ ...manifest, formatVersion: 0 }), 'idx'),
    /no longer supported/,
  );
});
