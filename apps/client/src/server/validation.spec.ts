import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SidecarIdentifyJsonRequestSchema, SidecarIdentifySceneRequestSchema } from '@stash-sense/contracts';
import { HttpError } from './http-error.js';
import { parseRequest } from './validation.js';

function rejection(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof HttpError);
    return error;
  }
  assert.fail('expected a 400');
}

describe('parseRequest with the sidecar schemas', () => {
  it('accepts a path or an http(s) image_url', () => {
    assert.deepEqual(parseRequest(SidecarIdentifyJsonRequestSchema, { path: '/a.jpg', top_k: 3 }), {
      path: '/a.jpg',
      top_k: 3,
    });
    assert.equal(
      parseRequest(SidecarIdentifyJsonRequestSchema, { image_url: 'https://stash.local/image/1' }).image_url,
      'https://stash.local/image/1',
    );
  });

  it('names unknown fields and wrong types', () => {
    const unknown = rejection(() =>
      parseRequest(SidecarIdentifyJsonRequestSchema, { path: '/a', foo: 1 }, ['path']),
    );
    assert.equal(unknown.status, 400);
    assert.match(unknown.detail, /unknown field "foo".*allowed fields: path/);
    const wrongType = rejection(() => parseRequest(SidecarIdentifyJsonRequestSchema, { path: 42 }));
    assert.match(wrongType.detail, /"path" must be string/);
    const notObject = rejection(() => parseRequest(SidecarIdentifySceneRequestSchema, ['x']));
    assert.match(notObject.detail, /body must be object/);
  });

  it('demands exactly one image source and an http(s) URL', () => {
    assert.match(
      rejection(() => parseRequest(SidecarIdentifyJsonRequestSchema, {})).detail,
      /exactly one of image_url or path/,
    );
    assert.match(
      rejection(() =>
        parseRequest(SidecarIdentifyJsonRequestSchema, { path: '/a', image_url: 'http://x/y.jpg' }),
      ).detail,
      /exactly one/,
    );
    assert.match(
      rejection(() => parseRequest(SidecarIdentifyJsonRequestSchema, { image_url: 'file:///etc/passwd' }))
        .detail,
      /http:\/\/ or https:\/\//,
    );
  });

  it('bounds top_k and frames', () => {
    assert.match(
      rejection(() => parseRequest(SidecarIdentifyJsonRequestSchema, { path: '/a', top_k: 0 })).detail,
      /top_k/,
    );
    assert.match(
      rejection(() => parseRequest(SidecarIdentifySceneRequestSchema, { path: '/a', frames: 10_000 })).detail,
      /frames/,
    );
  });
});
