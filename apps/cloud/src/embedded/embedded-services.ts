import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface ResolvedServices {
  databaseUrl: string;
  redisUrl: string;
  /** Pool size forced to 1 for the embedded PostgreSQL (one connection per pool, Prisma's and node-pg's). */
  databasePoolMax?: number;
  /** False for the embedded PostgreSQL: its connections share one session, where statement names would collide. */
  databasePreparedStatements?: boolean;
  embedded: { database: boolean; redis: boolean };
  stop(): Promise<void>;
}

type Log = (message: string) => void;

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function answersRedis(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? done()
        : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Applies the Prisma migrations (the same `prisma migrate deploy` as production) to a database URL. */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  const prismaCli = resolve('node_modules', 'prisma', 'build', 'index.js');
  await run(process.execPath, [prismaCli, 'migrate', 'deploy'], {
    ...process.env,
    DATABASE_URL: databaseUrl,
  });
}

/**
 * Embedded defaults for a first run with nothing configured: an embedded PostgreSQL (PGlite with
 * pgvector, served over the wire protocol so the very same Prisma/pg code path serves it) under
 * `dataDir`, and Redis on 127.0.0.1:6379 — started from the local `redis-server` when nothing answers.
 * Given URLs are used as they are.
 */
export async function resolveServices(
  options: { databaseUrl?: string; redisUrl?: string; dataDir: string },
  log: Log,
): Promise<ResolvedServices> {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = options.databaseUrl;
  let databasePoolMax: number | undefined;
  let databasePreparedStatements: boolean | undefined;
  if (!databaseUrl) {
    const dir = resolve(options.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    log(`DATABASE_URL not set: starting embedded PostgreSQL (PGlite + pgvector) with data in ${dir}`);
    const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
    const port = await freePort();
    // Two connections, one for Prisma's pool and one for node-pg's (each of one connection): the socket server
    // runs their queries one at a time on PGlite's single session, keeping a transaction's statements together.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 2 });
    await server.start();
    stops.push(async () => {
      await server.stop();
      await db.close();
    });
    databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
    databasePoolMax = 1;
    databasePreparedStatements = false;
    log('applying database migrations');
    await applyMigrations(databaseUrl);
  }

  let redisUrl = options.redisUrl;
  let embeddedRedis = false;
  if (!redisUrl) {
    redisUrl = DEFAULT_REDIS_URL;
    if (!(await answersRedis('127.0.0.1', 6379))) {
      const dir = resolve(options.dataDir, 'redis');
      mkdirSync(dir, { recursive: true });
      log('REDIS_URL not set and nothing answers on 127.0.0.1:6379: starting a local redis-server');
      const child: ChildProcess = spawn(
        'redis-server',
        [
          '--bind',
          '127.0.0.1',
          '--port',
          '6379',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--logfile',
          join(dir, 'redis.log'),
        ],
        { stdio: 'ignore' },
      );
      const failed = new Promise<never>((_, reject) =>
        child.once('error', (err) =>
          reject(
            new Error(
              `cannot start redis-server (${err.message}): run \`npm run setup\` to install it, or set REDIS_URL`,
            ),
          ),
        ),
      );
      const ready = (async () => {
        for (let i = 0; i < 50; i++) {
          if (await answersRedis('127.0.0.1', 6379)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('redis-server did not answer on 127.0.0.1:6379 within 5 s');
      })();
      await Promise.race([ready, failed]);
      embeddedRedis = true;
      stops.push(async () => {
        child.kill('SIGTERM');
      });
    }
  }

  return {
    databaseUrl,
    redisUrl,
    databasePoolMax,
    databasePreparedStatements,
    embedded: { database: !options.databaseUrl, redis: embeddedRedis },
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}
