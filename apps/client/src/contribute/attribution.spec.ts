import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ContributionRequestSchema } from '@stash-sense/contracts';
import { perturb, seededRandom, SyntheticFaceSpace } from '@stash-sense/face-index';
import { cosineDistance, decodeEmbedding } from '@stash-sense/vectors';
import { ExactPerformerSearch } from '../identify/index.js';
import type { FrameInput } from '../identify/index.js';
import { EMBEDDING_MODEL } from '../pipeline/models.js';
import { attributeScene, type SceneFace } from './attribution.js';
import { buildContributionRequest } from './contribution-payload.js';

const BOX = 'https://stashdb.org/graphql';
const space = new SyntheticFaceSpace({ dimension: 512, seed: 7 });

/** Frames 0..n-1 at 10 s apart; `people[f]` = the identities visible in frame f. */
function scene(people: number[][], quality = (f: number) => 0.5 + (f % 5) / 10): FrameInput<SceneFace>[] {
  return people.map((ids, f) => ({
    index: f,
    timestampSec: 10 * (f + 1),
    faces: ids.map((id, k) => ({
      box: [100 * k, 50, 80, 90] as [number, number, number, number],
      score: 0.99,
      quality: quality(f),
      sizePx: 80,
      embedding: space.face(id, 1_000 + f),
    })),
  }));
}

const index = (ids: number[], extra: { id: number; stashId: string; like: number }[] = []) =>
  new ExactPerformerSearch([
    ...ids.map((id) => ({
      performer: { id, name: `P${id}`, stashIds: [{ endpoint: BOX, stashId: `s${id}` }] },
      embeddings: [space.face(id, 0), space.face(id, 1)],
    })),
    ...extra.map((e) => ({
      performer: { id: e.id, name: `X${e.id}`, stashIds: [{ endpoint: BOX, stashId: e.stashId }] },
      embeddings: [perturb(space.face(e.like, 0), 0.01, seededRandom(e.id))],
    })),
  ]);

describe('attributeScene', () => {
  test('solo scene: the dominant person gets the credited performer; a person seen once is left out', () => {
    const frames = scene([[1], [1], [1, 2], [1], [1]]);
    const out = attributeScene(frames, { endpoint: BOX, performers: ['s1'] }, null);
    assert.equal(out.attributed.length, 1);
    assert.equal(out.attributed[0]!.stashId, 's1');
    assert.equal(out.attributed[0]!.faces.length, 5);
    assert.ok(
      out.attributed[0]!.faces.every((f) => cosineDistance(f.face.embedding, space.face(1, 0)) < 0.6),
    );
    assert.deepEqual(
      out.leftOut.map((l) => l.reason),
      ['too_few_faces'],
    );
    assert.equal(out.facesDetected, 6);
  });

  test('solo scene: two people equally present → nobody is attributed; a minor extra person is left out', () => {
    const even = attributeScene(
      scene([
        [1, 2],
        [1, 2],
        [1, 2],
      ]),
      { endpoint: BOX, performers: ['s1'] },
      null,
    );
    assert.equal(even.attributed.length, 0);
    assert.deepEqual(
      even.leftOut.map((l) => l.reason),
      ['not_dominant', 'not_dominant'],
    );
    const extra = attributeScene(
      scene([[1, 2], [1], [1, 2], [1], [1], [1]]),
      { endpoint: BOX, performers: ['s1'] },
      null,
    );
    assert.equal(extra.attributed[0]!.faces.length, 6);
    assert.deepEqual(
      extra.leftOut.map((l) => l.reason),
      ['extra_person'],
    );
  });

  test('multi-performer scene: each person goes to the credited performer the index matches clearly', () => {
    const frames = scene([[1, 2], [1, 2], [1], [2], [1, 2]]);
    const credited = { endpoint: BOX, performers: ['s1', 's2'] };
    assert.deepEqual(
      attributeScene(frames, credited, null).leftOut.map((l) => l.reason),
      ['no_index_for_multi_performer_scene', 'no_index_for_multi_performer_scene'],
    );
    const out = attributeScene(frames, credited, index([1, 2, 3]));
    assert.deepEqual(out.attributed.map((a) => [a.stashId, a.faces.length]).sort(), [
      ['s1', 4],
      ['s2', 4],
    ]);
    assert.ok(out.attributed.every((a) => a.distance! < 0.55));
    // Person 1 is credited but the third person is not in the credits: the uncredited one is left out.
    const withStranger = attributeScene(
      scene([
        [1, 9],
        [1, 9],
        [1, 9],
      ]),
      credited,
      index([1, 2, 9]),
    );
    assert.deepEqual(
      withStranger.attributed.map((a) => a.stashId),
      ['s1'],
    );
    assert.deepEqual(
      withStranger.leftOut.map((l) => l.reason),
      ['no_credited_match'],
    );
  });

  test('look-alike credited performers are ambiguous; two people matching one performer are both left out', () => {
    const frames = scene([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    // s9 is a near-copy of person 1: person 1 cannot be told from s9.
    const lookAlike = attributeScene(
      frames,
      { endpoint: BOX, performers: ['s1', 's9', 's2'] },
      index([1, 2], [{ id: 90, stashId: 's9', like: 1 }]),
    );
    assert.deepEqual(
      lookAlike.attributed.map((a) => a.stashId),
      ['s2'],
    );
    assert.deepEqual(
      lookAlike.leftOut.map((l) => l.reason),
      ['ambiguous_match'],
    );
    // Both people look like s1 (the index holds s1 twice under another person): claimed twice → neither.
    const twice = attributeScene(
      frames,
      { endpoint: BOX, performers: ['s1', 's3'] },
      index(
        [],
        [
          { id: 10, stashId: 's1', like: 1 },
          { id: 11, stashId: 's1', like: 2 },
          { id: 12, stashId: 's3', like: 7 },
        ],
      ),
    );
    assert.equal(twice.attributed.length, 0);
    assert.deepEqual(
      twice.leftOut.map((l) => l.reason),
      ['claimed_twice', 'claimed_twice'],
    );
  });

  test('a still shot sampled several times counts once', () => {
    const frames = scene([[1], [1], [1], [1]]);
    // Frames 2 and 3 repeat frame 1's face exactly (a frozen frame).
    for (const f of [2, 3]) frames[f]!.faces[0]!.embedding = frames[1]!.faces[0]!.embedding;
    const out = attributeScene(frames, { endpoint: BOX, performers: ['s1'] }, null);
    assert.deepEqual(
      out.attributed[0]!.faces.map((f) => f.frame),
      [0, 1],
    );
    const still = attributeScene(
      scene([[1], [1], [1]]).map((f, i, all) => ({ ...f, faces: all[0]!.faces })),
      { endpoint: BOX, performers: ['s1'] },
      null,
    );
    assert.deepEqual(
      still.leftOut.map((l) => l.reason),
      ['too_few_faces'],
    );
  });

  test('the per-performer cap keeps the best faces, in time order', () => {
    const frames = scene(
      Array.from({ length: 10 }, () => [1]),
      (f) => f / 10,
    );
    const out = attributeScene(frames, { endpoint: BOX, performers: ['s1'] }, null, {
      maxFacesPerPerformer: 3,
    });
    assert.deepEqual(
      out.attributed[0]!.faces.map((f) => f.timestampSec),
      [80, 90, 100],
    );
    assert.equal(out.attributed[0]!.personFaces, 10);
  });
});

describe('buildContributionRequest', () => {
  const frames = scene([[1], [1], [1]]);
  const attributed = attributeScene(frames, { endpoint: BOX, performers: ['s1'] }, null).attributed;
  const sceneRef = {
    endpoint: BOX,
    stashId: 'scene-1',
    fingerprints: [{ algorithm: 'PHASH' as const, hash: 'abc', durationSec: 60 }],
  };

  test('valid against the cloud contract, float16 embeddings close to the originals, one track', () => {
    const request = buildContributionRequest(sceneRef, attributed, EMBEDDING_MODEL);
    const parsed = ContributionRequestSchema.parse(request);
    const performer = parsed.performers[0]!;
    assert.equal(performer.faces.length, 3);
    assert.deepEqual(
      performer.tracks.map((t) => t.points.map((p) => p.t)),
      [[10, 20, 30]],
    );
    const back = decodeEmbedding(performer.faces[0]!.embedding, 'float16');
    assert.ok(cosineDistance(back, attributed[0]!.faces[0]!.face.embedding) < 1e-5);
    assert.equal(parsed.model.name, EMBEDDING_MODEL.name);
  });

  test('idempotency key: the same analysis gives the same key, other content another', () => {
    const a = buildContributionRequest(sceneRef, attributed, EMBEDDING_MODEL).idempotencyKey;
    assert.equal(buildContributionRequest(sceneRef, attributed, EMBEDDING_MODEL).idempotencyKey, a);
    assert.notEqual(
      buildContributionRequest({ ...sceneRef, stashId: 'scene-2' }, attributed, EMBEDDING_MODEL)
        .idempotencyKey,
      a,
    );
    const fewer = [{ ...attributed[0]!, faces: attributed[0]!.faces.slice(1) }];
    assert.notEqual(buildContributionRequest(sceneRef, fewer, EMBEDDING_MODEL).idempotencyKey, a);
    assert.throws(() => buildContributionRequest(sceneRef, [], EMBEDDING_MODEL), /nothing to contribute/);
  });
});
