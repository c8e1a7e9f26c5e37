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
