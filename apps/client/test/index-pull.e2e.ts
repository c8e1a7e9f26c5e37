// `stash-sense index trust|pull|rollback` and the sidecar's POST /database/update against a real HTTP server
// with the cloud's index routes (test/support/index-server.ts): signed versions built with FaceIndexWriter,
// deltas, tampered and cut-off files, a rotated key, a withdrawn version. The CLI and the sidecar run as real
// processes; the tamper matrix calls the same update code in-process (one pull per case, no process start-up).
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DatabaseUpdateResultSchema,
  FaceIndexInfoSchema,
  StashSenseCheckUpdateResponseSchema,
} from '@stash-sense/contracts';
import { FACE_INDEX_FILES, FaceIndexWriter, SyntheticFaceSpace } from '@stash-sense/face-index';
import { IndexServer, makeSigningKey, type TestSigningKey } from '../../../test/support/index-server.js';
import { runUpdate } from '../src/index/index-updater.js';
import { EMBEDDING_MODEL } from '../src/pipeline/models.js';
import { parseJsonLines, photo, runCli, startSidecarProcess } from './support/client-fixtures.js';

const INDEX_FILES = [FACE_INDEX_FILES.ann, FACE_INDEX_FILES.faceTable, FACE_INDEX_FILES.performers];
const space = new SyntheticFaceSpace({ dimension: EMBEDDING_MODEL.dimension, seed: 8 });
const OBAMA_ID = 1000;

let work: string;
let key1: TestSigningKey;
let key2: TestSigningKey;
const built: Record<'v1' | 'v2' | 'v3', string> = { v1: '', v2: '', v3: '' };
let obamaEmbeddings: number[][];

function addSynthetic(writer: FaceIndexWriter, from: number, to: number, faces = 3): void {
  for (let p = from; p < to; p++) {
    writer.addPerformer({ id: p, name: `Performer ${p}`, stashIds: [] });
    writer.addFaces(
      p,
      Array.from({ length: faces }, (_, f) => space.face(p, f)),
    );
  }
}

/** v1: 150 synthetic performers; v2 (from v1): +20, Barack Obama's real embeddings, removals, a rename; v3 (from v2). */
async function buildVersions(): Promise<void> {
  const dir = join(work, 'server');
  built.v1 = join(dir, '2026.12.01-1');
  built.v2 = join(dir, '2026.12.02-1');
  built.v3 = join(dir, '2026.12.03-1');
  const first = FaceIndexWriter.create({ model: EMBEDDING_MODEL });
  addSynthetic(first, 0, 150);
  await first.write(built.v1, { indexVersion: '2026.12.01-1', createdAt: new Date('2026-12-01T00:00:00Z') });
  const second = await FaceIndexWriter.fromParent(built.v1);
  addSynthetic(second, 150, 170);
  second.addPerformer({
    id: OBAMA_ID,
    name: 'Barack Obama',
    stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: '00000000-0000-4000-8000-000000001000' }],
  });
  second.addFaces(OBAMA_ID, obamaEmbeddings);
  second.removeFaces([1, 4, 40]);
  second.updatePerformer(3, { name: 'Renamed Three' });
  await second.write(built.v2, { indexVersion: '2026.12.02-1', createdAt: new Date('2026-12-02T00:00:00Z') });
  const third = await FaceIndexWriter.fromParent(built.v2);
  addSynthetic(third, 170, 180);
  third.removePerformer(5);
  await third.write(built.v3, { indexVersion: '2026.12.03-1', createdAt: new Date('2026-12-03T00:00:00Z') });
}

/** A client: its own index folder and trusted-keys file. */
function client(name: string) {
  const root = join(work, 'clients', name);
  const keysFile = join(work, 'clients', `${name}.keys.json`);
  const env = (server: IndexServer) => ({
    STASH_SENSE_INDEX_DIR: root,
    STASH_SENSE_TRUSTED_KEYS: keysFile,
    STASH_SENSE_CLOUD_URL: server.url,
  });
  return {
    root,
    keysFile,
    env,
    cli: (server: IndexServer, args: string[]) => runCli(args, { env: env(server), timeoutMs: 120_000 }),
    update: (server: IndexServer) =>
      runUpdate({
        config: { indexDir: root, trustedKeysFile: keysFile, cloudUrl: server.url },
        model: EMBEDDING_MODEL.name,
      }),
    current: () => readlinkSync(join(root, 'current')).split('/').pop(),
  };
}

async function serverWith(keys: TestSigningKey[], ...versions: { dir: string; deltaFrom?: string }[]) {
  const server = new IndexServer(keys);
  await server.start();
  for (const v of versions) await server.publish(v.dir, v.deltaFrom ? { deltaFrom: v.deltaFrom } : {});
  return server;
}

function assertInstalled(root: string, fullDir: string): void {
  const dir = join(root, 'current');
  for (const name of [...INDEX_FILES, FACE_INDEX_FILES.manifest]) {
    assert.ok(
      readFileSync(join(dir, name)).equals(readFileSync(join(fullDir, name))),
      `${name} of the pulled index equals the published one`,
    );
  }
  assert.ok(existsSync(join(dir, 'manifest.jws')), 'the signature is kept beside the manifest');
}

async function trustAndPull(c: ReturnType<typeof client>, server: IndexServer): Promise<void> {
  const trust = await c.cli(server, ['index', 'trust']);
  assert.equal(trust.code, 0, trust.stderr);
  const pull = await c.cli(server, ['index', 'pull', '--json', '--no-progress']);
  assert.equal(pull.code, 0, pull.stderr);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'index-pull-e2e-'));
  [key1, key2] = await Promise.all([makeSigningKey('sense-2026-a'), makeSigningKey('sense-2026-b')]);
  const faces = await runCli([
    'faces',
    '--json',
    photo('barack_obama', '1.jpg'),
    photo('barack_obama', '2.jpg'),
  ]);
  assert.equal(faces.code, 0, faces.stderr);
  obamaEmbeddings = parseJsonLines(faces.stdout).map(
    (line) => (line.faces as { embedding: number[] }[])[0]!.embedding,
  );
  await buildVersions();
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('index trust + pull', () => {
  it('refuses to pull before a key is trusted, pins keys with fingerprints, installs the signed version', async () => {
    const c = client('first-use');
    const server = await serverWith([key1], { dir: built.v1 });
    try {
      const untrusted = await c.cli(server, ['index', 'pull']);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stderr, /no index signing key is trusted yet.*index trust --server/);
      assert.equal(existsSync(join(c.root, 'current')), false);

      const trust = await c.cli(server, ['index', 'trust']);
      assert.equal(trust.code, 0, trust.stderr);
      assert.match(trust.stdout, /sense-2026-a {2}sha256 [0-9a-f]{4}(:[0-9a-f]{4}){15} {2}\(pinned now\)/);
      assert.ok(JSON.parse(readFileSync(c.keysFile, 'utf8')).keys[0].kid === 'sense-2026-a');

      const pull = await c.cli(server, ['index', 'pull', '--json', '--no-progress']);
      assert.equal(pull.code, 0, pull.stderr);
      const result = DatabaseUpdateResultSchema.parse(JSON.parse(pull.stdout));
      assert.equal(result.status, 'updated');
      assert.equal(result.version, '2026.12.01-1');
      assert.equal(result.via, 'full');
      assert.equal(c.current(), '2026.12.01-1');
      assertInstalled(c.root, built.v1);

      const again = await c.cli(server, ['index', 'pull', '--json']);
      assert.equal(JSON.parse(again.stdout).status, 'current');

      const info = await c.cli(server, ['index', 'info', '--json']);
      const parsed = FaceIndexInfoSchema.parse(JSON.parse(info.stdout));
      assert.equal(parsed.indexVersion, '2026.12.01-1');
      assert.equal(parsed.signed, true);
    } finally {
      await server.stop();
    }
  });

  it('refuses a release signed by an unknown (rotated) key until it is trusted', async () => {
    const c = client('rotation');
    const server = await serverWith([key1], { dir: built.v1 });
    try {
      await trustAndPull(c, server);
      server.keys = [key2, key1];
      await server.publish(built.v2);
      const refused = await c.cli(server, ['index', 'pull']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /signed with key "sense-2026-b", which is not among your trusted keys/);
      assert.match(refused.stderr, /rotated its signing key, run `stash-sense index trust --server/);
      assert.equal(c.current(), '2026.12.01-1', 'the old index stays current');

      const trust = await c.cli(server, ['index', 'trust']);
      assert.match(trust.stdout, /sense-2026-b .*pinned now/);
      assert.match(trust.stdout, /sense-2026-a .*already pinned/);
      const pull = await c.cli(server, ['index', 'pull', '--json']);
      assert.equal(pull.code, 0, pull.stderr);
      assert.equal(c.current(), '2026.12.02-1');
    } finally {
      await server.stop();
    }
  });

  describe('a tampered release is refused and the old index stays current', () => {
    const c = client('tamper');
    const V2 = '2026.12.02-1';
    let server: IndexServer;
    let goodJws: string;
    before(async () => {
      server = await serverWith([key1], { dir: built.v1 });
      await trustAndPull(c, server);
      await server.publish(built.v2); // no delta: every file is downloaded
      goodJws = server.release(V2).jws;
    });
    after(() => server.stop());

    const assertOldKept = () => {
      assert.equal(c.current(), '2026.12.01-1', 'the old index stays current');
      assert.equal(existsSync(join(c.root, 'versions', V2)), false, 'nothing installed');
      assertInstalled(c.root, built.v1);
    };

    it('a signature with one character changed', async () => {
      const [h, p, s] = goodJws.split('.');
      server.setJws(V2, `${h}.${p}.${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`);
      const outcome = await c.update(server);
      server.setJws(V2, goodJws);
      assert.equal(outcome.failure, 'refused');
      assert.match(outcome.result.detail!, /signature does not verify/);
      assertOldKept();
    });

    it('a payload that is not the one signed', async () => {
      const [h, , s] = goodJws.split('.');
      server.setJws(V2, `${h}.${server.release('2026.12.01-1').jws.split('.')[1]}.${s}`);
      const outcome = await c.update(server);
      server.setJws(V2, goodJws);
      assert.equal(outcome.failure, 'refused');
      assertOldKept();
    });

    for (const name of INDEX_FILES) {
      for (const fault of [
        { kind: 'alter', offset: 1234, label: 'one altered byte' },
        { kind: 'truncate', bytes: 100, label: 'truncated to 100 bytes' },
      ] as const) {
        it(`${name}: ${fault.label}`, async () => {
          // Start from nothing, so the faulty file is fetched (complete files of an earlier try are kept).
          rmSync(join(c.root, 'downloads'), { recursive: true, force: true });
          server.setFault(V2, name, fault);
          const outcome = await c.update(server);
          server.setFault(V2, name, undefined);
          assert.equal(outcome.result.status, 'error', JSON.stringify(outcome.result));
          assert.match(
            outcome.result.detail!,
            fault.kind === 'alter'
              ? new RegExp(`${name} has sha256 .* the signed manifest says`)
              : /truncated/,
          );
          if (fault.kind === 'alter')
            assert.equal(
              existsSync(join(c.root, 'downloads', V2, 'files', name)),
              false,
              'the bad file is deleted',
            );
          assertOldKept();
        });
      }
    }

    it('once the server sends the right bytes, the same pull succeeds', async () => {
      const outcome = await c.update(server);
      assert.equal(outcome.result.status, 'updated', outcome.result.detail);
      assertInstalled(c.root, built.v2);
    });
  });

  it('continues a broken-off download from its .part file with a Range request', async () => {
    const c = client('resume');
    const server = await serverWith([key1], { dir: built.v2 });
    try {
      await c.cli(server, ['index', 'trust']);
      const cutAt = 200_000;
      server.setFault('2026.12.02-1', FACE_INDEX_FILES.ann, { kind: 'cut', bytes: cutAt });
      const broken = await c.cli(server, ['index', 'pull', '--no-progress']);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /broke off at|truncated/);
      const part = join(c.root, 'downloads', '2026.12.02-1', 'files', `${FACE_INDEX_FILES.ann}.part`);
      const kept = statSync(part).size;
      assert.ok(kept > 0 && kept <= cutAt, `the partial file is kept (${kept} bytes)`);
      assert.equal(existsSync(join(c.root, 'current')), false);

      server.requests.length = 0;
      const resumed = await c.cli(server, ['index', 'pull', '--json', '--no-progress']);
      assert.equal(resumed.code, 0, resumed.stderr);
      const annRequests = server.requests.filter((r) => r.path.endsWith(`/files/${FACE_INDEX_FILES.ann}`));
      assert.deepEqual(
        annRequests.map((r) => r.range),
        [`bytes=${kept}-`],
      );
      assert.equal(
        server.requests.some((r) => r.path.endsWith(`/files/${FACE_INDEX_FILES.faceTable}`)),
        false,
        'files already complete are not fetched again',
      );
      assertInstalled(c.root, built.v2);
      assert.equal(existsSync(join(c.root, 'downloads', '2026.12.02-1')), false);
    } finally {
      await server.stop();
    }
  });

  it('follows v1 → v2 → v3 with deltas (files identical to full downloads), withdrawal and rollback', async () => {
    const c = client('delta');
    const server = await serverWith([key1], { dir: built.v1 });
    try {
      await trustAndPull(c, server);
      await server.publish(built.v2, { deltaFrom: built.v1 });
      server.requests.length = 0;
      const toV2 = await c.cli(server, ['index', 'pull', '--json', '--no-progress']);
      assert.equal(toV2.code, 0, toV2.stderr);
      const r2 = DatabaseUpdateResultSchema.parse(JSON.parse(toV2.stdout));
      assert.deepEqual(
        [r2.status, r2.version, r2.via, r2.previousVersion],
        ['updated', '2026.12.02-1', 'delta', '2026.12.01-1'],
      );
      assert.equal(
        server.requests.some((r) => r.path.includes('/files/')),
        false,
        'no full file fetched',
      );
      assert.ok(r2.downloadedBytes < statSync(join(built.v2, FACE_INDEX_FILES.ann)).size / 2);
      assertInstalled(c.root, built.v2);

      await server.publish(built.v3, { deltaFrom: built.v2 });
      const toV3 = await c.cli(server, ['index', 'pull', '--json', '--no-progress']);
      assert.equal(JSON.parse(toV3.stdout).via, 'delta', toV3.stderr);
      assertInstalled(c.root, built.v3);
      assert.deepEqual(
        readFileSync(join(c.root, 'current', FACE_INDEX_FILES.ann)),
        readFileSync(join(built.v3, FACE_INDEX_FILES.ann)),
      );

      // index rollback and back.
      const back = await c.cli(server, ['index', 'rollback']);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /index 2026\.12\.02-1 is current again \(was 2026\.12\.03-1\)/);
      assert.equal(c.current(), '2026.12.02-1');
      assert.equal((await c.cli(server, ['index', 'rollback'])).code, 0);
      assert.equal(c.current(), '2026.12.03-1');

      // v3 withdrawn: the served latest is v2 again, and pull goes back to it (already on disk).
      server.withdraw('2026.12.03-1', 'poisoned performer 171');
      const withdrawn = await c.cli(server, ['index', 'pull', '--json', '--no-progress']);
      assert.equal(withdrawn.code, 0, withdrawn.stderr);
      const rw = DatabaseUpdateResultSchema.parse(JSON.parse(withdrawn.stdout));
      assert.deepEqual([rw.status, rw.version, rw.via], ['rolled-back', '2026.12.02-1', 'local']);
      assertInstalled(c.root, built.v2);
      const noRollback = await c.cli(server, ['index', 'rollback']);
      assert.equal(noRollback.code, 1, 'the withdrawn version is not kept as a rollback target');
      assert.equal(existsSync(join(c.root, 'versions', '2026.12.03-1')), false);
    } finally {
      await server.stop();
    }
  });

  it('runs one pull per index folder: a live lock holder makes it busy, a dead one is taken over', async () => {
    const c = client('lock');
    const server = await serverWith([key1], { dir: built.v1 });
    try {
      await c.cli(server, ['index', 'trust']);
      mkdirSync(c.root, { recursive: true });
      writeFileSync(join(c.root, '.pull.lock'), String(process.pid));
      const busy = await c.update(server);
      assert.equal(busy.failure, 'busy');
      assert.match(busy.result.detail!, /another pull \(process \d+\) is updating/);
      assert.equal(existsSync(join(c.root, 'current')), false);
      writeFileSync(join(c.root, '.pull.lock'), '999999999');
      const taken = await c.update(server);
      assert.equal(taken.result.status, 'updated', taken.result.detail);
      assert.equal(existsSync(join(c.root, '.pull.lock')), false, 'the lock is released');
    } finally {
      await server.stop();
    }
  });

  it('replaces a newer index the server does not know (a local build) with the served latest', async () => {
    const c = client('local-build');
    const server = await serverWith([key1], { dir: built.v1 });
    try {
      const local = FaceIndexWriter.create({ model: EMBEDDING_MODEL });
      addSynthetic(local, 0, 3);
      await local.write(c.root, { indexVersion: 'local-20261206T000000Z' }); // created now: newer than v1
      await c.cli(server, ['index', 'trust']);
      const outcome = await c.update(server);
      assert.deepEqual([outcome.result.status, outcome.result.version], ['updated', '2026.12.01-1']);
      assertInstalled(c.root, built.v1);
      const info = await c.cli(server, ['index', 'info', '--json']);
      assert.equal(
        JSON.parse(info.stdout).indexVersion,
        '2026.12.01-1',
        'current wins over the folder’s own index',
      );
    } finally {
      await server.stop();
    }
  });

  it('falls back to the full download when the delta does not verify', async () => {
    const c = client('bad-delta');
    const server = await serverWith([key1], { dir: built.v1 });
    try {
      await trustAndPull(c, server);
      await server.publish(built.v2, { deltaFrom: built.v1, deltaFile: join(work, 'bad.delta') });
      server.setFault('2026.12.02-1', 'delta.bin', { kind: 'alter', offset: 5000 });
      const lines: string[] = [];
      const outcome = await runUpdate({
        config: { indexDir: c.root, trustedKeysFile: c.keysFile, cloudUrl: server.url },
        log: (line) => lines.push(line),
      });
      assert.equal(outcome.result.status, 'updated', outcome.result.detail);
      assert.equal(outcome.result.via, 'full');
      assert.match(lines.join('\n'), /delta from 2026\.12\.01-1 could not be used/);
      assertInstalled(c.root, built.v2);
    } finally {
      await server.stop();
    }
  });
});

describe('sidecar: POST /database/update and hot swap', () => {
  it('switches to the pulled version under concurrent /identify requests without failing one', async () => {
    const c = client('sidecar');
    const server = await serverWith([key1], { dir: built.v1 });
    const sidecar = await startSidecarProcess([], { env: { ...c.env(server) }, timeoutMs: 60_000 });
    try {
      await c.cli(server, ['index', 'trust']);
      // No index yet: the update installs the first one.
      let response = await fetch(`${sidecar.url}/database/update`, { method: 'POST' });
      assert.equal(response.status, 200);
      assert.equal(DatabaseUpdateResultSchema.parse(await response.json()).version, '2026.12.01-1');
      response = await fetch(`${sidecar.url}/database/update`, { method: 'POST' });
      assert.equal(DatabaseUpdateResultSchema.parse(await response.json()).status, 'current');
      let info = FaceIndexInfoSchema.parse(await (await fetch(`${sidecar.url}/database/info`)).json());
      assert.equal(info.indexVersion, '2026.12.01-1');
      assert.equal(info.createdAt, '2026-12-01T00:00:00.000Z');
      assert.equal(info.faceCount, 450);

      const identify = async () => {
        const r = await fetch(`${sidecar.url}/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path: photo('barack_obama', '4.jpg') }),
        });
        const body = (await r.json()) as { people?: { bestMatch: { name: string } | null }[] };
        return { status: r.status, best: body.people?.[0]?.bestMatch?.name ?? null };
      };
      const before = await identify();
      assert.equal(before.status, 200);
      assert.notEqual(before.best, 'Barack Obama', 'v1 does not know him');

      // The stash-sense plugin's GET /database/check-update reads the same signed distribution.
      const checkUpdate = async () => {
        const r = await fetch(`${sidecar.url}/database/check-update`);
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      };
      let check = await checkUpdate();
      assert.equal(check.status, 200);
      let state = StashSenseCheckUpdateResponseSchema.parse(check.body);
      assert.deepEqual(
        [state.current_version, state.latest_version, state.update_available, state.signature_verified],
        ['2026.12.01-1', '2026.12.01-1', false, true],
      );
      assert.ok(!check.body.error, 'no truthy error key in a success body');

      await server.publish(built.v2, { deltaFrom: built.v1 });
      check = await checkUpdate();
      state = StashSenseCheckUpdateResponseSchema.parse(check.body);
      assert.deepEqual(
        [state.current_version, state.latest_version, state.update_available],
        ['2026.12.01-1', '2026.12.02-1', true],
      );
      assert.ok(typeof state.download_size_mb === 'number' && state.download_size_mb >= 0);
      let updating = true;
      const results: { status: number; best: string | null }[] = [];
      const worker = async () => {
        while (updating) results.push(await identify());
        results.push(await identify());
      };
      const workers = [worker(), worker(), worker()];
      const update = await fetch(`${sidecar.url}/database/update`, { method: 'POST' });
      const updated = DatabaseUpdateResultSchema.parse(await update.json());
      updating = false;
      await Promise.all(workers);
      assert.equal(update.status, 200);
      assert.deepEqual([updated.status, updated.version, updated.via], ['updated', '2026.12.02-1', 'delta']);
      assert.ok(results.length >= 3);
      assert.deepEqual(
        results.filter((r) => r.status !== 200),
        [],
        'no request failed during the swap',
      );
      assert.equal(results.at(-1)!.best, 'Barack Obama', 'requests after the swap use v2');
      info = FaceIndexInfoSchema.parse(await (await fetch(`${sidecar.url}/database/info`)).json());
      assert.equal(info.indexVersion, '2026.12.02-1');
      assert.equal(info.parentVersion, '2026.12.01-1');
      assert.equal(info.previousVersion, '2026.12.01-1');

      // A refused update answers 409 with the reason; the index in use stays.
      server.keys = [key2];
      await server.publish(built.v3, { key: key2 });
      check = await checkUpdate();
      assert.equal(check.status, 409, 'a release signed by an untrusted key is not offered');
      assert.match(String(check.body.detail), /not among your trusted keys/);
      response = await fetch(`${sidecar.url}/database/update`, { method: 'POST' });
      assert.equal(response.status, 409);
      const refused = DatabaseUpdateResultSchema.parse(await response.json());
      assert.equal(refused.status, 'error');
      assert.equal(refused.version, '2026.12.02-1');
      assert.match(refused.detail!, /not among your trusted keys/);
      assert.equal((await identify()).best, 'Barack Obama');
    } finally {
      await sidecar.stop();
      await server.stop();
    }
  });
});
