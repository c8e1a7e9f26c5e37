import 'reflect-metadata';
import { createCloudApp } from './app.factory.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError, parseCloudEnv } from './config/config.schema.js';
import { resolveServices } from './embedded/embedded-services.js';

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
  });
  if (!config.jwtSecretConfigured) log('JWT_SECRET not set: using a random secret, sessions end when the process stops');

  const app = await createCloudApp(config);
  // Nest's shutdown hooks close HTTP (no new connections, in-flight requests finish) and then every
  // module; the embedded services stop last. A stuck shutdown is cut off after SHUTDOWN_TIMEOUT_MS.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    setTimeout(() => {
      log('shutdown timed out: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  app.getHttpServer().on('close', () => void services.stop());

  await app.listen(config.port, config.host);
  const url = await app.getUrl();
  const base = config.publicUrl.startsWith('http') ? config.publicUrl : url;
  log(`listening on ${base}`);
  log(`  API docs     ${base}/docs`);
  log(`  OpenAPI      ${base}/openapi.json`);
  log(`  health       ${base}/health   readiness ${base}/ready`);
  if (services.embedded.database) log('  database     embedded PGlite (set DATABASE_URL for PostgreSQL)');
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: base })}\n`);
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
