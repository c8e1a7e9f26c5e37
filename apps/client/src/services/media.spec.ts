import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGalleryImage, mediaKindOf } from './media.js';

describe('mediaKindOf', () => {
  it('recognises videos by extension, case-insensitively', () => {
    assert.equal(mediaKindOf('/lib/scene.MP4'), 'video');
    assert.equal(mediaKindOf('clip.mkv'), 'video');
    assert.equal(mediaKindOf('http://stash.local/scene/1/stream.mp4?apikey=x'), 'video');
  });
  it('treats images and unknown extensions as images', () => {
    assert.equal(mediaKindOf('a/b/photo.jpeg'), 'image');
    assert.equal(mediaKindOf('photo.webp'), 'image');
    assert.equal(mediaKindOf('no-extension'), 'image');
    assert.equal(mediaKindOf('notes.txt'), 'image');
  });
});

describe('isGalleryImage', () => {
  it('accepts jpg, png and webp only', () => {
    assert.ok(isGalleryImage('x/1.JPG'));
    assert.ok(isGalleryImage('x/1.png'));
    assert.ok(isGalleryImage('x/1.webp'));
    assert.ok(!isGalleryImage('x/1.gif'));
    assert.ok(!isGalleryImage('x/README.md'));
  });
});
