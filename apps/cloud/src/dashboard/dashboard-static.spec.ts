import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { dashboardRouter } from './dashboard-static.js';

describe('dashboardRouter', () => {
  let dir: string;
  let app: express.Express;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-static-'));
    app = express();
    app.use('/admin', dashboardRouter(dir));
    app.use((_req, res) => res.status(404).json({ error: 'not_found' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says how to build the dashboard while it is not built', async () => {
    const res = await request(app).get('/admin/').expect(404);
    assert.match(res.text, /npm run build:dashboard/);
    assert.match(res.headers['content-type'] ?? '', /text\/html/);
  });

  it('serves index.html for client routes, hashed assets with a long cache, 404 for missing files', async () => {
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    for (const path of ['/admin', '/admin/', '/admin/moderation/6d3f', '/admin/contributors?status=banned']) {
      const res = await request(app).get(path).expect(200);
      assert.match(res.text, /id="root"/, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
    }
    const asset = await request(app).get('/admin/assets/index-abc123.js').expect(200);
    assert.match(asset.headers['cache-control'] ?? '', /immutable/);
    await request(app).get('/admin/assets/missing.js').expect(404);
    await request(app).get('/admin/favicon.ico').expect(404);
    // Only GET/HEAD are answered; the rest falls through to the API's own handling.
    const post = await request(app).post('/admin/anything').expect(404);
    assert.deepEqual(post.body, { error: 'not_found' });
  });

  it('sends a strict Content-Security-Policy and no framing', async () => {
    const res = await request(app).get('/admin/');
    assert.match(res.headers['content-security-policy'] ?? '', /script-src 'self'/);
    assert.match(res.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });
});
