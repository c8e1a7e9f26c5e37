import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { vectorToBinary } from '../database/pg-sql.js';
import { vectorFromSend } from './indexes.repository.js';

describe('vectorFromSend (pgvector binary form → Float32Array)', () => {
  test('round-trips the binary form the ingest path writes, at any buffer offset', () => {
    const v = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 7);
    const bytes = vectorToBinary(v);
    assert.deepEqual(vectorFromSend(bytes), v);
    const shifted = Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);
    assert.deepEqual(vectorFromSend(shifted), v);
    assert.deepEqual(
      [...bytes.subarray(4, 8)],
      [...vectorToBinary(v).subarray(4, 8)],
      'the input is not modified',
    );
  });
});
