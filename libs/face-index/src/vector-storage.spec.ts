import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineDistance, float32ToFloat16 } from '@stash-sense/vectors';
import {
  decodeStoredBytes,
  encodeEmbedding,
  halfRowsToInt8,
  quantizeInt8MaxAbs,
  StoredRows,
} from './vector-storage.js';
import { SyntheticFaceSpace } from './synthetic.js';

test('max-abs int8 keeps cosine distances within 0.005 on 512-d unit vectors, fixed x·127 does not', () => {
  const space = new SyntheticFaceSpace({ dimension: 512, seed: 2 });
  let worst = 0;
  let worstFixed = 0;
  for (let i = 0; i < 20; i++) {
    const a = space.face(i, 0);
    const b = space.face(i, 1);
    const exact = cosineDistance(a, b);
    worst = Math.max(worst, Math.abs(cosineDistance(quantizeInt8MaxAbs(a), quantizeInt8MaxAbs(b)) - exact));
    const fixed = (v: Float32Array) => Int8Array.from(v, (x) => Math.trunc(x * 127));
    worstFixed = Math.max(worstFixed, Math.abs(cosineDistance(fixed(a), fixed(b)) - exact));
  }
  assert.ok(worst < 0.005, `max-abs error ${worst}`);
  assert.ok(worstFixed > 4 * worst, `fixed-scale error ${worstFixed} should be much larger`);
});

test('quantizeInt8MaxAbs maps the largest component to ±127 and keeps zero', () => {
  assert.deepEqual([...quantizeInt8MaxAbs([0.5, -0.25, 0.1])], [127, -64, 25]);
  assert.deepEqual([...quantizeInt8MaxAbs([0, 0])], [0, 0]);
});

test('encodeEmbedding normalises and refuses wrong input', () => {
  const half = encodeEmbedding([3, 4], 2, 'float16', 'v') as Uint16Array;
  assert.deepEqual(half, float32ToFloat16([0.6, 0.8]));
  assert.throws(
    () => encodeEmbedding([1, 2, 3], 2, 'int8', 'face 7'),
    /face 7 has 3 dimensions; this index holds 2-d/,
  );
  assert.throws(() => encodeEmbedding([1, NaN], 2, 'int8', 'v'), /NaN or Infinity/);
  assert.throws(() => encodeEmbedding([0, 0], 2, 'int8', 'v'), /zero vector/);
});

test('StoredRows spans chunks, returns rows and blocks, and decodes stored bytes', () => {
  for (const storage of ['float16', 'int8'] as const) {
    const rows = new StoredRows(storage, 4, 3);
    const vectors = Array.from({ length: 8 }, (_, i) => [i + 1, -1, 0.5, 0.25]);
    for (const v of vectors) rows.push(encodeEmbedding(v, 4, storage, 'v'));
    assert.equal(rows.length, 8);
    const block = rows.block([1, 7]);
    assert.equal(block.length, 8);
    const row7 = rows.row(7);
    assert.deepEqual(
      [...block.subarray(4)],
      [...decodeStoredBytes(new Uint8Array(row7.buffer, row7.byteOffset, row7.byteLength), 1, storage, 4)],
    );
    assert.ok(cosineDistance(block.subarray(4), vectors[7]!) < 0.002);
    assert.throws(() => rows.row(8), /out of range/);
  }
});

test('pushEmbeddings stores the bytes push(encodeEmbedding(…)) does, across chunks, and refuses what it refuses, adding none', () => {
  const space = new SyntheticFaceSpace({ dimension: 16, seed: 5 });
  for (const storage of ['float16', 'int8'] as const) {
    const direct = new StoredRows(storage, 16, 3);
    const encoded = new StoredRows(storage, 16, 3);
    // Unnormalised float32 rows (the fast path), and plain arrays; values that are subnormal as halves too.
    const embeddings = Array.from({ length: 8 }, (_, i) => {
      const face = space.face(i, 0).map((x, k) => (k === 3 ? 1e-6 : x * (i + 1)));
      return i % 2 === 0 ? face : Array.from(face);
    });
    direct.pushEmbeddings(embeddings.slice(0, 5), (i) => `face ${i}`);
    direct.pushEmbeddings(embeddings.slice(5), (i) => `face ${i + 5}`);
    embeddings.forEach((embedding, i) => encoded.push(encodeEmbedding(embedding, 16, storage, `face ${i}`)));
    assert.equal(direct.length, 8);
    for (let i = 0; i < 8; i++) assert.deepEqual(direct.row(i), encoded.row(i), `${storage} row ${i}`);
    const valid = embeddings[0]!;
    assert.throws(
      () => direct.pushEmbeddings([valid, new Float32Array(16)], (i) => `zero ${i}`),
      /zero 1 is a zero vector/,
    );
    assert.throws(
      () => direct.pushEmbeddings([valid, new Float32Array(16).fill(NaN)], (i) => `bad ${i}`),
      /bad 1 contains NaN or Infinity/,
    );
    assert.throws(
      () => direct.pushEmbeddings([valid, new Float32Array(15).fill(1)], (i) => `short ${i}`),
      /short 1 has 15 dimensions/,
    );
    assert.equal(direct.length, 8);
  }
});

test('copyRowsTo copies runs of rows across chunk boundaries', () => {
  for (const storage of ['float16', 'int8'] as const) {
    const rows = new StoredRows(storage, 4, 3);
    rows.pushEmbeddings(
      Array.from({ length: 8 }, (_, i) => Float32Array.from([i + 1, -i, 0.5, 2])),
      (i) => `row ${i}`,
    );
    const width = storage === 'float16' ? 8 : 4;
    const out = new Uint8Array(2 + 6 * width).fill(0xee);
    rows.copyRowsTo(1, 6, out, 2);
    const expected = Buffer.concat(
      [1, 2, 3, 4, 5, 6].map((i) => {
        const row = rows.row(i);
        return Buffer.from(row.buffer, row.byteOffset, width);
      }),
    );
    assert.deepEqual(Buffer.from(out.subarray(2)), expected, storage);
    assert.deepEqual([...out.subarray(0, 2)], [0xee, 0xee]);
    assert.throws(() => rows.copyRowsTo(5, 4, new Uint8Array(4 * width), 0), /out of range/);
  }
});

test('float16 rows become the int8 rows quantizeInt8MaxAbs gives their decoded values, in a block too', () => {
  const d = 64;
  const space = new SyntheticFaceSpace({ dimension: d, seed: 5 });
  const rows = new StoredRows('float16', d, 3);
  const halves = [0, 1, 2, 3, 4].map((f) => encodeEmbedding(space.face(f, 0), d, 'float16', 'face'));
  halves.push(new Uint16Array(d)); // a zero row stays zero
  for (const half of halves) rows.push(half);
  const bytes = new Uint8Array(halves.length * d * 2);
  halves.forEach((half, r) => bytes.set(new Uint8Array(half.buffer, half.byteOffset, d * 2), r * d * 2));
  const expected = new Int8Array(halves.length * d);
  halves.forEach((half, r) =>
    expected.set(
      quantizeInt8MaxAbs(decodeStoredBytes(bytes.subarray(r * d * 2, (r + 1) * d * 2), 1, 'float16', d)),
      r * d,
    ),
  );
  assert.deepEqual(halfRowsToInt8(bytes, halves.length, d), expected);
  assert.deepEqual(
    rows.block([5, 0, 3], 'int8'),
    Int8Array.from([
      ...expected.subarray(5 * d),
      ...expected.subarray(0, d),
      ...expected.subarray(3 * d, 4 * d),
    ]),
  );
  assert.ok(expected.subarray(0, d).some((v) => Math.abs(v) === 127));
  const int8Rows = new StoredRows('int8', d);
  int8Rows.push(quantizeInt8MaxAbs(space.face(9, 0)));
  assert.throws(() => int8Rows.block([0], 'float16'), /int8 rows cannot be handed to a float16 graph/);
});
