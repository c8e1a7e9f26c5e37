// The index routes as the tests call them: queue and run a build (as the worker would), the latest release,
// file downloads as Buffers (so that ranges and hashes can be checked).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { IndexBuildListSchema, IndexReleaseSchema, type IndexRelease } from '@stash-sense/contracts';
import { IndexBuildService } from '../../apps/cloud/src/indexes/index-build.service.js';
import type { TestApp } from './test-app.js';

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A binary body as a Buffer (supertest buffers octet-stream into res.body with this parser). */
const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: unknown) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

export function indexApi(ctx: TestApp, adminToken: string) {
  const auth = { Authorization: `Bearer ${adminToken}` };
  return {
    /** Queues one build through the admin API, runs it in this process, returns its report (never failed). */
    async queueAndRun(body: Record<string, unknown> = {}) {
      const res = await ctx.http().post('/v1/admin/indexes/builds').set(auth).send(body).expect(202);
      const queued = IndexBuildListSchema.parse(res.body).builds;
      assert.equal(queued.length, 1, 'one active model, one build');
      assert.equal(queued[0]!.status, 'queued');
      await ctx.app.get(IndexBuildService).run(queued[0]!.id);
      const reports = IndexBuildListSchema.parse(
        (await ctx.http().get('/v1/admin/indexes/builds').set(auth).expect(200)).body,
      ).builds;
      const report = reports.find((r) => r.id === queued[0]!.id)!;
      assert.notEqual(report.status, 'failed', report.error ?? '');
      return report;
    },

    async latest(): Promise<IndexRelease> {
      return IndexReleaseSchema.parse((await ctx.http().get('/v1/indexes/latest').expect(200)).body);
    },

    download(url: string, headers: Record<string, string> = {}) {
      const req = ctx
        .http()
        .get(url)
        .buffer(true)
        .parse(binary as never);
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      return req;
    },
  };
}
