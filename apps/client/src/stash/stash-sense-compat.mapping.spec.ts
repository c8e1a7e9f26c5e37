import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StashScenePerson } from '@stash-sense/contracts';
import {
  aggregateGallery,
  decodeImageBase64,
  primaryStashId,
  stashBoxDomain,
  stashBoxEndpointUrl,
  toStashSenseImage,
  toStashSensePersons,
} from './stash-sense-compat.mapping.js';

const STASHDB = 'https://stashdb.org/graphql';
const FANSDB = 'https://fansdb.cc/graphql';

function candidate(performerId: number, distance: number, stashId: string, onScene = false) {
  return {
    performerId,
    name: `P${performerId}`,
    stashIds: [{ endpoint: STASHDB, stashId }],
    distance,
    confidence: 1 - distance,
    band: 'high' as const,
    appearances: 3,
    uniqueFrames: 3,
    frequency: 1,
    score: 1 - distance,
    onScene,
    stashPerformerId: null,
  };
}

function person(id: number, candidates: ReturnType<typeof candidate>[], matched = true): StashScenePerson {
  return {
    person: id,
    frameCount: 4,
    faceCount: 4,
    bestMatch: matched ? candidates[0]! : null,
    candidates,
    track: { trackId: id, points: [] },
    thumbnail: null,
  };
}

const noExtras = () => undefined;

describe('stash-sense compat mapping', () => {
  it('endpoints: bare domains both ways, the configured URL when Stash has one', () => {
    assert.equal(stashBoxDomain(STASHDB), 'stashdb.org');
    assert.equal(stashBoxDomain('stashdb.org'), 'stashdb.org');
    assert.equal(stashBoxEndpointUrl('stashdb.org'), STASHDB);
    assert.equal(
      stashBoxEndpointUrl('fansdb.cc', ['https://fansdb.cc/graphql/']),
      'https://fansdb.cc/graphql/',
    );
    assert.equal(stashBoxEndpointUrl(FANSDB), FANSDB);
    assert.deepEqual(
      primaryStashId([
        { endpoint: FANSDB, stashId: 'f' },
        { endpoint: STASHDB, stashId: 's' },
      ]),
      { domain: 'stashdb.org', stashId: 's' },
    );
    assert.equal(primaryStashId([]), null);
  });

  it('scene persons: the tagged boost reorders, only matched persons get a best match, max_distance drops', () => {
    const [a, b] = [candidate(1, 0.3, 'a'), candidate(2, 0.32, 'b')];
    const [matched, unmatched] = toStashSensePersons(
      [person(0, [a, b]), person(1, [candidate(3, 0.7, 'c')], false)],
      {
        taggedStashIds: new Set(['b']),
        extras: (id) => (id === 2 ? { country: 'US', imageUrl: 'https://img/b.jpg' } : undefined),
      },
    );
    assert.equal(matched!.best_match!.stashdb_id, 'b', '0.32 − 0.03 beats 0.30');
    assert.equal(matched!.best_match!.distance, 0.29);
    assert.equal(matched!.best_match!.already_tagged, true);
    assert.equal(matched!.best_match!.country, 'US');
    assert.equal(matched!.best_match!.endpoint, 'stashdb.org');
    assert.equal(matched!.all_matches[1]!.already_tagged, false);
    assert.deepEqual(matched!.signals_used, ['face']);
    assert.equal(unmatched!.best_match, null);
    assert.equal(unmatched!.all_matches.length, 1);

    const [strict] = toStashSensePersons([person(0, [a, b])], {
      taggedStashIds: new Set(),
      maxDistance: 0.31,
      extras: noExtras,
    });
    assert.deepEqual(
      strict!.all_matches.map((m) => m.stashdb_id),
      ['a'],
    );
  });

  it('image: boxes as objects, the best match first, nothing for an unknown face', () => {
    const face = {
      box: [10.4, 20, 30, 40] as [number, number, number, number],
      score: 0.91234,
      landmarks: [],
      sizePx: 30,
      quality: 1,
    };
    const best = candidate(1, 0.35, 'a');
    const answer = toStashSenseImage(
      {
        faces: [face, face] as never,
        people: [
          { face: 0, bestMatch: best, candidates: [candidate(2, 0.5, 'b'), best, candidate(3, 0.9, 'c')] },
          { face: 1, bestMatch: null, candidates: [candidate(2, 0.5, 'b')] },
        ],
      },
      { extras: noExtras },
    );
    assert.equal(answer.face_count, 2);
    assert.deepEqual(answer.faces[0]!.box, { x: 10, y: 20, width: 30, height: 40, confidence: 0.9123 });
    assert.deepEqual(
      answer.faces[0]!.matches.map((m) => m.stashdb_id),
      ['a', 'b'],
      '0.9 is beyond the default max distance 0.6',
    );
    assert.deepEqual(answer.faces[1]!.matches, []);
  });

  it('gallery: kept when seen in 2 images or once below 0.4; most images first', () => {
    const m = (id: string, distance: number) => ({
      stashdb_id: id,
      name: id,
      distance,
      confidence: 1 - distance,
      endpoint: 'stashdb.org',
      image_url: null,
      country: null,
      already_tagged: false,
    });
    const performers = aggregateGallery([
      { imageId: '1', faces: [[m('a', 0.45)], [m('b', 0.3)]] },
      { imageId: '2', faces: [[m('a', 0.5)], [m('c', 0.5)], []] },
    ]);
    assert.deepEqual(
      performers.map((p) => [p.performer_id, p.image_count, p.image_ids, p.best_distance, p.avg_distance]),
      [
        ['a', 2, ['1', '2'], 0.45, 0.475],
        ['b', 1, ['1'], 0.3, 0.3],
      ],
    );
  });

  it('image_base64: raw, with a data: prefix, or URL-safe; refuses what is not base64', () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x10]);
    assert.deepEqual(decodeImageBase64(bytes.toString('base64')), bytes);
    assert.deepEqual(decodeImageBase64(`data:image/jpeg;base64,${bytes.toString('base64')}`), bytes);
    assert.deepEqual(decodeImageBase64(bytes.toString('base64url')), bytes);
    assert.throws(() => decodeImageBase64('not base64!'));
  });
});
