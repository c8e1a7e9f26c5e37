import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

describe('accounts, sessions and API keys', () => {
  let ctx: TestApp;
  before(async () => {
    ctx = await startTestApp();
  });
  after(async () => ctx.close());

  describe('register', () => {
    test('creates a contributor and stores only a memory-hard hash', async () => {
      const res = await ctx
        .http()
        .post('/v1/auth/register')
        .send({ email: '  New.User@Example.org ', password: TEST_PASSWORD, displayName: 'New' })
        .expect(201);
      assert.equal(res.body.email, 'new.user@example.org');
      assert.equal(res.body.role, 'contributor');
      assert.equal(res.body.status, 'active');
      assert.equal('passwordHash' in res.body, false);
      const { rows } = await ctx.db.query('SELECT password_hash FROM users WHERE email = $1', [
        'new.user@example.org',
      ]);
      assert.match(rows[0].password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    test('a taken e-mail is a 409', async () => {
      const res = await ctx
        .http()
        .post('/v1/auth/register')
        .send({ email: 'new.user@example.org', password: TEST_PASSWORD });
      assert.equal(res.status, 409);
      assert.equal(res.body.error, 'conflict');
    });

    test('bad input is a 400 naming the field; unknown fields are refused', async () => {
      const bad = await ctx
        .http()
        .post('/v1/auth/register')
        .send({ email: 'nope', password: TEST_PASSWORD })
        .expect(400);
      assert.equal(bad.body.error, 'bad_request');
      assert.equal(bad.body.details.fields[0].field, 'email');
      const short = await ctx
        .http()
        .post('/v1/auth/register')
        .send({ email: 'a@b.org', password: 'short' })
        .expect(400);
      assert.equal(short.body.details.fields[0].field, 'password');
      const extra = await ctx
        .http()
        .post('/v1/auth/register')
        .send({ email: 'c@d.org', password: TEST_PASSWORD, role: 'admin' })
        .expect(400);
      assert.match(extra.body.message, /role|unrecognized/i);
    });
  });

  describe('login, refresh and logout', () => {
    test('login gives a working access token; a wrong password is a 401', async () => {
      const user = await ctx.createUser();
      const wrong = await ctx
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: 'not the password' });
      assert.equal(wrong.status, 401);
      const unknown = await ctx
        .http()
        .post('/v1/auth/login')
        .send({ email: 'ghost@example.org', password: TEST_PASSWORD });
      assert.equal(unknown.status, 401);
      assert.equal(
        unknown.body.message,
        wrong.body.message,
        'unknown e-mail and wrong password look the same',
      );
      const token = await ctx.login(user.email);
      const me = await ctx.http().get('/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      assert.equal(me.body.id, user.id);
    });

    test('refresh rotates; reusing a refresh token ends every session', async () => {
      const user = await ctx.createUser();
      const login = await ctx
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: TEST_PASSWORD })
        .expect(200);
      const first = login.body.refreshToken;
      const rotated = await ctx.http().post('/v1/auth/refresh').send({ refreshToken: first }).expect(200);
      assert.notEqual(rotated.body.refreshToken, first);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${rotated.body.accessToken}`).expect(200);
      const reuse = await ctx.http().post('/v1/auth/refresh').send({ refreshToken: first }).expect(401);
      assert.match(reuse.body.message, /already used/);
      // The stolen-token alarm revoked the rotated token too.
      await ctx.http().post('/v1/auth/refresh').send({ refreshToken: rotated.body.refreshToken }).expect(401);
    });

    test('logout revokes the refresh token', async () => {
      const user = await ctx.createUser();
      const login = await ctx
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: TEST_PASSWORD })
        .expect(200);
      await ctx.http().post('/v1/auth/logout').send({ refreshToken: login.body.refreshToken }).expect(204);
      await ctx.http().post('/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
    });

    test('a forged or garbage access token is a 401', async () => {
      const forged =
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCJ0eXAiOiJhY2Nlc3MifQ.c2lnbmF0dXJl';
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${forged}`).expect(401);
      await ctx.http().get('/v1/me').set('Authorization', 'Bearer ss_short').expect(401);
    });
  });

  describe('API keys', () => {
    test('create shows the secret once; list never does; the key authenticates', async () => {
      const user = await ctx.createUser();
      const token = await ctx.login(user.email);
      const created = await ctx
        .http()
        .post('/v1/me/api-keys')
        .set('Authorization', `Bearer ${token}`)
        .send({ name: 'my stash', scopes: ['read', 'contribute'] })
        .expect(201);
      assert.match(created.body.key, /^ss_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.prefix, created.body.key.slice(0, 11));
      const { rows } = await ctx.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
      assert.notEqual(rows[0].key_hash, created.body.key, 'only a hash is stored');

      const list = await ctx
        .http()
        .get('/v1/me/api-keys')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      assert.equal(list.body.items.length, 1);
      assert.equal('key' in list.body.items[0], false);

      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${created.body.key}`).expect(200);
      const viaHeader = await ctx.http().get('/v1/me').set('X-Api-Key', created.body.key).expect(200);
      assert.equal(viaHeader.body.id, user.id);
      const used = await ctx
        .http()
        .get('/v1/me/api-keys')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      assert.notEqual(used.body.items[0].lastUsedAt, null);

      // Use is recorded at most once a minute: a recent lastUsedAt stays, an older one is refreshed.
      const lastUsed = async () =>
        (await ctx.db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.body.id])).rows[0]
          .last_used_at as Date;
      const recent = new Date(Date.now() - 30_000);
      await ctx.db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [created.body.id, recent]);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${created.body.key}`).expect(200);
      assert.equal((await lastUsed()).getTime(), recent.getTime());
      const old = new Date(Date.now() - 61_000);
      await ctx.db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [created.body.id, old]);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${created.body.key}`).expect(200);
      assert.ok((await lastUsed()).getTime() > Date.now() - 10_000, 'refreshed after a minute');
    });

    test('revoked keys stop working at once', async () => {
      const user = await ctx.createUser();
      const token = await ctx.login(user.email);
      const key = await ctx.createApiKey(token, ['read']);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${key.key}`).expect(200);
      const revoked = await ctx
        .http()
        .delete(`/v1/me/api-keys/${key.id}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      assert.notEqual(revoked.body.revokedAt, null);
      const res = await ctx.http().get('/v1/me').set('Authorization', `Bearer ${key.key}`).expect(401);
      assert.match(res.body.message, /revoked/);
    });

    test("someone else's key id is a 404; a bad id is a 400", async () => {
      const owner = await ctx.createUser();
      const other = await ctx.createUser();
      const key = await ctx.createApiKey(await ctx.login(owner.email), ['read']);
      const otherToken = await ctx.login(other.email);
      await ctx
        .http()
        .delete(`/v1/me/api-keys/${key.id}`)
        .set('Authorization', `Bearer ${otherToken}`)
        .expect(404);
      await ctx
        .http()
        .delete('/v1/me/api-keys/not-a-uuid')
        .set('Authorization', `Bearer ${otherToken}`)
        .expect(400);
    });

    test('wrong scope is a 403; a key cannot manage keys; a contributor cannot hold `moderate`', async () => {
      const user = await ctx.createUser();
      const token = await ctx.login(user.email);
      const contributeOnly = await ctx.createApiKey(token, ['contribute']);
      const scope = await ctx
        .http()
        .get('/v1/me')
        .set('Authorization', `Bearer ${contributeOnly.key}`)
        .expect(403);
      assert.match(scope.body.message, /scope read/);
      const readKey = await ctx.createApiKey(token, ['read']);
      await ctx.http().get('/v1/me/api-keys').set('Authorization', `Bearer ${readKey.key}`).expect(403);
      await ctx
        .http()
        .post('/v1/me/api-keys')
        .set('Authorization', `Bearer ${readKey.key}`)
        .send({ name: 'x', scopes: ['read'] })
        .expect(403);
      const moderate = await ctx
        .http()
        .post('/v1/me/api-keys')
        .set('Authorization', `Bearer ${token}`)
        .send({ name: 'mod', scopes: ['moderate'] })
        .expect(403);
      assert.match(moderate.body.message, /cannot hold scope moderate/);
    });
  });

  describe('roles and account status', () => {
    test('moderators list accounts; contributors cannot', async () => {
      const moderator = await ctx.createUser('moderator');
      const contributor = await ctx.createUser('contributor');
      const modToken = await ctx.login(moderator.email);
      const page = await ctx
        .http()
        .get('/v1/admin/users?limit=2')
        .set('Authorization', `Bearer ${modToken}`)
        .expect(200);
      assert.equal(page.body.items.length, 2);
      assert.equal(typeof page.body.nextCursor, 'string');
      const next = await ctx
        .http()
        .get(`/v1/admin/users?limit=2&cursor=${page.body.nextCursor}`)
        .set('Authorization', `Bearer ${modToken}`)
        .expect(200);
      assert.ok(next.body.items.every((u: { id: string }) => u.id > page.body.nextCursor));
      const res = await ctx
        .http()
        .get('/v1/admin/users')
        .set('Authorization', `Bearer ${await ctx.login(contributor.email)}`)
        .expect(403);
      assert.match(res.body.message, /role moderator or admin/);
    });

    test('a suspended user is locked out at once: keys, sessions and login; reactivation restores', async () => {
      const admin = await ctx.createUser('admin');
      const adminToken = await ctx.login(admin.email);
      const user = await ctx.createUser();
      const userToken = await ctx.login(user.email);
      const key = await ctx.createApiKey(userToken, ['read', 'contribute']);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${key.key}`).expect(200);

      const suspended = await ctx
        .http()
        .patch(`/v1/admin/users/${user.id}`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ status: 'suspended', reason: 'spam' })
        .expect(200);
      assert.equal(suspended.body.status, 'suspended');

      const viaKey = await ctx.http().get('/v1/me').set('Authorization', `Bearer ${key.key}`).expect(403);
      assert.match(viaKey.body.message, /suspended/);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${userToken}`).expect(403);
      await ctx
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: TEST_PASSWORD })
        .expect(403);

      const { rows } = await ctx.db.query(
        `SELECT action, actor_id, details FROM audit_log WHERE target_id = $1 AND action = 'user.suspended'`,
        [user.id],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0].actor_id, admin.id);
      assert.equal(rows[0].details.reason, 'spam');

      await ctx
        .http()
        .patch(`/v1/admin/users/${user.id}`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ status: 'active' })
        .expect(200);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${key.key}`).expect(200);
    });

    test('only admin sessions change accounts; nobody changes their own', async () => {
      const admin = await ctx.createUser('admin');
      const moderator = await ctx.createUser('moderator');
      const target = await ctx.createUser();
      const modToken = await ctx.login(moderator.email);
      await ctx
        .http()
        .patch(`/v1/admin/users/${target.id}`)
        .set('Authorization', `Bearer ${modToken}`)
        .send({ status: 'banned' })
        .expect(403);
      const adminToken = await ctx.login(admin.email);
      const adminKey = await ctx.createApiKey(adminToken, ['moderate']);
      await ctx
        .http()
        .patch(`/v1/admin/users/${target.id}`)
        .set('Authorization', `Bearer ${adminKey.key}`)
        .send({ status: 'banned' })
        .expect(403);
      await ctx
        .http()
        .patch(`/v1/admin/users/${admin.id}`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ role: 'contributor' })
        .expect(400);
      await ctx
        .http()
        .patch(`/v1/admin/users/${target.id}`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({})
        .expect(400);
      const banned = await ctx
        .http()
        .patch(`/v1/admin/users/${target.id}`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ status: 'banned' })
        .expect(200);
      assert.equal(banned.body.status, 'banned');
    });
  });

  test('every protected route refuses a request without credentials (401)', async () => {
    const routes: [string, string][] = [
      ['get', '/v1/me'],
      ['get', '/v1/me/api-keys'],
      ['post', '/v1/me/api-keys'],
      ['delete', '/v1/me/api-keys/00000000-0000-4000-8000-000000000000'],
      ['get', '/v1/admin/users'],
      ['patch', '/v1/admin/users/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [method, path] of routes) {
      const res = await (
        ctx.http() as unknown as Record<
          string,
          (p: string) => Promise<{ status: number; body: { error: string } }>
        >
      )[method]!(path);
      assert.equal(res.status, 401, `${method.toUpperCase()} ${path}`);
      assert.equal(res.body.error, 'unauthorized');
    }
  });
});
