import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
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
    const svc = startService(baseEnv({ DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, PORT: '0' }));
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
