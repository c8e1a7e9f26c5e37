// `npm run demo`: the whole Stash Sense loop on this machine, step by step, with nothing to configure.
//   cloud (API + worker, on the project's PostgreSQL+pgvector and Redis) → a local demo stash-box →
//   demo contributors (three honest, one hostile) → contributions built by the client from the sample faces →
//   consensus → a signed index build → the client pins the keys, pulls and verifies the index → identification of a
//   sample scene the cloud never saw. Then the cloud keeps running with its URLs printed (Ctrl-C stops everything).
// Options: --exit (stop after the loop; tests), --port N (default 8080; 0 = any), --data-dir DIR (default
// .data/demo), --name NAME (default demo). The database stash_sense_<name> and the Redis keys under
// stash-sense-<name>: are recreated on every run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { applyMigrations } from '../../apps/cloud/src/embedded/embedded-services.js';
import { oshash } from '../../apps/client/src/contribute/oshash.js';
import { makeVideo as makeFixtureVideo } from '../../apps/client/test/support/client-fixtures.js';
import { StashBoxFixtureServer } from '../../test/support/stash-box-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE_TS = ['--conditions=source', '--import', '@swc-node/register/esm-register'];
const SAMPLES = join(ROOT, 'samples/faces');
const CLI = join(ROOT, 'apps/client/bin/stash-sense.js');

const { values: flags } = parseArgs({
  options: {
    exit: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    'data-dir': { type: 'string', default: join(ROOT, '.data/demo') },
    /** Names the demo's database (stash_sense_<name>) and Redis prefix, so that a test run leaves a demo alone. */
    name: { type: 'string', default: 'demo' },
  },
});
const DATA = resolve(flags['data-dir']!);
const BASE_DB_URL =
  process.env.DATABASE_URL ?? 'postgresql://stash_sense:stash_sense@127.0.0.1:5432/stash_sense';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!/^[a-z0-9_]{1,40}$/.test(flags.name!)) throw new Error('--name: lowercase letters, digits and _ only');
const REDIS_PREFIX = `stash-sense-${flags.name}`;
const ADMIN = { email: 'admin@example.org', password: 'demo-admin-password-0123' };
/**
 * A new cloud has no established contributors, and new accounts weigh little until they have a track record
 * (docs/consensus.md). The demo's accounts are minutes old, so it runs consensus with probation off; every
 * other rule (agreement of 3 accounts, coherence, conflicts, reputation) is the default.
 */
const DEMO_CONSENSUS = {
  contributors: {
    probationDays: 0,
    minDecidedFaces: 0,
    establishedReputation: 0.5,
    zeroWeightReputation: 0,
    fullWeightReputation: 0.5,
  },
};

/** The sample people (samples/faces) as performers of the demo stash-box. */
const PEOPLE = [
  { folder: 'sample-a', name: 'Sample A', stashId: '5a3f6c1e-0000-4000-8000-00000000000a' },
  { folder: 'sample-b', name: 'Sample B', stashId: '5a3f6c1e-0000-4000-8000-00000000000b' },
  { folder: 'sample-c', name: 'Sample C', stashId: '5a3f6c1e-0000-4000-8000-00000000000c' },
  { folder: 'sample-d', name: 'Sample D', stashId: '5a3f6c1e-0000-4000-8000-00000000000d' },
] as const;
const HONEST = ['ann', 'ben', 'cat'];
const sceneStashId = (n: number) => `5ce0e000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const children: ChildProcess[] = [];
let stepNo = 0;
const STEPS = 9;
const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (text: string) => say(`\n[${++stepNo}/${STEPS}] ${text}`);
const photosOf = (folder: string) =>
  readdirSync(join(SAMPLES, folder))
    .filter((f) => f.endsWith('.jpg'))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => join(SAMPLES, folder, f));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`).join('\n');
}

/** A 1280×720 video of the photos, `secondsEach` seconds each (the tests' generator: real ffmpeg, H.264). */
const makeVideo = (out: string, photos: readonly string[], secondsEach = 2) =>
  makeFixtureVideo(out, photos, { width: 1280, height: 720, secondsEach });

/** Runs the client CLI; throws with its stderr when it fails. */
async function client(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, STASH_SENSE_THREADS: '2', XDG_DATA_HOME: join(DATA, 'client'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(stdout)
        : reject(new Error(`stash-sense ${args[0]} ${args[1] ?? ''} failed (${code}):\n${stderr}${stdout}`)),
    );
  });
}

/** Starts a cloud process; resolves with the JSON line of its ready event (the API's carries its URL). */
function startCloud(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyEvent: string,
): Promise<Record<string, string>> {
  const child = spawn(process.execPath, [...NODE_TS, 'apps/cloud/src/main.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.includes(`"${readyEvent}"`));
      if (line) resolvePromise(JSON.parse(line) as Record<string, string>);
    });
    child.once('exit', (code) =>
      reject(new Error(`cloud ${args.join(' ') || 'API'} exited (${code}):\n${stderr}`)),
    );
  });
}

async function api<T>(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 180_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((r) => {
          if (child.exitCode !== null || child.signalCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(DATA, { recursive: true });
  const work = join(DATA, 'scenes');
  rmSync(work, { recursive: true, force: true });
  rmSync(join(DATA, 'client'), { recursive: true, force: true });
  // A fresh database means no published versions: their files go too (the signing key under cloud/ stays).
  rmSync(join(DATA, 'cloud', 'indexes'), { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  step('A fresh demo database and the demo stash-box');
  const dbName = `stash_sense_${flags.name}`;
  const admin = new pg.Client({ connectionString: BASE_DB_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = new URL(BASE_DB_URL);
  dbUrl.pathname = `/${dbName}`;
  await applyMigrations(dbUrl.toString());
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  const box = await new StashBoxFixtureServer().start();
  const db = new pg.Pool({ connectionString: dbUrl.toString(), max: 2 });
  await db.query(
    `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'demobox', 'Demo stash-box', $1)`,
    [box.url],
  );
  say(`  database ${dbName} migrated; demo stash-box (GraphQL, the real stash-box schema) at ${box.url}`);

  step('The cloud: API and a consensus/index worker');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    REDIS_PREFIX,
    PORT: flags.port,
    DATA_DIR: join(DATA, 'cloud'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'demo-only-jwt-secret-not-for-production-0123456789',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    CONSENSUS_OVERRIDES: JSON.stringify(DEMO_CONSENSUS),
    OUTBOX_SWEEP_INTERVAL_MS: '1000',
  };
  const base = (await startCloud([], env, 'listening')).url!;
  await startCloud(['--worker'], env, 'worker-started');
  say(
    `  API ${base} (docs ${base}/docs), worker running; demo consensus settings: probation off (${JSON.stringify(DEMO_CONSENSUS.contributors)})`,
  );

  step('Demo contributors: three honest accounts and one hostile one');
  const accounts = new Map<string, string>();
  for (const name of [...HONEST, 'mallory']) {
    const email = `${name}@demo.example.org`;
    const password = `demo-password-${name}-0123`;
    await api(base, '/v1/auth/register', { method: 'POST', body: { email, password } });
    const { accessToken } = await api<{ accessToken: string }>(base, '/v1/auth/login', {
      method: 'POST',
      body: { email, password },
    });
    const { key } = await api<{ key: string }>(base, '/v1/me/api-keys', {
      method: 'POST',
      token: accessToken,
      body: { name: 'demo', scopes: ['contribute'] },
    });
    accounts.set(name, key);
  }
  say(
    `  ${[...accounts.keys()].map((n) => `${n}@demo.example.org`).join(', ')} — each with an API key (scope contribute)`,
  );

  step('Scenes on the demo stash-box, and contributions built by the client from the sample faces');
  // Each honest account has its own solo scene of every sample person, made of two of that person's photos, no two
  // accounts with the same pair (the same faces sent by several accounts count once: docs/consensus.md). The last
  // two photos of each person stay out of every contribution: they make the scene identified at the end.
  type Plan = {
    account: string;
    scene: number;
    video: string;
    credited: (typeof PEOPLE)[number];
    shows: string;
  };
  const plans: Plan[] = [];
  let sceneNo = 0;
  for (const person of PEOPLE) {
    const pool = photosOf(person.folder).slice(0, -2);
    const used = new Set<string>();
    for (const [c, account] of HONEST.entries()) {
      let first = 2 * c;
      while (used.has(`${first % pool.length},${(first + 1) % pool.length}`)) first += 1;
      used.add(`${first % pool.length},${(first + 1) % pool.length}`);
      const chosen = [pool[first % pool.length]!, pool[(first + 1) % pool.length]!];
      const video = await makeVideo(join(work, `${account}-${person.folder}.mp4`), chosen, 3);
      plans.push({ account, scene: ++sceneNo, video, credited: person, shows: person.name });
    }
  }
  // The hostile account credits Sample A on a scene that shows Sample B.
  const hostileVideo = await makeVideo(join(work, 'mallory-swap.mp4'), photosOf('sample-b').slice(3, 6));
  plans.push({
    account: 'mallory',
    scene: sceneNo + 1,
    video: hostileVideo,
    credited: PEOPLE[0],
    shows: 'Sample B',
  });
  for (const plan of plans) {
    box.scenes.set(sceneStashId(plan.scene), {
      id: sceneStashId(plan.scene),
      duration: 6,
      performers: [{ id: plan.credited.stashId, name: plan.credited.name }],
      fingerprints: [{ algorithm: 'OSHASH', hash: await oshash(plan.video), duration: 6 }],
    });
  }
  const sent: string[][] = [['account', 'scene credits', 'video shows', 'faces sent', 'status']];
  for (const plan of plans) {
    const out = await client(
      [
        'contribute',
        plan.video,
        '--stash-box',
        box.url,
        '--scene',
        sceneStashId(plan.scene),
        '--performer',
        plan.credited.stashId,
        '--server',
        base,
        '--frames',
        '12',
        '--json',
        '--no-progress',
        '--index',
        join(DATA, 'client', 'none'),
      ],
      { STASH_SENSE_API_KEY: accounts.get(plan.account)! },
    );
    const result = JSON.parse(out) as {
      attributed: { faces: number }[];
      receipt: { contributions: { status: string }[] } | null;
    };
    sent.push([
      plan.account,
      plan.credited.name,
      plan.shows,
      String(result.attributed[0]?.faces ?? 0),
      result.receipt?.contributions[0]?.status ?? 'not sent',
    ]);
  }
  say(table(sent));

  step('Consensus: the worker decides which faces are trusted');
  let quietPolls = 0;
  await waitFor('consensus to settle', async () => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE dispatched_at IS NULL`,
    );
    const ready = await api<{
      queues?: { name: string; waiting: number; active: number; delayed: number }[];
    }>(base, '/ready');
    const busy = (ready.queues ?? [])
      .filter((q) => q.name === 'consensus' || q.name === 'contributions')
      .reduce((s, q) => s + q.waiting + q.active + q.delayed, 0);
    // Partners re-queued by a decision arrive a moment later: quiet twice in a row means settled.
    quietPolls = rows[0]!.n === 0 && busy === 0 ? quietPolls + 1 : 0;
    return quietPolls >= 3 ? true : undefined;
  });
  const decided = await db.query<{
    name: string;
    state: string;
    trusted_faces: number;
    contributors_agreeing: number;
  }>(
    `SELECT p.name, pc.state, pc.trusted_faces, pc.contributors_agreeing FROM performer_consensus pc JOIN performers p ON p.id = pc.performer_id ORDER BY p.name`,
  );
  say(
    table([
      ['performer', 'consensus', 'trusted faces', 'accounts agreeing'],
      ...decided.rows.map((r) => [r.name, r.state, String(r.trusted_faces), String(r.contributors_agreeing)]),
    ]),
  );
  const names = new Map(
    (await db.query<{ id: string; name: string }>(`SELECT id, name FROM performers`)).rows.map((r) => [
      r.id,
      r.name,
    ]),
  );
  const named = (text: string) =>
    text.replace(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
      (id) => names.get(id) ?? id,
    );
  const hostile = await db.query<{ trusted: number; held: number; reason: string | null }>(
    `SELECT count(*) FILTER (WHERE f.status = 'trusted')::int AS trusted, count(*) FILTER (WHERE f.status <> 'trusted')::int AS held,
            min(f.status_reason) AS reason
     FROM faces f JOIN contributions c ON c.id = f.contribution_id JOIN users u ON u.id = c.contributor_id
     WHERE u.email = 'mallory@demo.example.org'`,
  );
  const h = hostile.rows[0]!;
  say(`  mallory's swap: ${h.trusted} faces trusted, ${h.held} held back — ${named(h.reason ?? '')}`);
  const moderation = await db.query<{ kind: string; summary: string }>(
    `SELECT kind, summary FROM moderation_items WHERE status = 'open' ORDER BY kind`,
  );
  for (const item of moderation.rows) say(`  moderation queue: ${item.kind}: ${named(item.summary)}`);

  step('Index build: trusted faces → a signed, versioned index');
  const { accessToken: adminToken } = await api<{ accessToken: string }>(base, '/v1/auth/login', {
    method: 'POST',
    body: ADMIN,
  });
  await api(base, '/v1/admin/indexes/builds', { method: 'POST', token: adminToken, body: {} });
  type Build = {
    status: string;
    version: string | null;
    performers: number;
    faces: number;
    durationMs: number | null;
    error: string | null;
    buckets: Record<string, number>;
  };
  const build = await waitFor('the index build', async () => {
    const { builds } = await api<{ builds: Build[] }>(base, '/v1/admin/indexes/builds', {
      token: adminToken,
    });
    const latest = builds[0];
    if (latest?.status === 'failed') throw new Error(`index build failed: ${latest.error}`);
    return latest?.status === 'published' ? latest : undefined;
  });
  say(
    `  version ${build.version}: ${build.performers} performers, ${build.faces} faces, built in ${build.durationMs} ms; faces per performer ${JSON.stringify(build.buckets)}`,
  );

  step('The client pins the cloud’s signing keys and pulls the index (signature and every sha256 verified)');
  const indexDir = join(DATA, 'client', 'index');
  say(indent(await client(['index', 'trust', '--server', base, '--index', indexDir])));
  say(indent(await client(['index', 'pull', '--server', base, '--index', indexDir, '--no-progress'])));

  step('Identification of a scene the cloud never saw (held-out photos of Sample A and Sample C)');
  const probe = await makeVideo(
    join(work, 'identify-me.mp4'),
    [...photosOf('sample-a').slice(-2), ...photosOf('sample-c').slice(-2)],
    3,
  );
  say(indent(await client(['identify', probe, '--index', indexDir, '--frames', '24', '--no-progress'])));
  const json = await client([
    'identify',
    probe,
    '--index',
    indexDir,
    '--frames',
    '24',
    '--no-progress',
    '--json',
  ]);
  writeFileSync(join(DATA, 'identify-result.json'), json);
  const found = (JSON.parse(json) as { people: { bestMatch: { name: string } | null }[] }).people.map(
    (p) => p.bestMatch?.name ?? 'unknown',
  );
  say(`  people found: ${found.join(', ')}`);

  step(`Done in ${Math.round((Date.now() - started) / 1000)} s`);
  say(
    `  cloud API      ${base}   (docs ${base}/docs, OpenAPI ${base}/openapi.json, metrics ${base}/metrics)`,
  );
  say(`  indexes        ${base}/v1/indexes   keys ${base}/v1/indexes/keys`);
  const dashboard = await fetch(`${base}/admin/`).then(
    (r) => r.ok,
    () => false,
  );
  say(
    dashboard
      ? `  dashboard      ${base}/admin/   (moderation: the queue above, contributors, indexes, audit log)`
      : `  dashboard      ${base}/admin/   NOT BUILT: run npm run build:dashboard (npm run setup does), then reload`,
  );
  say(`  admin login    ${ADMIN.email} / ${ADMIN.password}   (the dashboard's demo admin)`);
  say(`  client index   ${indexDir}   (try: npx stash-sense identify --index ${indexDir} <file>)`);
  await db.end();
  if (flags.exit) {
    await box.stop();
    await stopAll();
    return;
  }
  say('  the cloud keeps running; Ctrl-C stops it');
  await new Promise<void>((r) => {
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
  await box.stop();
  await stopAll();
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

main().catch(async (error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
