// `stash-sense contribute` (the real CLI process) against the real cloud service and a stash-box built from its schema.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { oshash } from '../apps/client/src/contribute/oshash.js';
import { makeVideo, runCli } from '../apps/client/test/support/client-fixtures.js';
import { contributor, type Contributor, fixtureId } from './support/consensus-world.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SAMPLES = join(import.meta.dirname, '../samples/faces');
const photos = (person: string) =>
  readdirSync(join(SAMPLES, person))
    .sort()
    .map((f) => join(SAMPLES, person, f));
const ALICE = fixtureId(0xc1, 1);
const BEA = fixtureId(0xc1, 2);
const SOLO = fixtureId(0x5c, 1);
const DUO = fixtureId(0x5c, 2);

describe('stash-sense contribute', () => {
  let box: StashBoxFixtureServer;
  let ctx: TestApp;
  let user: Contributor;
  let dir: string;
  let solo: string;
  let duo: string;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(['contribute', '--no-progress', '--frames', '16', '--index', join(dir, 'no-index'), ...args], {
      env: { STASH_SENSE_OUTBOX: join(dir, 'outbox.jsonl'), STASH_SENSE_FROM_SOURCE: '1', ...env },
      timeoutMs: 120_000,
    });
  const contributions = async () =>
    (
      await ctx.db.query(
        `SELECT c.status, (SELECT count(*)::int FROM faces f WHERE f.contribution_id = c.id) AS face_count FROM contributions c ORDER BY c.created_at`,
      )
    ).rows;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ss-contribute-'));
    solo = await makeVideo(join(dir, 'solo.mp4'), photos('sample-a').slice(0, 4), {
      width: 1280,
      height: 720,
      secondsEach: 2,
    });
    duo = await makeVideo(
      join(dir, 'duo.mp4'),
      [...photos('sample-a').slice(0, 2), ...photos('sample-b').slice(0, 2)],
      {
        width: 1280,
        height: 720,
        secondsEach: 2,
      },
    );
    box = await new StashBoxFixtureServer().start();
    box.scenes.set(SOLO, {
      id: SOLO,
      duration: 8,
      performers: [{ id: ALICE, name: 'Alice' }],
      fingerprints: [{ algorithm: 'OSHASH', hash: await oshash(solo), duration: 8 }],
    });
    box.scenes.set(DUO, {
      id: DUO,
      duration: 8,
      performers: [
        { id: ALICE, name: 'Alice' },
        { id: BEA, name: 'Bea' },
      ],
      fingerprints: [{ algorithm: 'PHASH', hash: 'abcdef0123456789', duration: 8 }],
    });
    ctx = await startTestApp({ RATE_LIMIT_KEY_POINTS: '100000', RATE_LIMIT_IP_POINTS: '100000' });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'contributebox', 'Box', $1)`,
      [box.url],
    );
    user = await contributor(ctx, false, 'cli-contributor');
    await ctx.app.listen(0, '127.0.0.1');
  });
  after(async () => {
    await ctx?.close();
    await box?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = () => {
    const address = ctx.app.getHttpServer().address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  };

  test('--dry-run analyses and shows the request, sends nothing', async () => {
    const res = await cli([
      solo,
      '--stash-box',
      box.url,
      '--scene',
      SOLO,
      '--performer',
      ALICE,
      '--dry-run',
      '--json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.attributed.length, 1);
    assert.equal(out.attributed[0].stashId, ALICE);
    assert.ok(out.attributed[0].faces >= 4, JSON.stringify(out.attributed));
    assert.equal(out.request.scene.fingerprints.at(-1).algorithm, 'OSHASH');
    assert.equal(out.receipt, null);
    assert.deepEqual(await contributions(), []);
  });

  test('a solo scene is sent, verified by the file’s OSHASH; sending again stores it once', async () => {
    const args = [solo, '--stash-box', box.url, '--scene', SOLO, '--performer', ALICE, '--server', server()];
    const first = await cli(args, { STASH_SENSE_API_KEY: user.key });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /sent: contribution [0-9a-f-]{36} for .*: verified/);
    const again = await cli(args, { STASH_SENSE_API_KEY: user.key });
    assert.equal(again.code, 0, again.stderr);
    const rows = await contributions();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'verified');
    assert.ok(rows[0].face_count >= 4);
  });

  test('a two-performer scene without a local index: both people left out, nothing sent', async () => {
    const res = await cli(
      [
        duo,
        '--stash-box',
        box.url,
        '--scene',
        DUO,
        '--performer',
        ALICE,
        '--performer',
        BEA,
        '--server',
        server(),
      ],
      { STASH_SENSE_API_KEY: user.key },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /no_index_for_multi_performer_scene/);
    assert.match(res.stdout, /nothing to contribute/);
    assert.equal((await contributions()).length, 1);
  });

  test('a bad API key or no cloud: a clear error and a failing exit code', async () => {
    const bad = await cli(
      [solo, '--stash-box', box.url, '--scene', SOLO, '--performer', ALICE, '--server', server()],
      {
        STASH_SENSE_API_KEY: 'ss_not-a-real-key',
      },
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /the cloud refused the contribution: 401 .*check the API key/);
    const none = await cli([solo, '--stash-box', box.url, '--scene', SOLO, '--performer', ALICE], {
      STASH_SENSE_API_KEY: '',
      STASH_SENSE_CLOUD_URL: '',
    });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --server and --api-key/);
  });
});
