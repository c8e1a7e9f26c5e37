import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeEmbedding,
  dequantizeInt8,
  encodeEmbedding,
  float16ToFloat32,
  float32ToFloat16,
  fromHalf,
  quantizeInt8,
  toHalf,
} from './codecs.js';

test('half precision: exact values and specials', () => {
  for (const x of [0, 1, -1, 0.5, 2048, 65504, -(2 ** -14)]) assert.equal(fromHalf(toHalf(x)), x);
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(fromHalf(toHalf(1e6)), Infinity);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  assert.equal(fromHalf(toHalf(2 ** -24)), 2 ** -24); // smallest subnormal
});

test('float32 → half: the Float32Array path equals toHalf and rounds to the nearest half, ties to even', () => {
  const bits: number[] = [];
  for (let x = 0; x < 2 ** 32; x += 65_521) bits.push(x); // every exponent, both signs, NaN and Inf patterns
  for (let exp = 100; exp < 145; exp++) {
    // Around the rounding point of each exponent: below, at (ties) and above half of the dropped 13 bits.
    for (const low of [0x0fff, 0x1000, 0x1001, 0x1fff]) {
      for (const kept of [0, 1, 0x3fe, 0x3ff])
        bits.push((exp << 23) | (kept << 13) | low, (1 << 31) | (exp << 23) | (kept << 13) | low);
    }
  }
  const values = new Float32Array(new Uint32Array(bits.map((b) => b >>> 0)).buffer);
  const fast = float32ToFloat16(values);
  const slow = float32ToFloat16(Array.from(values));
  assert.deepEqual(fast, slow);
  let checked = 0;
  values.forEach((x, i) => {
    if (!Number.isFinite(x) || Math.abs(x) > 65504) return;
    const h = fast[i]!;
    const error = Math.abs(fromHalf(h) - x);
    for (const neighbour of [h - 1, h + 1]) {
      if ((neighbour & 0x7c00) === 0x7c00 || ((neighbour ^ h) & 0x8000) !== 0) continue; // not a finite same-sign half
      const other = Math.abs(fromHalf(neighbour) - x);
      assert.ok(error < other || (error === other && (h & 1) === 0), `${x}: ${h} against ${neighbour}`);
    }
    checked++;
  });
  assert.ok(checked > 10_000);
});

test('half precision keeps unit-vector components within 1e-3', () => {
  const v = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);
  const back = float16ToFloat32(float32ToFloat16(v));
  for (let i = 0; i < v.length; i++) assert.ok(Math.abs(back[i]! - v[i]!) < 1e-3);
});

test('base64 float32 round trip is exact; float16 is close', () => {
  const v = Float32Array.from([0.1, -0.2, 0.3, 1e-5]);
  assert.deepEqual(decodeEmbedding(encodeEmbedding(v, 'float32'), 'float32'), v);
  const h = decodeEmbedding(encodeEmbedding(v, 'float16'), 'float16');
  h.forEach((x, i) => assert.ok(Math.abs(x - v[i]!) < 1e-3));
  assert.equal(Buffer.from(encodeEmbedding(v, 'float16'), 'base64').length, 8);
});

test('decodeEmbedding refuses a byte length that does not fit', () => {
  assert.throws(() => decodeEmbedding(Buffer.from([1, 2, 3]).toString('base64'), 'float32'), /multiple of 4/);
});

test('int8 quantisation error stays below 1/254', () => {
  const v = Float32Array.from([1, -1, 0.5, -0.25, 0]);
  const back = dequantizeInt8(quantizeInt8(v));
  back.forEach((x, i) => assert.ok(Math.abs(x - v[i]!) <= 1 / 254 + 1e-9));
});

test('float16 decoding through the table agrees with fromHalf for every one of the 65,536 bit patterns', () => {
  const bits = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
  const viaTable = float16ToFloat32(bits);
  const buf = Buffer.from(bits.buffer);
  const viaBase64 = decodeEmbedding(buf.toString('base64'), 'float16');
  for (let i = 0; i < 0x10000; i++) {
    const expected = Math.fround(fromHalf(i));
    assert.ok(
      Object.is(viaTable[i], expected) || (Number.isNaN(viaTable[i]) && Number.isNaN(expected)),
      `bits ${i}`,
    );
    assert.ok(Object.is(viaBase64[i], viaTable[i]) || Number.isNaN(viaTable[i]!), `base64 bits ${i}`);
  }
});
