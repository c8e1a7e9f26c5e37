import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { startTestApp, TEST_PASSWORD } from './support/test-app.js';

describe('rate limits (shared through Redis)', () => {
  test('per IP: the request after the burst is a 429 with Retry-After and the uniform body', async () => {
    const ctx = await startTestApp({ RATE_LIMIT_IP_POINTS: '5', RATE_LIMIT_WINDOW_SEC: '60' });
    try {
      for (let i = 0; i < 5; i++) await ctx.http().get('/health').expect(200);
      const res = await ctx.http().get('/health').expect(429);
      assert.equal(res.body.error, 'rate_limited');
      const retryAfter = Number(res.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers['retry-after']}`);
    } finally {
      await ctx.close();
    }
  });

  test('per API key: one key hits its budget while another key keeps working', async () => {
    const ctx = await startTestApp({ RATE_LIMIT_KEY_POINTS: '3', RATE_LIMIT_IP_POINTS: '1000' });
    try {
      const user = await ctx.createUser();
      const token = await ctx.login(user.email);
      const a = await ctx.createApiKey(token, ['read']);
      const b = await ctx.createApiKey(token, ['read']);
      for (let i = 0; i < 3; i++)
        await ctx.http().get('/v1/me').set('Authorization', `Bearer ${a.key}`).expect(200);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${a.key}`).expect(429);
      await ctx.http().get('/v1/me').set('Authorization', `Bearer ${b.key}`).expect(200);
    } finally {
      await ctx.close();
    }
  });

  test('password routes have a stricter budget per IP', async () => {
    const ctx = await startTestApp({ RATE_LIMIT_AUTH_POINTS: '3', RATE_LIMIT_IP_POINTS: '1000' });
    try {
      const user = await ctx.createUser();
      for (let i = 0; i < 3; i++) {
        await ctx
          .http()
          .post('/v1/auth/login')
          .send({ email: user.email, password: 'wrong password!' })
          .expect(401);
      }
      const res = await ctx
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: TEST_PASSWORD })
        .expect(429);
      assert.ok(Number(res.headers['retry-after']) >= 1);
      // Other routes are not affected by the password budget.
      await ctx.http().get('/health').expect(200);
    } finally {
      await ctx.close();
    }
  });

  test('two API instances share one budget', async () => {
    const prefix = `test-shared-${randomBytes(4).toString('hex')}`;
    const first = await startTestApp({ RATE_LIMIT_IP_POINTS: '4' }, { redisPrefix: prefix });
    const second = await startTestApp(
      { RATE_LIMIT_IP_POINTS: '4' },
      { redisPrefix: prefix, database: first.database },
    );
    try {
      await first.http().get('/health').expect(200);
      await second.http().get('/health').expect(200);
      await first.http().get('/health').expect(200);
      await second.http().get('/health').expect(200);
      await first.http().get('/health').expect(429);
      await second.http().get('/health').expect(429);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
