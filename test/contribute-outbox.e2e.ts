// The contribution outbox end to end: the real CLI process, the real cloud service behind a TCP proxy that cuts the
// network (connections refused, or the request delivered and the answer lost), a Stash built from its schema for
// `contribute --all`, and a SIGKILL during `--all` followed by a rerun that completes without duplicates.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type ContributionRequest,
  SidecarContributionsResponseSchema,
  SidecarSceneContributionStatusResponseSchema,
} from '@stash-sense/contracts';
import express from 'express';
import request from 'supertest';
import { oshash } from '../apps/client/src/contribute/oshash.js';
import { contributionsRoutes } from '../apps/client/src/server/routes/contributions.routes.js';
import { CLI, killGroup, makeVideo, REPO_ROOT, runCli } from '../apps/client/test/support/client-fixtures.js';
import { contributor, type Contributor, fixtureId } from './support/consensus-world.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { StashFixtureServer } from './support/stash-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SAMPLES = join(import.meta.dirname, '../samples/faces');
const photos = (person: string) =>
  readdirSync(join(SAMPLES, person))
    .sort()
    .map((f) => join(SAMPLES, person, f));

/** A TCP proxy in front of the cloud: `pass`, `refuse` (connections reset at once) or `lose-answer`. */
class CutProxy {
  mode: 'pass' | 'refuse' | 'lose-answer' = 'pass';
  posts = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly upstreamPort: () => number) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => {});
      if (this.mode === 'refuse') {
        client.resetAndDestroy();
        return;
      }
      const mode = this.mode;
      const upstream = connect(this.upstreamPort(), '127.0.0.1');
      upstream.on('error', () => client.destroy());
      client.on('data', (chunk: Buffer) => {
        if (chunk.subarray(0, 40).toString('latin1').startsWith('POST /v1/contributions ')) this.posts++;
        upstream.write(chunk);
      });
      client.on('end', () => upstream.end());
      upstream.on('data', (chunk: Buffer) => {
        // The cloud answered (and committed); the answer never reaches the client.
        if (mode === 'lose-answer') {
          client.resetAndDestroy();
          upstream.destroy();
        } else client.write(chunk);
      });
      upstream.on('end', () => client.end());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('contribution outbox: network cut, lost answers, --all killed and resumed', () => {
  let box: StashBoxFixtureServer;
  let stash: StashFixtureServer;
  let ctx: TestApp;
  let proxy: CutProxy;
  let user: Contributor;
  let dir: string;
  let outbox: string;
  const videos: Record<string, string> = {};
  const PEOPLE = ['sample-a', 'sample-b', 'sample-c', 'sample-d'];
  const performerId = (i: number) => fixtureId(0xd1, i + 1);
  const sceneId = (i: number) => fixtureId(0xe1, i + 1);
  const cloudUrl = () => `http://127.0.0.1:${proxy.port}`;
  const env = () => ({
    STASH_SENSE_OUTBOX: outbox,
    STASH_SENSE_API_KEY: user.key,
    STASH_SENSE_CLOUD_URL: cloudUrl(),
    STASH_SENSE_OUTBOX_BACKOFF_MS: '300',
    // A connection the proxy resets can leave Node's fetch without an answer (seen on loaded CI machines); the
    // call's deadline then turns it into a retry. 10 s instead of 60 keeps that inside the tests' retry windows.
    STASH_SENSE_CLOUD_TIMEOUT_MS: '10000',
    STASH_SENSE_CONTRIBUTE: '',
    // The source under test, even when another build left apps/client/dist behind.
    STASH_SENSE_FROM_SOURCE: '1',
  });
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { env: { ...env(), ...extra }, timeoutMs: 240_000 });
  const analysis = ['--no-progress', '--frames', '12', '--index', '/nonexistent/no-index'];
  const rows = async () =>
    (
      await ctx.db.query<{ stash_id: string; status: string; faces: number }>(
        `SELECT s.stash_id, c.status, (SELECT count(*)::int FROM faces f WHERE f.contribution_id = c.id) AS faces
           FROM contributions c JOIN scenes s ON s.id = c.scene_id ORDER BY s.stash_id`,
      )
    ).rows;
  const idempotencyKeys = async () =>
    (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_keys`)).rows[0]!.n;
  const status = async () => {
    const res = await cli(['contributions', 'status', '--local', '--json']);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout) as {
      counts: Record<string, number>;
      scenes: { scene: { stashId: string; localSceneId?: string }; state: string; attempts: number }[];
    };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ss-outbox-e2e-'));
    outbox = join(dir, 'outbox.jsonl');
    for (const person of PEOPLE)
      videos[person] = await makeVideo(join(dir, `${person}.mp4`), photos(person).slice(0, 3), {
        width: 960,
        height: 540,
        secondsEach: 2,
      });
    box = await new StashBoxFixtureServer().start();
    for (const [i, person] of PEOPLE.entries())
      box.scenes.set(sceneId(i), {
        id: sceneId(i),
        duration: 6,
        performers: [{ id: performerId(i), name: person }],
        fingerprints: [{ algorithm: 'OSHASH', hash: await oshash(videos[person]!), duration: 6 }],
      });
    ctx = await startTestApp({ RATE_LIMIT_KEY_POINTS: '100000', RATE_LIMIT_IP_POINTS: '100000' });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'outboxbox', 'Box', $1)`,
      [box.url],
    );
    user = await contributor(ctx, false, 'outbox-contributor');
    await ctx.app.listen(0, '127.0.0.1');
    const cloudPort = (ctx.app.getHttpServer().address() as { port: number }).port;
    proxy = await new CutProxy(() => cloudPort).start();

    // The Stash library: scenes 1–4 solo and linked; 5 has a performer not linked to the stash-box; 6 no stash id.
    stash = new StashFixtureServer();
    for (const [i, person] of PEOPLE.entries()) {
      stash.addPerformer({
        id: String(100 + i),
        name: person,
        stashIds: [{ endpoint: box.url, stashId: performerId(i) }],
      });
      stash.addScene({
        id: String(i + 1),
        files: [{ path: videos[person]!, duration: 6, width: 960, height: 540 }],
        stashIds: [{ endpoint: box.url, stashId: sceneId(i) }],
        performerIds: [String(100 + i)],
      });
    }
    stash.addPerformer({ id: '200', name: 'Unlinked', stashIds: [] });
    stash.addScene({
      id: '5',
      files: [{ path: videos['sample-a']!, duration: 6, width: 960, height: 540 }],
      stashIds: [{ endpoint: box.url, stashId: fixtureId(0xe1, 99) }],
      performerIds: ['200'],
    });
    stash.addScene({
      id: '6',
      files: [{ path: videos['sample-b']!, duration: 6, width: 960, height: 540 }],
      performerIds: ['101'],
    });
    await stash.start();
  });
  after(async () => {
    await proxy?.stop();
    await ctx?.close();
    await box?.stop();
    await stash?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `contribute` for sample A's video, scene 0, performer 0, retrying for `retryFor` seconds. */
  const contributeSampleA = (retryFor: string) => [
    'contribute',
    videos['sample-a']!,
    ...analysis,
    '--stash-box',
    box.url,
    '--scene',
    sceneId(0),
    '--performer',
    performerId(0),
    '--retry-for',
    retryFor,
  ];

  test('cloud unreachable → queued; answer lost → stored once; restored → sent with the same key', async () => {
    const args = contributeSampleA('0');
    proxy.mode = 'refuse';
    const cut = await cli(args);
    assert.equal(cut.code, 0, cut.stderr);
    assert.match(cut.stdout, /queued: not sent yet after 1 tries \(cannot reach the cloud/);
    assert.deepEqual(await rows(), []);
    let s = await status();
    assert.equal(s.counts.queued, 1);
    assert.equal(s.scenes[0]!.attempts, 1);

    // The request reaches the cloud, which commits it; the answer is lost on the way back.
    proxy.mode = 'lose-answer';
    const postsBefore = proxy.posts;
    const lost = await cli(['contributions', 'send', '--retry-for', '0']);
    assert.equal(lost.code, 0, lost.stderr);
    assert.match(lost.stdout, /0 sent, 0 refused, 1 still queued/);
    assert.equal(proxy.posts, postsBefore + 1);
    assert.equal((await rows()).length, 1, 'the cloud stored it');
    assert.equal((await status()).counts.queued, 1, 'the client does not know yet');

    // Network back: the retry carries the same idempotency key; the cloud replays its answer, stores nothing new.
    proxy.mode = 'pass';
    const back = await cli(['contributions', 'send', '--retry-for', '0']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /1 sent, 0 refused, 0 still queued/);
    const stored = await rows();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.status, 'verified');
    assert.equal(await idempotencyKeys(), 1);
    s = await status();
    assert.deepEqual(
      s.scenes.map((x) => x.state),
      ['sent'],
    );
  });

  test('within one run: the cloud comes back during the backoff and the contribution goes through', async () => {
    proxy.mode = 'refuse';
    const retries = () =>
      existsSync(outbox) ? readFileSync(outbox, 'utf8').split('"t":"retry"').length - 1 : 0;
    const retriesBefore = retries();
    const child = runCli(contributeSampleA('60'), {
      env: env(),
      timeoutMs: 240_000,
    });
    // Restore the network once the CLI has failed at least once (its entry shows a try).
    const restore = (async () => {
      for (let i = 0; i < 600; i++) {
        if (retries() >= retriesBefore + 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      proxy.mode = 'pass';
    })();
    const res = await child;
    await restore;
    proxy.mode = 'pass';
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /sent: contribution [0-9a-f-]{36} for .*: verified/);
    assert.equal((await rows()).length, 1, 'same scene and performer: still one contribution');
  });

  test('--all is opt-in', async () => {
    const res = await cli(['contribute', '--all', ...analysis, '--stash-url', stash.url]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /opt-in: add --opt-in \(or set STASH_SENSE_CONTRIBUTE=true\)/);

    // --dry-run prints each request that would be sent; nothing is sent and the outbox is untouched.
    const journal = existsSync(outbox) ? readFileSync(outbox, 'utf8') : null;
    const postsBefore = proxy.posts;
    const dry = await cli([
      'contribute',
      '--all',
      '--opt-in',
      '--dry-run',
      '--json',
      ...analysis,
      '--stash-url',
      stash.url,
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    const lines = dry.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; outcome?: string; request: ContributionRequest });
    const wouldSend = lines.filter((l) => l.outcome === 'would-send');
    assert.deepEqual(
      wouldSend.map((l) => l.request.scene.stashId),
      [0, 1, 2, 3].map(sceneId),
    );
    assert.ok(wouldSend.every((l) => l.request.performers.length === 1 && l.request.idempotencyKey));
    assert.equal(lines.at(-1)!.type, 'summary');
    assert.equal(proxy.posts, postsBefore);
    assert.equal(existsSync(outbox) ? readFileSync(outbox, 'utf8') : null, journal);

    // One scene of the library by its Stash id: file, stash-box scene and credits come from Stash.
    const one = await cli([
      'contribute',
      '--stash-scene',
      '2',
      '--dry-run',
      '--json',
      ...analysis,
      '--stash-url',
      stash.url,
    ]);
    assert.equal(one.code, 0, one.stderr);
    const request = (JSON.parse(one.stdout) as { request: ContributionRequest }).request;
    assert.equal(request.scene.stashId, sceneId(1));
    assert.deepEqual(
      request.performers.map((p) => p.stashId),
      [performerId(1)],
    );
    const unlinked = await cli([
      'contribute',
      '--stash-scene',
      '5',
      '--dry-run',
      ...analysis,
      '--stash-url',
      stash.url,
    ]);
    assert.equal(unlinked.code, 1);
    assert.match(unlinked.stderr, /scene 5 cannot be contributed: performers not linked to .*: Unlinked/);
    assert.equal(proxy.posts, postsBefore);
  });

  test('--all killed (SIGKILL) mid-walk, then rerun: every scene once, nothing stored twice; a third run sends nothing', async () => {
    await ctx.db.query(`DELETE FROM faces; DELETE FROM contributions; DELETE FROM idempotency_keys`);
    rmSync(outbox, { force: true });
    const allArgs = ['contribute', '--all', ...analysis, '--stash-url', stash.url, '--retry-for', '5'];
    const child: ChildProcess = spawn(process.execPath, [CLI, ...allArgs], {
      cwd: REPO_ROOT,
      env: { ...process.env, STASH_SENSE_THREADS: '2', ...env(), STASH_SENSE_CONTRIBUTE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.resume();
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    // Kill once the first scene is in the journal (enqueued), while the walk goes on.
    for (let i = 0; i < 2400; i++) {
      if (existsSync(outbox) && readFileSync(outbox, 'utf8').includes('"t":"enqueue"')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    killGroup(child, 'SIGKILL');
    assert.equal(await exited, 'SIGKILL', stderr);
    const beforeRerun = (await rows()).length;
    assert.ok(beforeRerun < 4, `killed before the end (${beforeRerun} stored)`);

    const rerun = await cli(allArgs, { STASH_SENSE_CONTRIBUTE: 'true' });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(
      rerun.stdout,
      /5 scenes: [1-9] done before, \d queued, 0 with nobody attributed, 1 unusable, 0 unreadable/,
    );
    assert.match(rerun.stdout, /scene 5 .*unusable — performers not linked/);
    const stored = await rows();
    assert.deepEqual(
      stored.map((r) => r.stash_id),
      [0, 1, 2, 3].map(sceneId).sort(),
    );
    assert.ok(
      stored.every((r) => r.status === 'verified' && r.faces >= 2),
      JSON.stringify(stored),
    );
    assert.equal(await idempotencyKeys(), 4, 'each scene stored once');

    const postsBefore = proxy.posts;
    const third = await cli(allArgs, { STASH_SENSE_CONTRIBUTE: 'true' });
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /5 scenes: 4 done before, 0 queued/);
    assert.equal(proxy.posts, postsBefore, 'nothing sent again');

    const s = await status();
    assert.equal(s.counts.sent, 4);
    assert.equal(s.counts.queued, 0);
  });

  test('status refresh from the cloud: accepted / rejected per scene; sidecar endpoints show them', async () => {
    await ctx.db.query(
      `UPDATE contributions SET status = 'accepted' WHERE scene_id = (SELECT id FROM scenes WHERE stash_id = $1)`,
      [sceneId(0)],
    );
    await ctx.db.query(
      `UPDATE contributions SET status = 'rejected', status_reason = 'conflict' WHERE scene_id = (SELECT id FROM scenes WHERE stash_id = $1)`,
      [sceneId(1)],
    );
    const res = await cli(['contributions', 'status', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as { counts: Record<string, number> };
    assert.deepEqual(
      { accepted: out.counts.accepted, rejected: out.counts.rejected, sent: out.counts.sent },
      { accepted: 1, rejected: 1, sent: 2 },
    );

    const app = express().use(contributionsRoutes(outbox));
    const list = await request(app).get('/contributions').expect(200);
    SidecarContributionsResponseSchema.parse(list.body); // the documented contract
    assert.equal(list.body.counts.accepted, 1);
    const one = await request(app).get('/contributions/status').query({ scene_id: '2' }).expect(200);
    SidecarSceneContributionStatusResponseSchema.parse(one.body);
    assert.equal(one.body.state, 'rejected');
    assert.equal(one.body.scenes[0].cloud[0].statusReason, 'conflict');
    const byBox = await request(app)
      .get('/contributions/status')
      .query({ scene_id: sceneId(0) })
      .expect(200);
    assert.equal(byBox.body.state, 'accepted');
    const none = await request(app).get('/contributions/status').query({ scene_id: '999' }).expect(200);
    assert.equal(none.body.state, 'none');
  });

  test('withdraw: the cloud deletes every face and the local outbox is cleared', async () => {
    const res = await cli(['contributions', 'withdraw']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /withdrawn: 4 contributions, \d+ faces deleted/);
    const stored = await rows();
    assert.ok(
      stored.every((r) => r.status === 'withdrawn' && r.faces === 0),
      JSON.stringify(stored),
    );
    assert.equal(readFileSync(outbox, 'utf8'), '');
    const s = await status();
    assert.equal(s.scenes.length, 0);
  });
});
