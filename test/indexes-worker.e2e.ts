// The build runs in a `--worker` process (its own process, BullMQ queue `indexes`), never in the API process;
// with no INDEX_SIGNING_KEY both processes use the one key generated in their shared DATA_DIR.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IndexBuildListSchema, IndexJwksSchema, IndexReleaseSchema } from '@stash-sense/contracts';
import { verifyManifestJws } from '@stash-sense/face-index';
import { addFaces, addPerformer, centre, indexWorld, near } from './support/index-world.js';
import { TEST_REDIS_URL } from './support/services.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NODE_ARGS = ['--conditions=source', '--import', '@swc-node/register/esm-register'];

describe('index builds in the worker process', () => {
  let ctx: TestApp;
  let dataDir: string;
  let worker: ReturnType<typeof spawn> | undefined;
  let workerLog = '';
  const env = () => ({
    DATA_DIR: dataDir,
    INDEX_STORAGE_DIR: join(dataDir, 'indexes'),
    INDEX_BUILD_INTERVAL_MS: '0',
  });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ss-index-worker-'));
    ctx = await startTestApp(env());
    const child = spawn(process.execPath, [...NODE_ARGS, 'apps/cloud/src/main.ts', '--worker'], {
      env: {
        ...process.env,
        ...env(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: ctx.database.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: ctx.redisPrefix,
        JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker = child;
    child.stderr.on('data', (d) => (workerLog += d));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        workerLog += d;
        if (out.includes('"worker-started"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${workerLog}`)));
    });
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await ctx?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('an admin queues a build; the worker builds, signs and publishes it', async () => {
    const world = await indexWorld(ctx);
    for (let n = 0; n < 3; n++) {
      const performer = await addPerformer(world, `Worker ${n}`, [
        { endpoint: 'stashdb', stashId: `w-${n}` },
      ]);
      const like = centre(world);
      await addFaces(world, performer, [near(world, like), near(world, like)]);
    }
    const admin = await ctx.login((await ctx.createUser('admin')).email);
    const queued = IndexBuildListSchema.parse(
      (
        await ctx
          .http()
          .post('/v1/admin/indexes/builds')
          .set('Authorization', `Bearer ${admin}`)
          .send({})
          .expect(202)
      ).body,
    ).builds[0]!;
    let report;
    for (const started = Date.now(); Date.now() - started < 90_000;) {
      const builds = IndexBuildListSchema.parse(
        (await ctx.http().get('/v1/admin/indexes/builds').set('Authorization', `Bearer ${admin}`).expect(200))
          .body,
      ).builds;
      report = builds.find((b) => b.id === queued.id);
      if (report && ['published', 'failed', 'unchanged'].includes(report.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(report?.status, 'published', `${JSON.stringify(report)}\n${workerLog}`);
    assert.equal(report.faces, 6);
    // The worker signed it (the key line is logged before the publish; the private key never is).
    assert.match(workerLog, /(generated|using) the index signing key ed25519-/);

    const release = IndexReleaseSchema.parse((await ctx.http().get('/v1/indexes/latest').expect(200)).body);
    assert.equal(release.version, report.version);
    const jwks = IndexJwksSchema.parse((await ctx.http().get('/v1/indexes/keys').expect(200)).body);
    const verified = await verifyManifestJws(release.jws, jwks.keys);
    assert.equal(verified.manifest.counts.faces, 6);
    assert.equal((await stat(join(dataDir, 'index-signing-key.json'))).mode & 0o777, 0o600);
    const key = JSON.parse(readFileSync(join(dataDir, 'index-signing-key.json'), 'utf8')) as { d: string };
    assert.ok(!workerLog.includes(key.d), 'the private key is never logged');
  });
});
