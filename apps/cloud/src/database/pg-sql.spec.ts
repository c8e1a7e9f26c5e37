import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { float16ToFloat32, float32ToFloat16 } from '@stash-sense/vectors';
import { halfvecFromSend, halfvecToBinary, valuesPlaceholders, vectorToBinary } from './pg-sql.js';

describe('pgvector binary forms', () => {
  test('vectorToBinary: int16 dimension, int16 zero, big-endian float4 values', () => {
    const bytes = vectorToBinary(Float32Array.of(1, -2));
    assert.deepEqual([...bytes], [0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]);
  });

  test('halfvecToBinary: int16 dimension, int16 zero, big-endian binary16 values', () => {
    // 1 = 0x3C00, -2 = 0xC000, 65504 (largest half) = 0x7BFF
    const bytes = halfvecToBinary(Float32Array.of(1, -2, 65504));
    assert.deepEqual([...bytes], [0, 3, 0, 0, 0x3c, 0x00, 0xc0, 0x00, 0x7b, 0xff]);
  });

  test('halfvecFromSend inverts halfvecToBinary up to float16 rounding, at any buffer offset', () => {
    const v = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 7);
    const rounded = float16ToFloat32(float32ToFloat16(v));
    const bytes = halfvecToBinary(v);
    assert.deepEqual(halfvecFromSend(bytes), rounded);
    const shifted = Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);
    assert.deepEqual(halfvecFromSend(shifted), rounded);
    let worst = 0;
    for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(rounded[i]! - v[i]!));
    assert.ok(worst > 0 && worst < 1e-4, `float16 rounding of components ≤ 1/7 stays under 1e-4 (${worst})`);
  });

  test('halfvecFromSend refuses a truncated value', () => {
    const bytes = halfvecToBinary(Float32Array.of(0.5, 0.25, 0.125));
    assert.throws(
      () => halfvecFromSend(bytes.subarray(0, bytes.length - 1)),
      /halfvec of 3 values in 9 bytes/,
    );
  });
});

describe('valuesPlaceholders', () => {
  test('numbers the parameters row by row with each column cast', () => {
    assert.equal(valuesPlaceholders(2, ['::uuid', '']), '($1::uuid, $2), ($3::uuid, $4)');
    assert.equal(valuesPlaceholders(1, ['::int'], 4), '($5::int)');
  });
});
