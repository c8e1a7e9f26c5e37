import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { AppConfig } from './config/app-config.js';
import { JobsService } from './jobs/jobs.service.js';

/** Every six hours is plenty: dead refresh tokens only cost disk space. */
const PURGE_SESSIONS_EVERY_MS = 6 * 3600 * 1000;

const log = (message: string) => process.stderr.write(`[stash-sense-worker] ${message}\n`);

/**
 * The `--worker` process: the same modules as the API without HTTP, running the BullMQ workers.
 * Run as many as needed beside the API instances; each job goes to one of them.
 */
export async function runWorker(config: AppConfig, stopServices: () => Promise<void>): Promise<void> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
  ctx.useLogger(ctx.get(Logger));
  const jobs = ctx.get(JobsService);
  jobs.startWorkers();
  await jobs.schedule('maintenance.purge-expired-sessions', {}, PURGE_SESSIONS_EVERY_MS);
  log('worker running; SIGTERM finishes the current jobs and stops');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing current jobs`);
    setTimeout(() => {
      log('shutdown timed out: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await ctx.close();
    await stopServices();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.stdout.write(`${JSON.stringify({ event: 'worker-started' })}\n`);
}
