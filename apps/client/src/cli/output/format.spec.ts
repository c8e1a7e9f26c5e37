import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdentifyImageResult, IdentifyVideoResult, MatchCandidate } from '@stash-sense/contracts';
import { formatBytes, formatFileError, formatIdentifyImage, formatIdentifyVideo } from './format.js';

const candidate = (name: string, distance: number, stashId?: string): MatchCandidate => ({
  performerId: 1,
  name,
  stashIds: stashId ? [{ endpoint: 'https://stashdb.org/graphql', stashId }] : [],
  distance,
  confidence: 1 - distance,
  band: distance < 0.4 ? 'high' : 'unlikely',
});

const face = {
  box: [10.4, 20.6, 100, 120] as [number, number, number, number],
  score: 0.99,
  landmarks: [],
  sizePx: 100,
  quality: 0.8,
};

describe('formatIdentifyImage', () => {
  it('shows the best match with its stash-box id, or "unknown" with the closest candidate', () => {
    const result: IdentifyImageResult = {
      kind: 'image',
      width: 640,
      height: 480,
      faces: [face, face],
      people: [
        { face: 0, bestMatch: candidate('Jane', 0.21, 'abc'), candidates: [candidate('Jane', 0.21, 'abc')] },
        { face: 1, bestMatch: null, candidates: [candidate('Ann', 0.91)] },
      ],
    };
    const text = formatIdentifyImage('a.jpg', result);
    assert.match(text, /^a\.jpg {2}\(640×480, 2 faces\)/);
    assert.match(text, /0 +10,21,100,120 +Jane \[https:\/\/stashdb\.org\/graphql:abc\] +0\.210 +0\.79 +high/);
    assert.match(text, /1 +10,21,100,120 +unknown \(closest: Ann\) +0\.910 +0\.09 +unlikely/);
  });

  it('says when there is no face', () => {
    assert.match(
      formatIdentifyImage('b.png', { kind: 'image', width: 1, height: 1, faces: [], people: [] }),
      /no face found/,
    );
  });
});

describe('formatIdentifyVideo', () => {
  it('summarises the video and lists people', () => {
    const result: IdentifyVideoResult = {
      kind: 'video',
      width: 1920,
      height: 1080,
      durationSec: 62.04,
      framesSampled: 60,
      faceCount: 1,
      people: [
        {
          person: 0,
          frameCount: 1,
          faceCount: 1,
          bestMatch: null,
          candidates: [],
          track: { trackId: 0, points: [] },
        },
      ],
    };
    const text = formatIdentifyVideo('v.mp4', result);
    assert.match(text, /v\.mp4 {2}\(1920×1080, 62\.0 s, 60 frames sampled, 1 face, 1 person\)/);
    assert.match(text, /0 +1 +1 +unknown +- +- +-/);
  });
});

describe('small formatters', () => {
  it('does not repeat the file name of an error that already starts with it', () => {
    assert.equal(formatFileError({ file: 'x.jpg', error: 'x.jpg: broken' }), 'x.jpg: broken');
    assert.equal(formatFileError({ file: 'x.jpg', error: 'broken' }), 'x.jpg: broken');
  });
  it('formats sizes in binary units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });
});
