import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { contributionPayload } from './support/contributions.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let ctx: TestApp;
let box: StashBoxFixtureServer;

before(async () => {
  box = await new StashBoxFixtureServer().start();
  ctx = await startTestApp({ BODY_LIMIT: '64kb' });
});
after(async () => {
  await ctx.close();
  await box.stop();
});

test('a contribution body over BODY_LIMIT is a 413 in the uniform error body; nothing is stored', async () => {
  const user = await ctx.createUser();
  const key = (await ctx.createApiKey(await ctx.login(user.email), ['contribute'])).key;
  const res = await ctx
    .http()
    .post('/v1/contributions')
    .set('Authorization', `Bearer ${key}`)
    .send(
      contributionPayload({
        endpoint: box.url,
        sceneId: 'any',
        performers: [{ stashId: 'p', faces: 40 }],
        seed: 22,
      }),
    );
  assert.equal(res.status, 413);
  assert.equal(res.body.error, 'payload_too_large');
  const { rows } = await ctx.db.query('SELECT count(*)::int AS n FROM contributions');
  assert.equal(rows[0].n, 0);
});
