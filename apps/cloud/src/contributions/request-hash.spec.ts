import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ContributionRequest, ContributionRequestSchema } from '@stash-sense/contracts';
import { contributionRequestHash } from './request-hash.js';

const request = (): ContributionRequest =>
  ContributionRequestSchema.parse({
    idempotencyKey: 'key-00000001',
    client: { name: 'test', version: '1' },
    model: { name: 'm', version: '1' },
    encoding: 'float32',
    scene: {
      endpoint: 'https://stashdb.org/graphql',
      stashId: 'scene-1',
      fingerprints: [{ algorithm: 'PHASH', hash: 'abcd', durationSec: 100 }],
    },
    performers: ['p1', 'p2'].map((stashId) => ({
      stashId,
      faces: ['AAAAAAAAgD8=', 'AACAPwAAAAA='].map((embedding, i) => ({
        embedding,
        detectorScore: 0.9,
        sizePx: 80,
        quality: 0.7,
        timestampSec: 10 + i,
        trackId: 't',
      })),
      tracks: [{ trackId: 't', points: [{ t: 10, box: [0, 0, 10, 10] }] }],
    })),
  });

test('the request hash is the same for the same content and changes with any part of it', () => {
  const base = contributionRequestHash(request());
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(contributionRequestHash(request()), base);
  const changes: ((r: ContributionRequest) => void)[] = [
    (r) => (r.idempotencyKey = 'key-00000002'),
    (r) => (r.scene.stashId = 'scene-2'),
    (r) => (r.performers[1]!.stashId = 'p3'),
    (r) => (r.performers[0]!.tracks[0]!.points[0]!.t = 11),
    (r) => (r.performers[1]!.faces[1]!.embedding = 'AAAAAAAAgL8='),
    (r) => (r.performers[0]!.faces[0]!.quality = 0.71),
    // Moving a face to the other performer keeps every string but changes the content.
    (r) => r.performers[1]!.faces.unshift(r.performers[0]!.faces.pop()!),
    (r) => r.performers.reverse(),
  ];
  for (const [i, change] of changes.entries()) {
    const changed = request();
    change(changed);
    assert.notEqual(contributionRequestHash(changed), base, `change ${i}`);
  }
});
