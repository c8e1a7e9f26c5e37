import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { OutboxService } from '../apps/cloud/src/outbox/outbox.service.js';
import { contributionPayload } from './support/contributions.js';
import { RedisProcess } from './support/redis-process.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PERFORMER = '44444444-4444-4444-8444-444444444444';
const SCENE = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

describe('durability: Redis down during submit, then the outbox sweeper', () => {
  let redis: RedisProcess;
  let box: StashBoxFixtureServer;
  let ctx: TestApp;
  let key: string;

  before(async () => {
    redis = await RedisProcess.start();
    box = await new StashBoxFixtureServer().start();
    box.scenes.set(SCENE, {
      id: SCENE,
      duration: 600,
      performers: [{ id: PERFORMER, name: 'Outbox Performer' }],
      fingerprints: [{ algorithm: 'PHASH', hash: 'c4d2a1b3e5f60718', duration: 600 }],
    });
    ctx = await startTestApp({ REDIS_URL: redis.url, RATE_LIMIT_KEY_POINTS: '100' });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'outboxbox', 'Box', $1)`,
      [box.url],
    );
    const user = await ctx.createUser();
    key = (await ctx.createApiKey(await ctx.login(user.email), ['contribute'])).key;
  });
  after(async () => {
    await ctx.close();
    await redis.stop();
    await box.stop();
  });

  test('the contribution is committed and acknowledged while Redis is down; the sweeper queues it once Redis is back', async () => {
    await redis.stop();
    const res = await ctx
      .http()
      .post('/v1/contributions')
      .set('Authorization', `Bearer ${key}`)
      .send(
        contributionPayload({
          endpoint: box.url,
          sceneId: SCENE,
          performers: [{ stashId: PERFORMER, faces: 4 }],
          seed: 5,
        }),
      )
      .expect(202);
    const id = res.body.contributions[0].id;
    const faces = await ctx.db.query('SELECT count(*)::int AS n FROM faces WHERE contribution_id = $1', [id]);
    assert.equal(faces.rows[0].n, 4, 'committed before the answer');
    const pending = await ctx.db.query(`SELECT id FROM outbox_events WHERE dispatched_at IS NULL`);
    assert.equal(pending.rows.length, 1, 'the queue work waits in the outbox');

    const outbox = ctx.app.get(OutboxService);
    assert.equal(await outbox.sweep(100, 0), 0, 'nothing can be dispatched while Redis is down');
    const attempts = async () =>
      (
        await ctx.db.query('SELECT attempts, dispatched_at FROM outbox_events WHERE id = $1', [
          pending.rows[0].id,
        ])
      ).rows[0];
    // Two failed attempts (the request's own dispatch, then the sweep), and still undispatched.
    assert.deepEqual(await attempts(), { attempts: 2, dispatched_at: null });

    await redis.start();
    // The app's Redis clients reconnect on their own; the sweeper then hands the event over.
    let swept = 0;
    for (let i = 0; i < 40 && swept === 0; i++) {
      swept = await outbox.sweep(100, 0);
      if (!swept) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(swept, 1);
    assert.equal(await outbox.sweep(100, 0), 0, 'a second sweep finds nothing left');
    const after = await attempts();
    assert.ok(after.dispatched_at instanceof Date);
    assert.ok(after.attempts >= 3, `attempts ${after.attempts}`);
    const queue = new Queue('consensus', { connection: { url: redis.url }, prefix: ctx.redisPrefix });
    const jobs = await queue.getJobs(['waiting', 'delayed']);
    await queue.close();
    assert.deepEqual(
      jobs.map((j) => j.id),
      [`outbox-${pending.rows[0].id}`],
    );
  });

  test('the per-key rate limit applies to contributions (429 with Retry-After)', async () => {
    const limited = await startTestApp({ RATE_LIMIT_KEY_POINTS: '2' }, { database: ctx.database });
    try {
      const user = await limited.createUser();
      const k = (await limited.createApiKey(await limited.login(user.email), ['contribute'])).key;
      const send = () => limited.http().get('/v1/me/contributions').set('Authorization', `Bearer ${k}`);
      await send().expect(200);
      await send().expect(200);
      const res = await send().expect(429);
      assert.ok(Number(res.headers['retry-after']) >= 1);
    } finally {
      await limited.close();
    }
  });
});
