import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createCloudApp } from './app.factory.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError, parseCloudEnv } from './config/config.schema.js';
import { DASHBOARD_DIST } from './dashboard/dashboard-static.js';
import { resolveServices } from './embedded/embedded-services.js';
import { runWorker } from './worker.js';

const log = (message: string) => process.stderr.write(`[stash-sense-cloud] ${message}\n`);

async function main(): Promise<void> {
  let env;
  try {
    env = parseCloudEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      log(err.message);
      process.exit(1);
    }
    throw err;
  }
  const services = await resolveServices(
    { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, dataDir: env.DATA_DIR },
    log,
  );
  const config = new AppConfig({
    ...env,
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    DATABASE_POOL_MAX: services.databasePoolMax ?? env.DATABASE_POOL_MAX,
    DATABASE_PREPARED_STATEMENTS: services.databasePreparedStatements ?? env.DATABASE_PREPARED_STATEMENTS,
  });
  if (!config.jwtSecretConfigured)
    log('JWT_SECRET not set: using a random secret, sessions end when the process stops');

  if (process.argv.includes('--worker')) return runWorker(config, services.stop);
  const app = await createCloudApp(config);
  // Graceful shutdown: stop accepting connections, let in-flight requests finish, close every module
  // (database pool, Redis, queues), then the embedded services. Cut off after SHUTDOWN_TIMEOUT_MS.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    setTimeout(() => {
      log('shutdown timed out: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await app.close();
    await services.stop();
    log('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen(config.port, config.host);
  // PORT=0 picks a free port: print the one actually bound unless a PUBLIC_URL was given.
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = env.PUBLIC_URL ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  log(`listening on ${base}`);
  log(`  API docs     ${base}/docs`);
  log(
    `  dashboard    ${base}/admin/  (moderators and admins${existsSync(`${DASHBOARD_DIST}/index.html`) ? '' : '; not built: npm run build:dashboard'})`,
  );
  log(`  OpenAPI      ${base}/openapi.json`);
  log(`  health       ${base}/health   readiness ${base}/ready`);
  if (services.embedded.database) log('  database     embedded PGlite (set DATABASE_URL for PostgreSQL)');
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: base })}\n`);
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
