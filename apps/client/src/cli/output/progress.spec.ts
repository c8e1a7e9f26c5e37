import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { lineProgress } from './progress.js';

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('lineProgress (stderr is not a terminal)', () => {
  it('prints one line per file and a line per quarter of a video’s frames', () => {
    const out = collector();
    const progress = lineProgress(out.stream, 'files');
    progress({ type: 'file-start', file: 'a.jpg', index: 0, total: 2, kind: 'image' });
    progress({ type: 'file-done', file: 'a.jpg', index: 0, total: 2, ok: true });
    progress({ type: 'file-start', file: '/v/b.mp4', index: 1, total: 2, kind: 'video' });
    for (let done = 1; done <= 8; done++) progress({ type: 'frames', file: '/v/b.mp4', done, total: 8 });
    progress({ type: 'file-done', file: '/v/b.mp4', index: 1, total: 2, ok: true });
    assert.equal(
      out.text(),
      [
        '[1/2 files] a.jpg',
        '[2/2 files] /v/b.mp4',
        '  b.mp4: 2/8 frames',
        '  b.mp4: 4/8 frames',
        '  b.mp4: 6/8 frames',
        '  b.mp4: 8/8 frames',
        '',
      ].join('\n'),
    );
  });
});
