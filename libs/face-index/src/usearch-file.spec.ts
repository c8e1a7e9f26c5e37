import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AnnGraph, toKeys } from './ann.js';
import {
  freeUsearchKeysInPlace,
  installedUsearchVersion,
  readSlotKeys,
  readVectorBytes,
  rewriteUsearchVectors,
  USEARCH_SCALAR_KIND,
  withUsearchFile,
} from './usearch-file.js';
import { quantizeInt8MaxAbs } from './vector-storage.js';
import { SyntheticFaceSpace } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'usearch-file-spec-'));
after(() => rmSync(root, { recursive: true, force: true }));
const space = new SyntheticFaceSpace({ dimension: 32, seed: 5 });

function graphOf(storage: 'float16' | 'int8', keys: number[]): AnnGraph {
  const graph = new AnnGraph({
    dimension: 32,
    storage,
    connectivity: 8,
    expansionAdd: 32,
    expansionSearch: 32,
  });
  const d = 32;
  const vectors = storage === 'int8' ? new Int8Array(keys.length * d) : new Float32Array(keys.length * d);
  keys.forEach((key, i) =>
    vectors.set(storage === 'int8' ? quantizeInt8MaxAbs(space.face(key, 0)) : space.face(key, 0), i * d),
  );
  graph.add(toKeys(keys), vectors, 1);
  return graph;
}

test('reads header, slot keys and stored bytes of a saved graph', () => {
  const keys = Array.from({ length: 500 }, (_, i) => i * 3 + 7);
  const path = join(root, 'int8.usearch');
  graphOf('int8', keys).save(path);
  withUsearchFile(path, (fd, layout) => {
    assert.equal(layout.rows, 500);
    assert.equal(layout.dimensions, 32);
    assert.equal(layout.bytesPerVector, 32);
    assert.equal(layout.scalarKind, USEARCH_SCALAR_KIND.i8);
    assert.equal(
      `${layout.version.major}.${layout.version.minor}.${layout.version.patch}`,
      installedUsearchVersion(),
    );
    assert.equal(layout.graph.connectivity, 8);
    const slotKeys = readSlotKeys(fd, layout);
    assert.deepEqual(
      [...slotKeys].sort((a, b) => a - b),
      keys,
    );
    // Every slot holds exactly the int8 bytes given for its key: the max-abs quantisation survives the binding.
    const bytes = readVectorBytes(fd, layout, 0, layout.rows);
    slotKeys.forEach((key, slot) => {
      const stored = new Int8Array(bytes.buffer, bytes.byteOffset + slot * 32, 32);
      assert.deepEqual(stored, quantizeInt8MaxAbs(space.face(key, 0)));
    });
  });
});

test('removed vectors keep their slot with the free key (-1 here)', () => {
  const graph = graphOf('float16', [1, 2, 3, 4, 5]);
  assert.deepEqual(graph.remove(toKeys([2, 4, 99])), [1, 1, 0]);
  const path = join(root, 'removed.usearch');
  graph.save(path);
  withUsearchFile(path, (fd, layout) => {
    assert.equal(layout.countPresent, 3);
    assert.equal(layout.countDeleted, 2);
    assert.equal(layout.bytesPerVector, 64);
    const keys = [...readSlotKeys(fd, layout)];
    assert.deepEqual(keys.filter((k) => k >= 0).sort(), [1, 3, 5]);
    assert.equal(keys.filter((k) => k === -1).length, 2);
  });
});

test("a rewrite that frees keys writes what usearch's remove and save write, byte for byte", async () => {
  const keys = Array.from({ length: 400 }, (_, i) => i);
  const gone = [0, 3, 150, 151, 398, 399];
  const original = join(root, 'to-free.usearch');
  graphOf('float16', keys).save(original);
  const removed = new AnnGraph({
    dimension: 32,
    storage: 'float16',
    connectivity: 8,
    expansionAdd: 32,
    expansionSearch: 32,
  });
  removed.load(original);
  removed.remove(toKeys(gone));
  const expected = join(root, 'removed-by-usearch.usearch');
  removed.save(expected);
  const float16 = { scalarKind: USEARCH_SCALAR_KIND.f16, bytesPerVector: 64 };
  // Chunks of 64 and 77 bytes split some of the 8-byte keys across two chunks.
  for (const copyBytes of [undefined, 64, 77]) {
    const freed = join(root, `freed-${copyBytes ?? 'default'}.usearch`);
    const { source, target } = await rewriteUsearchVectors(
      original,
      freed,
      float16,
      (_s, _c, _k, rows) => rows,
      {
        freeKeys: new Set(gone),
        hashSource: true,
        hashTarget: true,
        ...(copyBytes ? { copyBytes } : {}),
      },
    );
    assert.ok(readFileSync(freed).equals(readFileSync(expected)), `copyBytes ${copyBytes}`);
    // The source's digest, taken as it was read (before the freed keys were written into the copy).
    const originalBytes = readFileSync(original);
    assert.deepEqual(source, {
      sha256: createHash('sha256').update(originalBytes).digest('hex'),
      size: originalBytes.length,
    });
    // The copy's digest, taken as it was written (the freed keys included).
    const freedBytes = readFileSync(freed);
    assert.deepEqual(target, {
      sha256: createHash('sha256').update(freedBytes).digest('hex'),
      size: freedBytes.length,
    });
  }
  await assert.rejects(
    rewriteUsearchVectors(
      original,
      join(root, 'freed-missing.usearch'),
      float16,
      (_s, _c, _k, rows) => rows,
      {
        freeKeys: new Set([1, 1000]),
      },
    ),
    /1 of the 2 keys to remove are not in the file/,
  );

  // Freeing in the file itself writes the same bytes; a key that is not there leaves the file as it was.
  const inPlace = join(root, 'freed-in-place.usearch');
  writeFileSync(inPlace, readFileSync(original));
  assert.throws(() => freeUsearchKeysInPlace(inPlace, new Set([1, 1000])), /1 of the 2 keys/);
  assert.ok(readFileSync(inPlace).equals(readFileSync(original)));
  freeUsearchKeysInPlace(inPlace, new Set(gone));
  assert.ok(readFileSync(inPlace).equals(readFileSync(expected)));
});

test('a truncated or foreign file is refused with what is wrong', () => {
  const path = join(root, 'float16.usearch');
  graphOf('float16', [1, 2, 3]).save(path);
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 3));
  assert.throws(
    () => withUsearchFile(path, (fd, layout) => readSlotKeys(fd, layout)),
    /nodes end at byte \d+ but the file has \d+ bytes|beyond the end/,
  );
  writeFileSync(path, Buffer.alloc(200, 7));
  assert.throws(() => withUsearchFile(path, () => undefined), /claims \d+ vectors|magic/);
  writeFileSync(path, Buffer.alloc(10));
  assert.throws(() => withUsearchFile(path, () => undefined), /too few for a usearch index/);
});
