import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { AppConfig } from './config/app-config.js';
import { JOB_HANDLER_CLASSES } from './jobs/job-handlers.js';
import { JobsService } from './jobs/jobs.service.js';
import { ContributionsRepository } from './contributions/contributions.repository.js';
import { OutboxService } from './outbox/outbox.service.js';

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
  jobs.startWorkers(JOB_HANDLER_CLASSES.map((c) => ctx.get(c, { strict: false })));
  await jobs.schedule('maintenance.purge-expired-sessions', {}, PURGE_SESSIONS_EVERY_MS);
  const sweeper = startSweeper(
    ctx.get(OutboxService),
    ctx.get(ContributionsRepository),
    jobs,
    config.outboxSweepIntervalMs,
  );
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
    clearInterval(sweeper);
    await ctx.close();
    await stopServices();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.stdout.write(`${JSON.stringify({ event: 'worker-started' })}\n`);
}

/**
 * The outbox sweeper: hands undispatched outbox events to the queues, and queues verifications that
 * are due. A plain timer, not a queued job, because it must work exactly when the queue did not.
 * Every worker runs one; row locks (SKIP LOCKED) and job ids keep them from doing anything twice.
 */
function startSweeper(
  outbox: OutboxService,
  contributions: ContributionsRepository,
  jobs: JobsService,
  intervalMs: number,
): NodeJS.Timeout {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      await outbox.sweep();
      for (const due of await contributions.dueVerifications(new Date(), 200)) {
        await jobs.enqueue(
          'contributions.verify',
          { contributionId: due.id },
          { jobId: `verify-${due.id}-${due.attempts}` },
        );
      }
    } catch (err) {
      log(`sweep failed (next try in ${intervalMs} ms): ${(err as Error).message}`);
    } finally {
      running = false;
    }
  };
  void sweep();
  return setInterval(() => void sweep(), intervalMs);
}
