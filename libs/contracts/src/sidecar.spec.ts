import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSidecarOpenApiDocument,
  CliFacesLineSchema,
  CliIdentifyLineSchema,
  SidecarIdentifyMultipartFieldsSchema,
  SidecarIdentifySceneRequestSchema,
} from './sidecar.js';

const face = {
  box: [1, 2, 3, 4],
  score: 0.9,
  landmarks: [
    [1, 1],
    [2, 1],
    [1.5, 2],
    [1, 3],
    [2, 3],
  ],
  sizePx: 3,
  quality: 0.5,
  embedding: [0.6, 0.8],
};

describe('sidecar contracts', () => {
  it('builds an OpenAPI 3.1 document with every endpoint and named schemas', () => {
    const doc = buildSidecarOpenApiDocument({ version: '1.2.3' });
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.version, '1.2.3');
    assert.deepEqual(Object.keys(doc.paths ?? {}).sort(), [
      '/contributions',
      '/contributions/status',
      '/database/check-update',
      '/database/info',
      '/database/update',
      '/feedback',
      '/health',
      '/identify',
      '/identify/gallery',
      '/identify/image',
      '/identify/scene',
      '/openapi.json',
      '/stash/create-performer',
      '/stash/link-performer',
      '/stash/scene/{id}/performers',
      '/stash/search-performers',
    ]);
    const identify = doc.paths?.['/identify']?.post;
    assert.ok(identify?.requestBody && 'content' in identify.requestBody);
    assert.deepEqual(Object.keys(identify.requestBody.content).sort(), [
      'application/json',
      'multipart/form-data',
    ]);
    for (const name of [
      'SidecarIdentifyResponse',
      'SidecarHealth',
      'SidecarError',
      'MatchCandidate',
      'ScenePerson',
    ]) {
      assert.ok(doc.components?.schemas?.[name], name);
    }
  });

  it('requires the embedding on CLI face lines and accepts error lines', () => {
    assert.ok(CliFacesLineSchema.safeParse({ file: 'a.jpg', width: 10, height: 10, faces: [face] }).success);
    const { embedding: _embedding, ...noEmbedding } = face;
    assert.ok(
      !CliFacesLineSchema.safeParse({ file: 'a.jpg', width: 10, height: 10, faces: [noEmbedding] }).success,
    );
    assert.ok(CliIdentifyLineSchema.safeParse({ file: 'b.jpg', error: 'b.jpg: broken' }).success);
  });

  it('parses multipart text fields and bounds scene requests', () => {
    assert.deepEqual(SidecarIdentifyMultipartFieldsSchema.parse({ top_k: '3', include_embeddings: '1' }), {
      top_k: 3,
      include_embeddings: true,
    });
    assert.ok(!SidecarIdentifyMultipartFieldsSchema.safeParse({ include_embeddings: 'yes' }).success);
    assert.ok(!SidecarIdentifySceneRequestSchema.safeParse({ path: '/a.mp4', frames: 0 }).success);
    assert.ok(!SidecarIdentifySceneRequestSchema.safeParse({ path: '/a.mp4', extra: 1 }).success);
  });
});
