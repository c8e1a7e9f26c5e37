import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { decodeEmbedding, float16ToFloat32, float32ToFloat16 } from '@stash-sense/vectors';
import { VerifyContributionHandler } from '../apps/cloud/src/contributions/verify-contribution.handler.js';
import { contributionPayload, DIMENSION, MODEL } from './support/contributions.js';
import { TEST_REDIS_URL } from './support/services.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';
const STRANGER = '33333333-3333-4333-8333-333333333333';
const SCENE = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const FINGERPRINT = { algorithm: 'PHASH' as const, hash: 'c4d2a1b3e5f60718', durationSec: 600 };
/** A 600-s fixture scene crediting one performer, with FINGERPRINT. */
const oneCreditScene = (id: string, performer: { id: string; name: string }) => ({
  id,
  duration: 600,
  performers: [performer],
  fingerprints: [{ algorithm: 'PHASH' as const, hash: FINGERPRINT.hash, duration: 600 }],
});

describe('contribution ingest', () => {
  let ctx: TestApp;
  let box: StashBoxFixtureServer;
  let key: string;
  let userId: string;

  const post = (body: unknown, k = key) =>
    ctx
      .http()
      .post('/v1/contributions')
      .set('Authorization', `Bearer ${k}`)
      .send(body as object);
  const payload = (o: Partial<Parameters<typeof contributionPayload>[0]> = {}) =>
    contributionPayload({ endpoint: box.url, sceneId: SCENE, performers: [{ stashId: P1, faces: 5 }], ...o });

  before(async () => {
    box = await new StashBoxFixtureServer().start();
    box.scenes.set(SCENE, {
      id: SCENE,
      title: 'Fixture scene',
      duration: 600,
      performers: [
        { id: P1, name: 'Performer One' },
        { id: P2, name: 'Performer Two' },
      ],
      fingerprints: [{ algorithm: 'PHASH', hash: FINGERPRINT.hash, duration: 600 }],
    });
    ctx = await startTestApp({ STASHBOX_API_KEYS: JSON.stringify({ testbox: 'box-secret' }) });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'testbox', 'Test box', $1)`,
      [box.url],
    );
    const user = await ctx.createUser();
    userId = user.id;
    key = (await ctx.createApiKey(await ctx.login(user.email), ['contribute', 'read'])).key;
  });
  after(async () => {
    await ctx.close();
    await box.stop();
  });

  test('a verified contribution is committed with its faces, tracks and a queued consensus job', async () => {
    const body = payload({ seed: 11 });
    const res = await post(body).expect(202);
    assert.equal(res.body.contributions.length, 1);
    const [c] = res.body.contributions;
    assert.equal(c.status, 'verified');
    assert.equal(c.faces, 5);
    assert.equal(c.replacedEarlier, false);
    assert.equal(box.requests.at(-1)!.apiKey, 'box-secret', 'the stash-box API key is sent as ApiKey');

    const faces = await ctx.db.query(
      `SELECT embedding::text AS e, dimension, track_key, status FROM faces WHERE contribution_id = $1 ORDER BY timestamp_sec`,
      [c.id],
    );
    assert.equal(faces.rows.length, 5);
    const sent = decodeEmbedding(body.performers[0]!.faces[0]!.embedding, 'float32');
    const stored = JSON.parse(faces.rows[0].e) as number[];
    assert.equal(stored.length, DIMENSION);
    // Stored as halfvec: the float32 embedding rounded to the nearest float16 (migration 20261216000000).
    const asHalf = float16ToFloat32(float32ToFloat16(sent));
    stored.forEach((x, i) => assert.equal(Math.fround(x), asHalf[i], `component ${i}`));
    stored.forEach((x, i) => assert.ok(Math.abs(x - sent[i]!) < 1e-4));
    assert.equal(faces.rows[0].status, 'pending');
    const tracks = await ctx.db.query(
      `SELECT track_key, points FROM face_tracks WHERE contribution_id = $1`,
      [c.id],
    );
    assert.equal(tracks.rows[0].points.length, 5);
    const performer = await ctx.db.query(
      `SELECT p.name, p.primary_source FROM performers p JOIN contributions c ON c.performer_id = p.id WHERE c.id = $1`,
      [c.id],
    );
    assert.deepEqual(performer.rows[0], { name: 'Performer One', primary_source: 'testbox' });

    const outbox = await ctx.db.query(
      `SELECT kind, dispatched_at FROM outbox_events ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(outbox.rows[0].kind, 'consensus.performer');
    assert.notEqual(outbox.rows[0].dispatched_at, null, 'dispatched right after commit');
    const queue = new Queue('consensus', { connection: { url: TEST_REDIS_URL }, prefix: ctx.redisPrefix });
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active']);
    await queue.close();
    assert.ok(jobs.some((j) => j.name === 'consensus.performer'));
  });

  test('no fingerprint in common with the stash-box → accepted but unverified', async () => {
    const res = await post(
      payload({
        seed: 12,
        performers: [{ stashId: P2, faces: 3 }],
        fingerprints: [{ algorithm: 'OSHASH', hash: 'ffff0000ffff0000', durationSec: 600 }],
      }),
    ).expect(202);
    assert.equal(res.body.contributions[0].status, 'unverified');
    assert.match(res.body.contributions[0].statusReason, /fingerprint/);
  });

  test('float16 embeddings are accepted', async () => {
    const res = await post(
      payload({ seed: 13, encoding: 'float16', performers: [{ stashId: P2, faces: 2 }] }),
    ).expect(202);
    assert.equal(res.body.contributions[0].faces, 2);
  });

  describe('validation: each rule is a 400 naming the field', () => {
    const expect400 = async (mutate: (b: ReturnType<typeof payload>) => void, field: RegExp) => {
      const body = payload({ seed: 20 });
      mutate(body);
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, 'bad_request');
      const fields = (res.body.details.fields as { field: string }[]).map((f) => f.field).join(' ');
      assert.match(fields, field);
    };
    const rawVector = (fill: (i: number) => number, n = DIMENSION) => {
      const b = Buffer.alloc(n * 4);
      for (let i = 0; i < n; i++) b.writeFloatLE(fill(i), i * 4);
      return b.toString('base64');
    };

    test('unknown model', () => expect400((b) => (b.model = { name: 'other', version: '1' }), /^model$/));
    test('wrong dimension', () =>
      expect400(
        (b) => (b.performers[0]!.faces[0]!.embedding = rawVector(() => 1 / Math.sqrt(128), 128)),
        /performers\.0\.faces\.0\.embedding/,
      ));
    test('non-finite values', () =>
      expect400(
        (b) => (b.performers[0]!.faces[1]!.embedding = rawVector((i) => (i === 3 ? NaN : 0.044))),
        /performers\.0\.faces\.1\.embedding/,
      ));
    test('zero vector', () =>
      expect400((b) => (b.performers[0]!.faces[0]!.embedding = rawVector(() => 0)), /faces\.0\.embedding/));
    test('far from unit norm', () =>
      expect400((b) => (b.performers[0]!.faces[0]!.embedding = rawVector(() => 0.5)), /faces\.0\.embedding/));
    test('duplicate faces', () =>
      expect400(
        (b) => (b.performers[0]!.faces[2]!.embedding = b.performers[0]!.faces[0]!.embedding),
        /faces\.2\.embedding/,
      ));
    test('too many faces per performer per scene (default 60)', async () => {
      const body = payload({ seed: 21, performers: [{ stashId: P1, faces: 61 }] });
      body.scene.fingerprints[0]!.durationSec = 600;
      const res = await post(body).expect(400);
      assert.match(res.body.details.fields[0].field, /^performers\.0\.faces$/);
      assert.match(res.body.details.fields[0].message, /at most 60/);
    });
    test('timestamps outside the duration', () =>
      expect400((b) => (b.performers[0]!.faces[0]!.timestampSec = 9_999), /faces\.0\.timestampSec/));
    test('unknown fields are refused, and nothing can carry image bytes', () =>
      expect400(
        (b) => ((b.performers[0]!.faces[0] as Record<string, unknown>).image = 'data:image/jpeg;base64,AAAA'),
        /faces\.0/,
      ));
    test('unknown stash-box endpoint', () =>
      expect400((b) => (b.scene.endpoint = 'https://unknown.example/graphql'), /scene\.endpoint/));
  });

  test('verification: unknown scene and uncredited performer are 422s; nothing is stored', async () => {
    const before = (await ctx.db.query('SELECT count(*)::int AS n FROM contributions')).rows[0].n;
    const noScene = await post(payload({ seed: 30, sceneId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' })).expect(
      422,
    );
    assert.match(noScene.body.details.fields[0].field, /scene\.stashId/);
    const stranger = await post(payload({ seed: 31, performers: [{ stashId: STRANGER, faces: 2 }] })).expect(
      422,
    );
    assert.match(stranger.body.details.fields[0].field, /performers\.0\.stashId/);
    assert.equal((await ctx.db.query('SELECT count(*)::int AS n FROM contributions')).rows[0].n, before);
  });

  test('stash-box lookups are cached in PostgreSQL', async () => {
    const count = box.requests.length;
    await post(payload({ seed: 32 })).expect(202);
    assert.equal(box.requests.length, count, 'the scene came from the cache');
    const cache = await ctx.db.query(`SELECT found, expires_at > now() AS live FROM stash_box_scene_cache`);
    assert.ok(cache.rows.some((r) => r.found && r.live));
  });

  test('idempotency: same key → same response, nothing stored twice; same key, other body → 409', async () => {
    const other = await ctx.createUser();
    const otherKey = (await ctx.createApiKey(await ctx.login(other.email), ['contribute'])).key;
    const body = payload({ seed: 40, idempotencyKey: 'same-key-0001' });
    const first = await post(body, otherKey).expect(202);
    const again = await post(body, otherKey).expect(202);
    assert.deepEqual(again.body, first.body);
    const faces = await ctx.db.query(`SELECT count(*)::int AS n FROM faces WHERE contribution_id = $1`, [
      first.body.contributions[0].id,
    ]);
    assert.equal(faces.rows[0].n, 5);
    const changed = payload({ seed: 41, idempotencyKey: 'same-key-0001' });
    const conflict = await post(changed, otherKey).expect(409);
    assert.match(conflict.body.message, /idempotency key/);
    // Concurrent duplicates: one commits, the others answer with its response.
    const burst = payload({
      seed: 42,
      idempotencyKey: 'burst-key-0001',
      performers: [{ stashId: P2, faces: 4 }],
    });
    const answers = await Promise.all([1, 2, 3, 4].map(() => post(burst, otherKey)));
    for (const a of answers) assert.equal(a.status, 202, JSON.stringify(a.body));
    assert.equal(new Set(answers.map((a) => a.body.contributions[0].id)).size, 1);
    const count = await ctx.db.query(`SELECT count(*)::int AS n FROM faces WHERE contribution_id = $1`, [
      answers[0]!.body.contributions[0].id,
    ]);
    assert.equal(count.rows[0].n, 4);
  });

  test('one contribution per (contributor, scene, performer): a resubmission replaces it atomically', async () => {
    const replacer = await ctx.createUser();
    const k = (await ctx.createApiKey(await ctx.login(replacer.email), ['contribute'])).key;
    const first = await post(payload({ seed: 50, performers: [{ stashId: P1, faces: 6 }] }), k).expect(202);
    // The replacement keeps one track key with new points (track-0), drops none of its own, and adds one (extra);
    // the first submission's track-0 points and faces must all be gone.
    const replacement = payload({ seed: 51, performers: [{ stashId: P1, faces: 3 }] });
    const performer = replacement.performers[0]!;
    performer.faces[2]!.trackId = 'extra';
    performer.tracks = [
      { trackId: 'track-0', points: [{ t: 10, box: [1, 2, 30, 30] }] },
      { trackId: 'extra', points: [{ t: 12, box: [5, 6, 40, 40] }] },
    ];
    const second = await post(replacement, k).expect(202);
    assert.equal(second.body.contributions[0].id, first.body.contributions[0].id);
    assert.equal(second.body.contributions[0].replacedEarlier, true);
    const faces = await ctx.db.query(
      `SELECT track_key, timestamp_sec FROM faces WHERE contribution_id = $1 ORDER BY timestamp_sec`,
      [first.body.contributions[0].id],
    );
    assert.deepEqual(
      faces.rows.map((r) => [r.track_key, r.timestamp_sec]),
      [
        ['track-0', 10],
        ['track-0', 11],
        ['extra', 12],
      ],
    );
    const tracks = await ctx.db.query(
      `SELECT track_key, points FROM face_tracks WHERE contribution_id = $1 ORDER BY track_key`,
      [first.body.contributions[0].id],
    );
    assert.deepEqual(
      tracks.rows.map((r) => [r.track_key, r.points]),
      [
        ['extra', [{ t: 12, box: [5, 6, 40, 40] }]],
        ['track-0', [{ t: 10, box: [1, 2, 30, 30] }]],
      ],
    );
    // Replaced again with only the extra track: track-0 leaves.
    const third = payload({ seed: 52, performers: [{ stashId: P1, faces: 1 }] });
    third.performers[0]!.faces[0]!.trackId = 'extra';
    third.performers[0]!.tracks = [{ trackId: 'extra', points: [{ t: 10, box: [7, 8, 50, 50] }] }];
    await post(third, k).expect(202);
    const left = await ctx.db.query(
      `SELECT track_key FROM face_tracks WHERE contribution_id = $1 UNION ALL
       SELECT 'face:' || track_key FROM faces WHERE contribution_id = $1`,
      [first.body.contributions[0].id],
    );
    assert.deepEqual(left.rows.map((r) => r.track_key).sort(), ['extra', 'face:extra']);
  });

  test('a new performer is created once however many contributors race for it; a known StashDB performer is linked', async () => {
    const racingScene = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
    const racer = '44444444-4444-4444-8444-444444444444';
    box.scenes.set(racingScene, oneCreditScene(racingScene, { id: racer, name: 'Racing Performer' }));
    const keys = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const u = await ctx.createUser();
        return (await ctx.createApiKey(await ctx.login(u.email), ['contribute'])).key;
      }),
    );
    const answers = await Promise.all(
      keys.map((k, i) =>
        post(payload({ seed: 70 + i, sceneId: racingScene, performers: [{ stashId: racer, faces: 2 }] }), k),
      ),
    );
    for (const a of answers) assert.equal(a.status, 202, JSON.stringify(a.body));
    const performers = await ctx.db.query(
      `SELECT DISTINCT c.performer_id FROM contributions c JOIN scenes s ON s.id = c.scene_id WHERE s.stash_id = $1`,
      [racingScene],
    );
    assert.equal(performers.rows.length, 1);
    const named = await ctx.db.query(`SELECT id FROM performers WHERE name = 'Racing Performer'`);
    assert.deepEqual(named.rows, [{ id: performers.rows[0].performer_id }], 'no orphan performer rows');
    const links = await ctx.db.query(`SELECT performer_id FROM performer_stash_ids WHERE stash_id = $1`, [
      racer,
    ]);
    assert.deepEqual(links.rows, [{ performer_id: performers.rows[0].performer_id }]);

    // A StashDB performer already known by its StashDB id but not yet linked on the endpoint: linked to it,
    // not created a second time.
    const stashdb = await new StashBoxFixtureServer().start();
    let restoreStashdb = async (): Promise<unknown> => undefined;
    try {
      const stashdbScene = 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee';
      const known = '55555555-5555-4555-8555-555555555555';
      stashdb.scenes.set(stashdbScene, oneCreditScene(stashdbScene, { id: known, name: 'Known Performer' }));
      // The migrations seed the StashDB endpoint: point it at this fixture for the test.
      const seeded = await ctx.db.query(
        `SELECT graphql_url, enabled FROM stash_box_endpoints WHERE key = 'stashdb'`,
      );
      await ctx.db.query(
        `UPDATE stash_box_endpoints SET graphql_url = $1, enabled = true WHERE key = 'stashdb'`,
        [stashdb.url],
      );
      restoreStashdb = () =>
        ctx.db.query(`UPDATE stash_box_endpoints SET graphql_url = $1, enabled = $2 WHERE key = 'stashdb'`, [
          seeded.rows[0].graphql_url,
          seeded.rows[0].enabled,
        ]);
      const existing = await ctx.db.query(
        `INSERT INTO performers (id, name, stashdb_id, primary_source, updated_at)
         VALUES (gen_random_uuid(), 'Known Performer', $1, 'stashdb', now()) RETURNING id`,
        [known],
      );
      const res = await post(
        contributionPayload({
          endpoint: stashdb.url,
          sceneId: stashdbScene,
          performers: [{ stashId: known, faces: 2 }],
          seed: 80,
        }),
      ).expect(202);
      const contribution = await ctx.db.query(`SELECT performer_id FROM contributions WHERE id = $1`, [
        res.body.contributions[0].id,
      ]);
      assert.equal(contribution.rows[0].performer_id, existing.rows[0].id);
      const link = await ctx.db.query(`SELECT performer_id FROM performer_stash_ids WHERE stash_id = $1`, [
        known,
      ]);
      assert.deepEqual(link.rows, [{ performer_id: existing.rows[0].id }]);
    } finally {
      await restoreStashdb();
      await stashdb.stop();
    }
  });

  test('list, withdraw one, withdraw all', async () => {
    const person = await ctx.createUser();
    const k = (await ctx.createApiKey(await ctx.login(person.email), ['contribute'])).key;
    const a = await post(payload({ seed: 60, performers: [{ stashId: P1, faces: 2 }] }), k).expect(202);
    await post(payload({ seed: 61, performers: [{ stashId: P2, faces: 2 }] }), k).expect(202);
    const list = await ctx
      .http()
      .get('/v1/me/contributions?limit=1')
      .set('Authorization', `Bearer ${k}`)
      .expect(200);
    assert.equal(list.body.items.length, 1);
    assert.ok(list.body.nextCursor);
    assert.equal(list.body.items[0].scene.stashId, SCENE);
    assert.ok(['verified', 'unverified'].includes(list.body.items[0].status));

    await ctx
      .http()
      .delete(`/v1/contributions/${a.body.contributions[0].id}`)
      .set('Authorization', `Bearer ${key}`)
      .expect(404);
    const one = await ctx
      .http()
      .delete(`/v1/contributions/${a.body.contributions[0].id}`)
      .set('Authorization', `Bearer ${k}`)
      .expect(200);
    assert.deepEqual([one.body.withdrawnContributions, one.body.deletedFaces], [1, 2]);
    assert.match(one.body.effective, /absent from every index built from now on/);
    const all = await ctx
      .http()
      .delete('/v1/me/contributions')
      .set('Authorization', `Bearer ${k}`)
      .expect(200);
    assert.deepEqual([all.body.withdrawnContributions, all.body.deletedFaces], [1, 2]);
    const left = await ctx.db.query(
      `SELECT count(*)::int AS n FROM faces f JOIN contributions c ON c.id = f.contribution_id WHERE c.contributor_id = $1`,
      [person.id],
    );
    assert.equal(left.rows[0].n, 0);
    const statuses = await ctx
      .http()
      .get('/v1/me/contributions?status=withdrawn')
      .set('Authorization', `Bearer ${k}`)
      .expect(200);
    assert.equal(statuses.body.items.length, 2);
  });

  test('stash-box down → stored as pending_verification; verified by the job once it is back', async () => {
    const scene = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
    box.scenes.set(scene, {
      id: scene,
      duration: 600,
      performers: [{ id: P1, name: 'Performer One' }],
      fingerprints: [{ algorithm: 'PHASH', hash: FINGERPRINT.hash, duration: 600 }],
    });
    box.down = true;
    const res = await post(payload({ seed: 70, sceneId: scene })).expect(202);
    const id = res.body.contributions[0].id;
    assert.equal(res.body.contributions[0].status, 'pending_verification');
    const handler = ctx.app.get(VerifyContributionHandler);
    assert.deepEqual(await handler.handle({ contributionId: id }), { outcome: 'postponed' });
    const postponed = await ctx.db.query(
      `SELECT verification_attempts, next_verification_at > now() AS later FROM contributions WHERE id = $1`,
      [id],
    );
    assert.deepEqual(postponed.rows[0], { verification_attempts: 1, later: true });
    box.down = false;
    assert.deepEqual(await handler.handle({ contributionId: id }), { outcome: 'verified' });
    const row = await ctx.db.query(`SELECT status, fingerprint_matched FROM contributions WHERE id = $1`, [
      id,
    ]);
    assert.deepEqual(row.rows[0], { status: 'verified', fingerprint_matched: true });
    assert.deepEqual(
      await handler.handle({ contributionId: id }),
      { outcome: 'nothing to verify' },
      'idempotent',
    );
    const faces = await ctx.db.query(`SELECT count(*)::int AS n FROM faces WHERE contribution_id = $1`, [id]);
    assert.equal(faces.rows[0].n, 5, 'nothing dropped');
  });

  test('feedback: not-same evidence is stored; an unknown performer is a 404', async () => {
    const body = payload({ seed: 80 });
    const res = await ctx
      .http()
      .post('/v1/feedback')
      .set('Authorization', `Bearer ${key}`)
      .send({
        model: MODEL,
        embedding: body.performers[0]!.faces[0]!.embedding,
        performer: { endpoint: box.url, stashId: P1 },
        distance: 0.55,
        scene: { endpoint: box.url, stashId: SCENE },
      })
      .expect(201);
    const row = await ctx.db.query(
      `SELECT distance, contributor_id, scene_id IS NOT NULL AS has_scene FROM negative_feedback WHERE id = $1`,
      [res.body.id],
    );
    assert.deepEqual(row.rows[0], { distance: 0.55, contributor_id: userId, has_scene: true });
    await ctx
      .http()
      .post('/v1/feedback')
      .set('Authorization', `Bearer ${key}`)
      .send({
        model: MODEL,
        embedding: body.performers[0]!.faces[0]!.embedding,
        performer: { endpoint: box.url, stashId: STRANGER },
        distance: 0.5,
      })
      .expect(404);
  });

  test('auth: 401 without credentials, 403 without the contribute scope', async () => {
    const body = payload({ seed: 90 });
    await ctx.http().post('/v1/contributions').send(body).expect(401);
    await ctx.http().get('/v1/me/contributions').expect(401);
    await ctx.http().delete('/v1/me/contributions').expect(401);
    await ctx.http().post('/v1/feedback').send({}).expect(401);
    const reader = await ctx.createUser();
    const readKey = (await ctx.createApiKey(await ctx.login(reader.email), ['read'])).key;
    const res = await post(body, readKey).expect(403);
    assert.match(res.body.message, /scope contribute/);
    await ctx.http().get('/v1/me/contributions').set('Authorization', `Bearer ${readKey}`).expect(403);
  });
});
