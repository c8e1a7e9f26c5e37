import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ContributionRequest, ContributionRequestSchema } from '@stash-sense/contracts';
import { encodeEmbedding, l2Normalize } from '@stash-sense/vectors';
import { fingerprintMatches, validateContribution } from './contribution-validation.js';

const DIM = 8;
const limits = { dimension: DIM, maxFacesPerPerformer: 3, normTolerance: 0.01 };
const unit = (seed: number) =>
  l2Normalize(Array.from({ length: DIM }, (_, i) => Math.sin(seed * 7 + i) + 0.1));

function request(overrides: (r: ContributionRequest) => void = () => undefined): ContributionRequest {
  const r = ContributionRequestSchema.parse({
    idempotencyKey: 'key-00000001',
    client: { name: 'test', version: '1' },
    model: { name: 'm', version: '1' },
    scene: {
      endpoint: 'https://stashdb.org/graphql',
      stashId: 'scene-1',
      fingerprints: [{ algorithm: 'PHASH', hash: 'abcd', durationSec: 100 }],
    },
    performers: [
      {
        stashId: 'p1',
        faces: [1, 2].map((s) => ({
          embedding: encodeEmbedding(unit(s), 'float32'),
          detectorScore: 0.9,
          sizePx: 80,
          quality: 0.7,
          timestampSec: s * 10,
          trackId: 't1',
        })),
        tracks: [{ trackId: 't1', points: [{ t: 10, box: [1, 2, 80, 80] }] }],
      },
    ],
  });
  overrides(r);
  return r;
}

const fields = (r: ReturnType<typeof validateContribution>) => (r.ok ? [] : r.problems.map((p) => p.field));

describe('validateContribution', () => {
  test('a good payload decodes to unit vectors of the model dimension', () => {
    const r = validateContribution(request(), limits);
    assert.ok(r.ok);
    assert.equal(r.performers[0]!.faces.length, 2);
    assert.equal(r.performers[0]!.faces[0]!.embedding.length, DIM);
  });

  test('float16 payloads decode too', () => {
    const r = validateContribution(
      request((q) => {
        q.encoding = 'float16';
        q.performers[0]!.faces.forEach((f, i) => (f.embedding = encodeEmbedding(unit(i + 1), 'float16')));
      }),
      limits,
    );
    assert.ok(r.ok, JSON.stringify(r));
  });

  test('wrong dimension', () => {
    const r = validateContribution(
      request(
        (q) => (q.performers[0]!.faces[0]!.embedding = encodeEmbedding(l2Normalize([1, 2, 3]), 'float32')),
      ),
      limits,
    );
    assert.deepEqual(fields(r), ['performers.0.faces.0.embedding']);
    assert.match(
      (r as { problems: { message: string }[] }).problems[0]!.message,
      /has 3 values; model m 1 makes 8/,
    );
  });

  test('non-finite, zero and non-unit vectors', () => {
    const bad = [
      Float32Array.from({ length: DIM }, (_, i) => (i === 0 ? NaN : 0.3)),
      new Float32Array(DIM),
      Float32Array.from({ length: DIM }, () => 1),
    ];
    for (const [i, v] of bad.entries()) {
      const r = validateContribution(
        request((q) => (q.performers[0]!.faces[0]!.embedding = encodeEmbedding(v, 'float32'))),
        limits,
      );
      assert.deepEqual(fields(r), ['performers.0.faces.0.embedding'], `case ${i}`);
    }
  });

  test('duplicate faces within the payload, even across performers', () => {
    const r = validateContribution(
      request((q) => {
        const p2 = structuredClone(q.performers[0]!);
        p2.stashId = 'p2';
        p2.faces = [p2.faces[1]!];
        q.performers.push(p2);
      }),
      limits,
    );
    assert.deepEqual(fields(r), ['performers.1.faces.0.embedding']);
  });

  test('too many faces per performer', () => {
    const r = validateContribution(
      request((q) => {
        for (let s = 3; s <= 4; s++)
          q.performers[0]!.faces.push({
            ...q.performers[0]!.faces[0]!,
            embedding: encodeEmbedding(unit(s), 'float32'),
          });
      }),
      limits,
    );
    assert.deepEqual(fields(r), ['performers.0.faces']);
  });

  test('timestamps past the duration, unknown tracks, duplicate performers and tracks', () => {
    const r = validateContribution(
      request((q) => {
        q.performers[0]!.faces[0]!.timestampSec = 500;
        q.performers[0]!.faces[1]!.trackId = 'nope';
        q.performers[0]!.tracks.push({ trackId: 't1', points: [{ t: 200, box: [0, 0, 1, 1] }] });
        q.performers.push({ ...structuredClone(q.performers[0]!), faces: [] });
      }),
      limits,
    );
    const f = fields(r);
    for (const expected of [
      'performers.0.faces.0.timestampSec',
      'performers.0.faces.1.trackId',
      'performers.0.tracks.1.trackId',
      'performers.0.tracks.1.points.0.t',
      'performers.1.stashId',
    ]) {
      assert.ok(f.includes(expected), `${expected} in ${f.join(', ')}`);
    }
  });

  test('a timestamp just past a whole-second duration is tolerated', () => {
    assert.ok(
      validateContribution(
        request((q) => (q.performers[0]!.faces[0]!.timestampSec = 100.5)),
        limits,
      ).ok,
    );
  });
});

describe('fingerprintMatches', () => {
  test('matches on algorithm and hash, case-insensitively', () => {
    assert.equal(
      fingerprintMatches([{ algorithm: 'PHASH', hash: 'ABCD' }], [{ algorithm: 'PHASH', hash: 'abcd' }]),
      true,
    );
    assert.equal(
      fingerprintMatches([{ algorithm: 'MD5', hash: 'abcd' }], [{ algorithm: 'PHASH', hash: 'abcd' }]),
      false,
    );
    assert.equal(fingerprintMatches([], [{ algorithm: 'PHASH', hash: 'abcd' }]), false);
  });
});
