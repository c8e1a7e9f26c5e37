// Consensus run by real `--worker` processes: several at once on one queue, and one killed in the middle of a job.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import pg from 'pg';
import { ConsensusService } from '../apps/cloud/src/consensus/consensus.service.js';
import {
  contribution,
  contributor,
  type Contributor,
  fixtureId,
  sceneId,
} from './support/consensus-world.js';
import { faceVector, rng } from './support/contributions.js';
import { TEST_REDIS_URL } from './support/services.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NODE_ARGS = ['--conditions=source', '--import', '@swc-node/register/esm-register'];
const PERFORMERS = 8;
const HONEST = 4;
/** Short lock so that a killed worker's job is taken over within seconds (production default: 60 s). */
const JOB_LOCK_MS = 1_500;

const performerStashId = (i: number) => fixtureId(0xb1, i + 1);
/** Scene of contributor c for performer p (single-performer scenes); 100+ for the crash test. */
const sceneOf = (p: number, c: number) => 1 + p * 10 + c;

interface WorkerProcess {
  child: ChildProcess;
  name: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startWorker(ctx: TestApp): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: ctx.database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: ctx.redisPrefix,
    JOB_LOCK_MS: String(JOB_LOCK_MS),
    DATABASE_POOL_MAX: '4',
  };
  const child = spawn(process.execPath, [...NODE_ARGS, 'apps/cloud/src/main.ts', '--worker'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('"worker-started"'))
        resolve({ child, name: `${hostname()}:${child.pid}`, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before starting:\n${stderr}`)));
  });
}

async function stop(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.stderr());
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Everything consensus decided, in a form comparable between runs. */
async function decisions(db: pg.Pool) {
  const faces = await db.query(`SELECT id, status, decision_code FROM faces ORDER BY id`);
  const performers = await db.query(
    `SELECT performer_id, state, trusted_faces, contributors_agreeing FROM performer_consensus ORDER BY performer_id`,
  );
  const moderation = await db.query(`SELECT key, kind, status FROM moderation_items ORDER BY key`);
  return { faces: faces.rows, performers: performers.rows, moderation: moderation.rows };
}

describe('consensus workers as separate processes', () => {
  let box: StashBoxFixtureServer;
  let ctx: TestApp;
  let queue: Queue;
  let modelId: string;
  let honest: Contributor[];
  const centres = Array.from({ length: PERFORMERS }, (_, i) => faceVector(rng(7_000 + i)));
  const post = (c: Contributor, body: object) =>
    ctx.http().post('/v1/contributions').set('Authorization', `Bearer ${c.key}`).send(body).expect(202);
  const idle = async () => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const outbox = await ctx.db.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE dispatched_at IS NULL`,
    );
    const busy = Object.values(counts).reduce((a, b) => a + b, 0) + outbox.rows[0].n;
    return busy === 0 ? true : undefined;
  };

  before(async () => {
    box = await new StashBoxFixtureServer().start();
    for (let p = 0; p < PERFORMERS; p++)
      for (let c = 0; c <= HONEST; c++) {
        const id = sceneId(sceneOf(p, c));
        box.scenes.set(id, {
          id,
          duration: 900,
          performers: [{ id: performerStashId(p), name: `Performer ${p}` }],
          fingerprints: [{ algorithm: 'PHASH', hash: `f${sceneOf(p, c)}`, duration: 900 }],
        });
      }
    ctx = await startTestApp({ RATE_LIMIT_KEY_POINTS: '100000', RATE_LIMIT_IP_POINTS: '100000' });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'workerbox', 'Box', $1)`,
      [box.url],
    );
    modelId = (await ctx.db.query(`SELECT id FROM embedding_models WHERE name = 'faceplugin-fr-feature'`))
      .rows[0].id;
    honest = [];
    for (let i = 0; i <= HONEST; i++) honest.push(await contributor(ctx, true, `worker-honest-${i}`));
    const url = new URL(TEST_REDIS_URL);
    queue = new Queue('consensus', {
      connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
      prefix: ctx.redisPrefix,
    });
  });
  after(async () => {
    await queue?.close();
    await ctx?.close();
    await box?.stop();
  });

  test('three workers decide concurrently; the result is the fixpoint a sequential run gives', async () => {
    // Jobs pile up while the queue is paused, so that every worker is running when work starts.
    await queue.pause();
    for (let p = 0; p < PERFORMERS; p++)
      for (let c = 0; c < HONEST; c++)
        await post(
          honest[c]!,
          contribution(box, sceneOf(p, c), performerStashId(p), centres[p]!, 8, p * 100 + c),
        );
    const workers = await Promise.all([startWorker(ctx), startWorker(ctx), startWorker(ctx)]);
    try {
      await queue.resume();
      await waitFor('the queue to drain', idle, 120_000);
    } finally {
      await Promise.all(workers.map(stop));
    }

    const completed = await queue.getJobs(['completed'], 0, -1);
    const failed = await queue.getJobs(['failed'], 0, -1);
    assert.equal(failed.length, 0, failed.map((j) => j.failedReason).join('\n'));
    assert.ok(completed.length >= PERFORMERS * HONEST, `${completed.length} consensus jobs completed`);
    const by = new Set(completed.map((j) => j.processedBy));
    assert.ok(by.size >= 2, `jobs spread over several workers: ${[...by].join(', ')}`);
    for (const name of by)
      assert.ok(
        workers.some((w) => w.name === name),
        `${name} is one of the workers`,
      );

    const concurrent = await decisions(ctx.db);
    assert.equal(concurrent.performers.length, PERFORMERS);
    assert.ok(
      concurrent.performers.every((p) => p.state === 'established' && p.trusted_faces > 0),
      JSON.stringify(concurrent.performers),
    );
    // Deciding every performer again, one by one in this process, changes nothing.
    const consensus = ctx.app.get(ConsensusService);
    for (const { performer_id } of concurrent.performers) await consensus.decide(performer_id, modelId);
    assert.deepEqual(await decisions(ctx.db), concurrent);

    // The decisions are visible to operators.
    const metrics = await ctx.http().get('/metrics').expect(200);
    assert.match(metrics.headers['content-type'] ?? '', /text\/plain/);
    const trusted = concurrent.faces.filter((f) => f.status === 'trusted').length;
    assert.match(metrics.text, new RegExp(`^stash_sense_trusted_faces ${trusted}$`, 'm'));
    assert.match(
      metrics.text,
      new RegExp(`^stash_sense_consensus_performers\\{state="established"\\} ${PERFORMERS}$`, 'm'),
    );
    assert.match(metrics.text, /^stash_sense_queue_jobs\{queue="consensus",state="completed"\} [1-9]\d*$/m);
    assert.match(metrics.text, /^stash_sense_queue_jobs\{queue="consensus",state="failed"\} 0$/m);
    const ready = await ctx.http().get('/ready').expect(200);
    const consensusQueue = ready.body.queues.find((q: { name: string }) => q.name === 'consensus');
    assert.deepEqual(
      { waiting: consensusQueue.waiting, active: consensusQueue.active, failed: consensusQueue.failed },
      { waiting: 0, active: 0, failed: 0 },
    );
  });

  test('a worker killed in the middle of a job: another one completes it, nothing is decided twice', async () => {
    const p = 0;
    const performerId = (
      await ctx.db.query(`SELECT performer_id FROM performer_stash_ids WHERE stash_id = $1`, [
        performerStashId(p),
      ])
    ).rows[0].performer_id as string;
    // This connection holds the performer's consensus lock, so the first worker stops inside the job.
    const holder = new pg.Client({ connectionString: ctx.database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', [performerId, modelId]);
    let b: WorkerProcess | undefined;
    try {
      const newcomer = honest[HONEST]!;
      const res = await post(
        newcomer,
        contribution(box, sceneOf(p, HONEST), performerStashId(p), centres[p]!, 8, 9_999),
      );
      const contributionId = res.body.contributions[0]?.id;
      assert.ok(contributionId, JSON.stringify(res.body));

      const a = await startWorker(ctx);
      await waitFor('the first worker to wait on the performer lock', async () => {
        const { rows } = await ctx.db.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
        );
        return rows[0].n > 0 ? true : undefined;
      });
      const [active] = await queue.getJobs(['active'], 0, 0);
      assert.ok(active, 'the job is active on the first worker');
      assert.equal(active.processedBy, a.name);
      a.child.kill('SIGKILL');
      await a.exited;

      b = await startWorker(ctx);
      await holder.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [performerId, modelId]);
      const done = await waitFor('the job to complete on the second worker', async () => {
        const job = await queue.getJob(active.id!);
        return (await job?.isCompleted()) ? job : undefined;
      });
      assert.equal(done!.processedBy, b.name, 'completed by the second worker');
      await waitFor('the queue to drain', idle, 60_000);

      const faces = await ctx.db.query(
        `SELECT status, count(*)::int AS n FROM faces WHERE contribution_id = $1 GROUP BY status`,
        [contributionId],
      );
      assert.deepEqual(
        faces.rows,
        [{ status: 'trusted', n: 8 }],
        'the newcomer’s faces were decided once, trusted',
      );
      const settled = await decisions(ctx.db);
      await ctx.app.get(ConsensusService).decide(performerId, modelId);
      assert.deepEqual(await decisions(ctx.db), settled, 'deciding again changes nothing');
    } finally {
      if (b) await stop(b);
      await holder.end();
    }
  });
});
