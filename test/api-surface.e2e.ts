import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('API surface: OpenAPI document, docs UI, uniform errors', () => {
  let ctx: TestApp;
  before(async () => {
    ctx = await startTestApp({ BODY_LIMIT: '1kb' });
  });
  after(async () => ctx.close());

  test('/openapi.json documents exactly the routes the service exposes', async () => {
    const res = await ctx.http().get('/openapi.json').expect(200);
    assert.equal(res.body.openapi, '3.1.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(res.body.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const router = (ctx.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router;
    const served = new Set<string>();
    for (const layer of router.stack) {
      if (!layer.route) continue;
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      // Nest's catch-all 404 route and the documentation routes themselves are not API operations.
      if (path.includes('*') || path === '/openapi.json' || path.startsWith('/docs')) continue;
      for (const method of Object.keys(layer.route.methods)) served.add(`${method.toUpperCase()} ${path}`);
    }
    assert.deepEqual([...served].sort(), [...documented].sort());
    assert.ok(res.body.components.schemas.ErrorBody, 'the error body is a named component');
  });

  test('/docs serves the interactive documentation', async () => {
    const res = await ctx.http().get('/docs').redirects(1);
    assert.equal(res.status, 200);
    assert.match(res.text, /swagger/i);
  });

  test('413 for a body over the limit, 400 for broken JSON, both in the uniform body', async () => {
    const big = await ctx
      .http()
      .post('/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.org', password: 'x'.repeat(4096) }))
      .expect(413);
    assert.equal(big.body.error, 'payload_too_large');
    assert.match(big.body.message, /larger than/);
    const broken = await ctx
      .http()
      .post('/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    assert.equal(broken.body.error, 'bad_request');
    assert.match(broken.body.message, /not valid JSON/);
  });
});
