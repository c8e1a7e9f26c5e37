// Contribution ingest benchmark: N concurrent clients post 100-face contributions to the real cloud
// service (its own process, real PostgreSQL+pgvector and Redis, a stash-box fixture server for
// verification), then checks that the database holds exactly what was acknowledged.
//
//   node --conditions=source --import @swc-node/register/esm-register bench/ingest/main.ts \
//     [--clients 8] [--seconds 20] [--faces 100] [--encoding float16|float32] [--json out.json]
//     [--compare previous.json]
//
// Embeddings are sent as float16 by default, as `stash-sense contribute` sends them
// (apps/client/src/contribute/contribution-payload.ts); --encoding float32 doubles their bytes.
//
// Needs the services of `npm test` (PostgreSQL with pgvector on DATABASE_URL, Redis on REDIS_URL).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeEmbedding } from '@stash-sense/vectors';
import pg from 'pg';
import { contributionPayload, faceVector, rng } from '../../test/support/contributions.js';
import { TEST_REDIS_URL } from '../../test/support/services.js';
import { StashBoxFixtureServer } from '../../test/support/stash-box-server.js';
import { createTestDatabase } from '../../test/support/test-database.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '20' },
    faces: { type: 'string', default: '100' },
    encoding: { type: 'string', default: 'float16' },
    json: { type: 'string' },
    compare: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: bench/ingest/main.ts [--clients 8] [--seconds 20] [--faces 100] [--encoding float16|float32]\n' +
      '       [--json out.json] [--compare prev.json]\n',
  );
  process.exit(0);
}
if (values.encoding !== 'float16' && values.encoding !== 'float32') {
  process.stderr.write(`--encoding is float16 or float32, got "${values.encoding}"\n`);
  process.exit(2);
}
const ENCODING: 'float16' | 'float32' = values.encoding;
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const FACES = Number(values.faces);
/** Two performers per scene keeps each under the 60-faces-per-performer limit. */
const PERFORMERS_PER_SCENE = Math.max(1, Math.ceil(FACES / 60));
const progress = (m: string) => process.stderr.write(`[bench:ingest] ${m}\n`);

const uuid = (n: number, kind: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function main() {
  const database = await createTestDatabase();
  const box = await new StashBoxFixtureServer().start();
  const SCENES = 5_000;
  for (let s = 0; s < SCENES; s++) {
    box.scenes.set(uuid(s, 1), {
      id: uuid(s, 1),
      duration: 1200,
      performers: Array.from({ length: PERFORMERS_PER_SCENE }, (_, p) => ({
        id: uuid(s * 10 + p, 2),
        name: `P${s}-${p}`,
      })),
      fingerprints: [{ algorithm: 'PHASH', hash: `ph${s}`, duration: 1200 }],
    });
  }
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  await db.query(
    `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'benchbox', 'Bench', $1)`,
    [box.url],
  );

  progress(`starting the service (database ${database.name})`);
  // BENCH_SERVICE_NODE_ARGS adds node flags to the service, e.g. "--cpu-prof --cpu-prof-dir=prof".
  const extra = process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const service = spawn(
    process.execPath,
    [
      ...extra,
      '--conditions=source',
      '--import',
      '@swc-node/register/esm-register',
      'apps/cloud/src/main.ts',
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: `bench-${Date.now()}`,
        PORT: '0',
        LOG_LEVEL: 'warn',
        JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
        RATE_LIMIT_IP_POINTS: '10000000',
        RATE_LIMIT_KEY_POINTS: '10000000',
        RATE_LIMIT_AUTH_POINTS: '10000',
        DATABASE_POOL_MAX: String(Math.max(4, CLIENTS)),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    service.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve(JSON.parse(line).url);
    });
    service.once('exit', (code) => reject(new Error(`service exited ${code}`)));
  });

  const call = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const keys: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const email = `bench${c}@example.org`;
    await call('/v1/auth/register', { email, password: 'bench password 123' });
    const login = await call('/v1/auth/login', { email, password: 'bench password 123' });
    const key = await call(
      '/v1/me/api-keys',
      { name: 'bench', scopes: ['contribute'] },
      login.body.accessToken as string,
    );
    keys.push(key.body.key as string);
  }

  // A pool of face vectors; each payload takes FACES distinct ones (no duplicates inside a payload).
  const random = rng(7);
  const pool = Array.from({ length: 400 }, () => encodeEmbedding(faceVector(random), ENCODING));
  const template = contributionPayload({
    endpoint: box.url,
    sceneId: uuid(0, 1),
    performers: [{ stashId: uuid(0, 2), faces: 1 }],
    encoding: ENCODING,
  });

  progress(`${CLIENTS} clients posting ${FACES}-face contributions for ${SECONDS} s`);
  const latencies: number[] = [];
  let acknowledgedFaces = 0;
  let acknowledged = 0;
  const errors = new Map<string, number>();
  const deadline = Date.now() + SECONDS * 1000;
  const cpuBefore = cpuSnapshot(service.pid);
  const started = performance.now();
  await Promise.all(
    keys.map(async (key, c) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const scene = c * Math.floor(SCENES / CLIENTS) + i;
        const perPerformer = Math.ceil(FACES / PERFORMERS_PER_SCENE);
        const offset = (i * 37) % (pool.length - FACES);
        const body = {
          ...template,
          idempotencyKey: `bench-${c}-${i}`,
          scene: {
            ...template.scene,
            stashId: uuid(scene, 1),
            fingerprints: [{ algorithm: 'PHASH', hash: `ph${scene}`, durationSec: 1200 }],
          },
          performers: Array.from({ length: PERFORMERS_PER_SCENE }, (_, p) => {
            const n = Math.min(perPerformer, FACES - p * perPerformer);
            return {
              stashId: uuid(scene * 10 + p, 2),
              faces: Array.from({ length: n }, (_, f) => ({
                embedding: pool[offset + p * perPerformer + f]!,
                detectorScore: 0.95,
                sizePx: 120,
                quality: 0.8,
                timestampSec: 10 + f,
                trackId: 't',
              })),
              tracks: [{ trackId: 't', points: [{ t: 10, box: [0, 0, 100, 100] }] }],
            };
          }),
        };
        const t0 = performance.now();
        const res = await call('/v1/contributions', body, key);
        latencies.push(performance.now() - t0);
        if (res.status === 202) {
          acknowledged += 1;
          acknowledgedFaces += (res.body.contributions as { faces: number }[]).reduce(
            (a, x) => a + x.faces,
            0,
          );
        } else {
          const k = `${res.status} ${String(res.body.message).slice(0, 80)}`;
          errors.set(k, (errors.get(k) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(service.pid);
  const cpuMsPerRequest = (part: keyof CpuSnapshot) =>
    Math.round(((cpuAfter[part] - cpuBefore[part]) * 1000 * 10) / Math.max(1, latencies.length)) / 10;
  const cpu = {
    service: cpuMsPerRequest('service'),
    postgres: cpuMsPerRequest('postgres'),
    redis: cpuMsPerRequest('redis'),
    loadGenerator: cpuMsPerRequest('self'),
  };
  // What the service and its databases could take on this machine's cores if the clients ran elsewhere.
  const serverCpuMs = cpu.service + cpu.postgres + cpu.redis;
  const facesPerSecWithoutGenerator = Math.round(((cpus().length * 1000) / serverCpuMs) * FACES);
  const rows = await db.query(
    `SELECT (SELECT count(*)::int FROM faces) AS faces, (SELECT count(*)::int FROM contributions) AS contributions`,
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const result = {
    when: new Date().toISOString(),
    clients: CLIENTS,
    facesPerRequest: FACES,
    encoding: ENCODING,
    seconds: Math.round(elapsedSec * 10) / 10,
    requests: latencies.length,
    acknowledgedRequests: acknowledged,
    acknowledgedFaces,
    facesPerSec: Math.round(acknowledgedFaces / elapsedSec),
    p50Ms: Math.round(q(0.5)),
    p99Ms: Math.round(q(0.99)),
    facesInDatabase: rows.rows[0].faces as number,
    contributionsInDatabase: rows.rows[0].contributions as number,
    errors: Object.fromEntries(errors),
    /** CPU milliseconds per request (Linux /proc; 0 where unreadable). */
    cpuMsPerRequest: cpu,
    facesPerSecWithoutGenerator,
  };
  const consistent = result.facesInDatabase === acknowledgedFaces;
  process.stdout.write(
    [
      `clients ${CLIENTS}, ${FACES} faces per request (${ENCODING} embeddings), ${result.seconds} s`,
      `faces/s sustained   ${result.facesPerSec}   (goal ≥ 5000)`,
      `latency p50 / p99   ${result.p50Ms} / ${result.p99Ms} ms   (goal p99 ≤ 250 ms)`,
      `requests            ${result.requests} (${acknowledged} acknowledged, ${result.requests - acknowledged} refused)`,
      `faces acknowledged  ${acknowledgedFaces}; in the database ${result.facesInDatabase} → ${consistent ? 'consistent' : 'MISMATCH'}`,
      `CPU per request     service ${cpu.service} ms, PostgreSQL ${cpu.postgres} ms, Redis ${cpu.redis} ms, ` +
        `load generator ${cpu.loadGenerator} ms`,
      `without the load generator on these ${cpus().length} cores: ≈ ${facesPerSecWithoutGenerator} faces/s ` +
        `(service + databases CPU-bound)`,
      ...(errors.size ? [`errors ${JSON.stringify(result.errors)}`] : []),
    ].join('\n') + '\n',
  );
  if (values.compare) {
    const prev = JSON.parse(readFileSync(values.compare, 'utf8')) as typeof result;
    const delta = (a: number, b: number) =>
      `${a} → ${b} (${b >= a ? '+' : ''}${Math.round(((b - a) / a) * 100)}%)`;
    process.stdout.write(
      `compared with ${prev.when}:\n  faces/s ${delta(prev.facesPerSec, result.facesPerSec)}\n  p50 ms ${delta(prev.p50Ms, result.p50Ms)}\n  p99 ms ${delta(prev.p99Ms, result.p99Ms)}\n`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));

  service.kill('SIGTERM');
  await new Promise((r) => service.once('exit', r));
  await db.end();
  await box.stop();
  await database.drop();
  if (!consistent) process.exitCode = 1;
}

interface CpuSnapshot {
  service: number;
  postgres: number;
  redis: number;
  self: number;
}

/** CPU seconds (user + system) used so far by the service, all PostgreSQL and Redis processes, and this one. */
function cpuSnapshot(servicePid: number | undefined): CpuSnapshot {
  const ticks = 100; // USER_HZ: /proc reports clock ticks of 1/100 s on Linux
  const stat = (pid: string): { comm: string; sec: number } | undefined => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = text.lastIndexOf(')');
      const fields = text.slice(close + 2).split(' '); // fields from the 3rd (state) on
      return {
        comm: text.slice(text.indexOf('(') + 1, close),
        sec: (Number(fields[11]) + Number(fields[12])) / ticks, // utime, stime: fields 14 and 15
      };
    } catch {
      return undefined; // not Linux, or the process ended
    }
  };
  const usage = process.cpuUsage();
  const snapshot: CpuSnapshot = {
    service: 0,
    postgres: 0,
    redis: 0,
    self: (usage.user + usage.system) / 1e6,
  };
  if (servicePid) snapshot.service = stat(String(servicePid))?.sec ?? 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  for (const pid of pids) {
    const s = stat(pid);
    if (s?.comm === 'postgres') snapshot.postgres += s.sec;
    else if (s?.comm === 'redis-server') snapshot.redis += s.sec;
  }
  return snapshot;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
