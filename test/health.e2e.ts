import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('health and readiness', () => {
  let ctx: TestApp;
  before(async () => {
    ctx = await startTestApp();
  });
  after(async () => ctx.close());

  test('GET /health answers without credentials', async () => {
    const res = await ctx.http().get('/health').expect(200);
    assert.equal(res.body.status, 'ok');
    assert.equal(typeof res.body.uptimeSec, 'number');
  });

  test('GET /ready is ready with PostgreSQL, Redis and migrations in place', async () => {
    const res = await ctx.http().get('/ready').expect(200);
    assert.equal(res.body.status, 'ready');
    assert.equal(res.body.checks.database.ok, true);
    assert.equal(res.body.checks.redis.ok, true);
    assert.equal(res.body.checks.migrations.ok, true);
  });

  test('unknown routes get the uniform 404 body', async () => {
    const res = await ctx.http().get('/no/such/route').expect(404);
    assert.equal(res.body.error, 'not_found');
    assert.equal(typeof res.body.message, 'string');
  });
});

describe('readiness fails when a dependency is missing', () => {
  test('Redis stopped → 503 naming Redis, liveness unaffected', async () => {
    const port = await freePort();
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const ctx = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
      try {
        await ctx.http().get('/ready').expect(200);
        redis.kill('SIGKILL');
        await new Promise((r) => redis.once('exit', r));
        const res = await ctx.http().get('/ready').expect(503);
        assert.equal(res.body.status, 'not_ready');
        assert.equal(res.body.checks.redis.ok, false);
        assert.match(res.body.checks.redis.error, /Redis/);
        assert.equal(res.body.checks.database.ok, true);
        // Liveness does not depend on Redis.
        await ctx.http().get('/health').expect(200);
      } finally {
        await ctx.close();
      }
    } finally {
      redis.kill('SIGKILL');
    }
  });

  test('migrations not applied → 503 listing the pending migration', async () => {
    const database = await createTestDatabase({ migrated: false });
    // The schema exists but the migrations table says nothing was applied.
    const ctx = await startTestApp({}, { database });
    try {
      const res = await ctx.http().get('/ready').expect(503);
      assert.equal(res.body.checks.migrations.ok, false);
    } finally {
      await ctx.close();
      await database.drop();
    }
  });
});
