import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { contributionPayload } from './support/contributions.js';
import { TEST_REDIS_URL } from './support/services.js';
import { createTestDatabase } from './support/test-database.js';

const NODE_ARGS = ['--conditions=source', '--import', '@swc-node/register/esm-register'];
const MAIN = 'apps/cloud/src/main.ts';
const CLI = 'apps/cloud/src/cli.ts';

function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return { ...env, ...extra };
}

/** Starts the real service process; resolves with its URL once it prints the `listening` event. */
function startService(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...NODE_ARGS, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve(JSON.parse(line).url);
    });
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before listening:\n${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe('the cloud service process', () => {
  test('bad configuration: one clear message naming the variable, exit code 1', () => {
    const res = spawnSync(process.execPath, [...NODE_ARGS, MAIN], {
      env: baseEnv({ PORT: 'not-a-port', DATABASE_URL: 'mysql://nope' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /invalid configuration/);
    assert.match(res.stderr, /PORT/);
    assert.match(res.stderr, /DATABASE_URL: must be a postgresql:\/\/ URL/);
  });

  test('starts on PostgreSQL, serves, and shuts down gracefully on SIGTERM', async () => {
    const database = await createTestDatabase();
    const svc = startService(baseEnv({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, PORT: '0' }));
    try {
      const url = await svc.url;
      const ready = await fetch(`${url}/ready`);
      assert.equal(ready.status, 200);
      const exited = new Promise<number | null>((r) => svc.child.once('exit', (code) => r(code)));
      svc.child.kill('SIGTERM');
      assert.equal(await exited, 0, svc.stderr());
    } finally {
      svc.child.kill('SIGKILL');
      await database.drop();
    }
  });

  test('embedded defaults: no DATABASE_URL → PGlite with pgvector, migrated, ready', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ss-embedded-'));
    const svc = startService(
      baseEnv({ DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, PORT: '0', STASHBOX_TIMEOUT_MS: '2000' }),
    );
    try {
      const url = await svc.url;
      const ready = (await (await fetch(`${url}/ready`)).json()) as { status: string };
      assert.equal(ready.status, 'ready', JSON.stringify(ready));
      assert.match(svc.stderr(), /embedded PostgreSQL \(PGlite \+ pgvector\)/);
      const register = await fetch(`${url}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'embedded@example.org', password: 'correct horse battery staple' }),
      });
      assert.equal(register.status, 201);
      // The ingest path on PGlite: API-key authentication, the idempotency, model and endpoint lookups, and the
      // contribution transaction (scene, performer, halfvec faces, outbox). No network here, so StashDB does not
      // answer and the contribution is stored as pending_verification; the same key again replays the answer.
      const post = async (path: string, body: unknown, token: string) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const login = await fetch(`${url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'embedded@example.org', password: 'correct horse battery staple' }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const created = await post(
        '/v1/me/api-keys',
        { name: 'embedded', scopes: ['contribute'] },
        accessToken,
      );
      const { key } = (await created.json()) as { key: string };
      const unknownEndpoint = await post(
        '/v1/contributions',
        contributionPayload({
          endpoint: 'http://127.0.0.1:9/graphql',
          sceneId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
          performers: [{ stashId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', faces: 2 }],
        }),
        key,
      );
      assert.equal(unknownEndpoint.status, 400, svc.stderr());
      const payload = contributionPayload({
        endpoint: 'https://stashdb.org/graphql',
        sceneId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
        performers: [{ stashId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', faces: 3 }],
        encoding: 'float16',
      });
      const answers = [];
      for (let i = 0; i < 2; i++) {
        const res = await post('/v1/contributions', payload, key);
        assert.equal(res.status, 202, svc.stderr());
        answers.push(await res.json());
      }
      assert.deepEqual(answers[1], answers[0], 'the same idempotency key replays the answer');
      const receipt = answers[0] as { contributions: { status: string; faces: number }[] };
      assert.deepEqual(
        receipt.contributions.map((c) => [c.status, c.faces]),
        [['pending_verification', 3]],
      );
      const exited = new Promise<number | null>((r) => svc.child.once('exit', (code) => r(code)));
      svc.child.kill('SIGTERM');
      assert.equal(await exited, 0, svc.stderr());
    } finally {
      svc.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a --worker process runs queued jobs; /ready shows the queue depths', async () => {
    const database = await createTestDatabase();
    const prefix = `test-worker-${Date.now()}`;
    const env = baseEnv({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: '0',
    });
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const api = startService(env);
    let worker: ReturnType<typeof spawn> | undefined;
    try {
      const { rows } = await db.query(
        `INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), 'w@x.org', 'h', now()) RETURNING id`,
      );
      await db.query(
        `INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at) VALUES
           (gen_random_uuid(), $1, 'expired', now() - interval '1 day'),
           (gen_random_uuid(), $1, 'live', now() + interval '1 day')`,
        [rows[0].id],
      );
      const url = await api.url;
      const ready = (await (await fetch(`${url}/ready`)).json()) as { queues: { name: string }[] };
      assert.deepEqual(
        ready.queues.map((q) => q.name),
        ['maintenance', 'contributions', 'consensus', 'indexes'],
      );
      worker = spawn(process.execPath, [...NODE_ARGS, MAIN, '--worker'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let workerErr = '';
      worker.stderr!.on('data', (d) => (workerErr += d));
      // The worker schedules the purge on start and runs it at once.
      const deadline = Date.now() + 30_000;
      let left: string[] = [];
      while (Date.now() < deadline) {
        left = (await db.query('SELECT token_hash FROM refresh_tokens ORDER BY token_hash')).rows.map(
          (r) => r.token_hash,
        );
        if (left.length === 1) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.deepEqual(left, ['live'], workerErr);
      const exited = new Promise<number | null>((r) => worker!.once('exit', (code) => r(code)));
      worker.kill('SIGTERM');
      assert.equal(await exited, 0, workerErr);
    } finally {
      worker?.kill('SIGKILL');
      api.child.kill('SIGKILL');
      await db.end();
      await database.drop();
    }
  });

  test('admin CLI creates an admin who can then log in as admin', async () => {
    const database = await createTestDatabase();
    try {
      const res = spawnSync(
        process.execPath,
        [...NODE_ARGS, CLI, 'users', 'create', '--role', 'admin', '--email', 'Root@Example.org'],
        { env: baseEnv({ DATABASE_URL: database.url }), encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /created admin root@example\.org/);
      const password = /password: (\S+)/.exec(res.stdout)?.[1];
      assert.ok(password && password.length >= 20, 'a generated password is printed once');
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      const { rows } = await db.query(`SELECT role FROM users WHERE email = 'root@example.org'`);
      await db.end();
      assert.equal(rows[0].role, 'admin');
      const dup = spawnSync(
        process.execPath,
        [...NODE_ARGS, CLI, 'users', 'create', '--email', 'root@example.org'],
        {
          env: baseEnv({ DATABASE_URL: database.url }),
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(dup.status, 1);
      assert.match(dup.stderr, /exists already/);
    } finally {
      await database.drop();
    }
  });
});
