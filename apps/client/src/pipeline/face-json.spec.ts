import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddingModelSchema, FaceSchema } from '@stash-sense/contracts';
import { faceToJson } from './face-json.js';
import { EMBEDDING_MODEL } from './models.js';
import type { DetectedFace } from './types.js';

const face: DetectedFace = {
  box: [10.123, 20.5, 80.25, 90],
  score: 0.987654,
  landmarks: [[30, 40], [60, 40], [45, 60], [32, 80], [58.557, 80]], // prettier-ignore
  sizePx: 80.25,
  quality: 0.71234,
  sharpness: 0.8,
  pose: { yaw: -12.345, roll: 3.21 },
  embedding: new Float32Array([0.6, 0.8]),
};

describe('faceToJson', () => {
  it('produces an object FaceSchema accepts, rounded for transport', () => {
    const json = faceToJson(face);
    assert.deepEqual(FaceSchema.parse(json), json);
    assert.deepEqual(json.box, [10.12, 20.5, 80.25, 90]);
    assert.deepEqual(json.landmarks[4], [58.56, 80]);
    assert.equal(json.pose?.yaw, -12.3);
    assert.ok(Math.abs(json.embedding[1]! - 0.8) < 1e-7);
  });
  it('FaceSchema rejects a face without its five points', () => {
    assert.equal(FaceSchema.safeParse({ ...faceToJson(face), landmarks: [[1, 2]] }).success, false);
  });
  it('the pipeline model description satisfies EmbeddingModelSchema', () => {
    assert.deepEqual(EmbeddingModelSchema.parse(EMBEDDING_MODEL), EMBEDDING_MODEL);
  });
});
