import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { FaceIndexStorage } from '@stash-sense/contracts';
import { FACE_INDEX_FILES } from './constants.js';
import { applyIndexDelta, readIndexDeltaHeader, writeIndexDelta } from './delta.js';
import { FaceIndexError } from './errors.js';
import { FaceIndex } from './face-index.js';
import { FaceIndexWriter } from './face-index-writer.js';
import { readManifest } from './manifest.js';
import { SyntheticFaceSpace } from './synthetic.js';

const DIM = 64;
const MODEL = { name: 'synthetic', version: '1', dimension: DIM, metric: 'cosine' as const };
const space = new SyntheticFaceSpace({ dimension: DIM, seed: 5 });
const FILES = [
  FACE_INDEX_FILES.manifest,
  FACE_INDEX_FILES.performers,
  FACE_INDEX_FILES.faceTable,
  FACE_INDEX_FILES.ann,
];

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'face-index-delta-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function addPerformer(writer: FaceIndexWriter, p: number, faces: number): void {
  writer.addPerformer({
    id: p,
    name: `Performer ${p}`,
    stashIds: [
      {
        endpoint: 'https://stashdb.org/graphql',
        stashId: `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`,
      },
    ],
  });
  writer.addFaces(
    p,
    Array.from({ length: faces }, (_, f) => space.face(p, f)),
  );
}

/** parent (v1) → child (v2): new faces, new performers, removed faces, a removed performer, a rename. */
async function family(
  name: string,
  storage: FaceIndexStorage,
): Promise<{ v1: string; v2: string; v3: string }> {
  const v1 = join(root, name, 'v1');
  const v2 = join(root, name, 'v2');
  const v3 = join(root, name, 'v3');
  const first = FaceIndexWriter.create({ model: MODEL, storage });
  for (let p = 0; p < 120; p++) addPerformer(first, p, 1 + (p % 6));
  await first.write(v1, { indexVersion: `${name}.1`, createdAt: new Date('2026-12-01T00:00:00Z') });

  const second = await FaceIndexWriter.fromParent(v1);
  for (let p = 120; p < 150; p++) addPerformer(second, p, 3);
  second.addFaces(7, [space.face(7, 40), space.face(7, 41)]);
  // Added and withdrawn again before the write: an id in the new range that is removed in the child.
  second.removeFaces(second.addFaces(8, [space.face(8, 40)]));
  second.removeFaces([0, 5, 9, 33, 100]);
  second.removePerformer(12);
  second.updatePerformer(3, { name: 'Renamed Performer', country: 'FR' });
  await second.write(v2, { indexVersion: `${name}.2`, createdAt: new Date('2026-12-02T00:00:00Z') });

  const third = await FaceIndexWriter.fromParent(v2);
  for (let p = 150; p < 160; p++) addPerformer(third, p, 2);
  third.removePerformerFaces(20);
  third.removeFaces(third.faceIdsOf(130).slice(0, 1));
  await third.write(v3, { indexVersion: `${name}.3`, createdAt: new Date('2026-12-03T00:00:00Z') });
  return { v1, v2, v3 };
}

function assertSameFiles(actual: string, expected: string): void {
  for (const name of FILES) {
    assert.ok(
      readFileSync(join(actual, name)).equals(readFileSync(join(expected, name))),
      `${name} differs from the full version`,
    );
  }
}

for (const storage of ['float16', 'int8'] as const) {
  describe(`index delta (${storage})`, () => {
    let dirs: { v1: string; v2: string; v3: string };
    before(async () => {
      dirs = await family(storage, storage);
    });

    test('parent + delta gives byte-identical files, and chains v1 → v2 → v3', async () => {
      const delta12 = join(root, storage, 'v1-v2.delta');
      const summary = await writeIndexDelta(dirs.v1, dirs.v2, delta12);
      assert.equal(summary.facesAdded, 30 * 3 + 2);
      assert.equal(summary.facesRemoved, 5 + 1 + (12 % 6)); // face list + performer 12's faces
      assert.equal(summary.performersRemoved, 1);
      assert.ok(summary.performersUpserted >= 31, 'new performers, rename and face-count changes');
      const header = await readIndexDeltaHeader(delta12);
      assert.equal(header.parentVersion, `${storage}.1`);
      assert.equal(header.childVersion, `${storage}.2`);
      assert.equal(header.child.createdAt, '2026-12-02T00:00:00.000Z');

      const out2 = join(root, storage, 'applied-v2');
      const expected2 = await readManifest(dirs.v2);
      await applyIndexDelta(dirs.v1, delta12, out2, expected2);
      assertSameFiles(out2, dirs.v2);

      const delta23 = join(root, storage, 'v2-v3.delta');
      await writeIndexDelta(dirs.v2, dirs.v3, delta23);
      const out3 = join(root, storage, 'applied-v3');
      await applyIndexDelta(out2, delta23, out3, await readManifest(dirs.v3));
      assertSameFiles(out3, dirs.v3);

      const index = await FaceIndex.open(out3, { verify: true });
      try {
        assert.equal(index.performers.get(3)?.name, 'Renamed Performer');
        assert.equal(index.performers.get(12), undefined);
        const [hit] = index.searchPerformers(space.face(140, 9), 1);
        assert.equal(hit?.performer.id, 140);
      } finally {
        index.close();
      }
      // The delta is much smaller than the version it builds.
      const full = FILES.reduce((sum, name) => sum + readFileSync(join(dirs.v2, name)).length, 0);
      assert.ok(summary.bytes < full, `delta ${summary.bytes} B vs full ${full} B`);
    });

    test('a tampered delta is refused and leaves nothing behind', async () => {
      const delta = join(root, storage, 'tamper.delta');
      await writeIndexDelta(dirs.v1, dirs.v2, delta);
      const raw = gunzipSync(readFileSync(delta));
      const expected = await readManifest(dirs.v2);
      const headerEnd = raw.indexOf(0x0a) + 1;
      // A flipped byte in the added vectors, in the graph patches (near the end), in the performers.
      const perf = raw.indexOf(Buffer.from('{"id":'), headerEnd);
      for (const [label, offset] of [
        ['vector', headerEnd + 200],
        ['graph', raw.length - 40],
        ['performer', perf + 12],
      ] as const) {
        const bad = Buffer.from(raw);
        bad[offset]! ^= 0x01;
        const badFile = join(root, storage, `tampered-${label}.delta`);
        writeFileSync(badFile, gzipSync(bad));
        const out = join(root, storage, `tampered-${label}`);
        await assert.rejects(applyIndexDelta(dirs.v1, badFile, out, expected), (error: unknown) => {
          assert.ok(error instanceof FaceIndexError, `${label}: ${String(error)}`);
          return true;
        });
        assert.equal(existsSync(out), false, `${label}: nothing installed`);
      }
      // Truncated.
      const truncated = join(root, storage, 'truncated.delta');
      writeFileSync(truncated, gzipSync(raw.subarray(0, raw.length - 100)));
      await assert.rejects(
        applyIndexDelta(dirs.v1, truncated, join(root, storage, 'truncated'), expected),
        (error: unknown) => error instanceof FaceIndexError && /truncated/.test(error.message),
      );
      // A delta for another parent, or another target.
      await assert.rejects(
        applyIndexDelta(dirs.v2, delta, join(root, storage, 'wrong-parent'), expected),
        (error: unknown) => error instanceof FaceIndexError && /applies to version/.test(error.message),
      );
      await assert.rejects(
        applyIndexDelta(dirs.v1, delta, join(root, storage, 'wrong-target'), await readManifest(dirs.v3)),
        (error: unknown) => error instanceof FaceIndexError && /builds/.test(error.message),
      );
    });
  });
}

test('a rebuild cannot be a delta', async () => {
  const { v1 } = await family('rebuild', 'float16');
  const rebuilt = join(root, 'rebuild', 'int8');
  const writer = await FaceIndexWriter.fromParent(v1, { rebuild: { storage: 'int8' } });
  await writer.write(rebuilt, { indexVersion: 'rebuild.9' });
  await assert.rejects(
    writeIndexDelta(v1, rebuilt, join(root, 'rebuild', 'x.delta')),
    (error: unknown) => error instanceof FaceIndexError && /full download/.test(error.message),
  );
});
