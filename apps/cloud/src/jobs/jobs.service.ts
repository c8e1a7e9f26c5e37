import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type ConnectionOptions, type JobsOptions, Queue, Worker } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import type { JobHandler } from './job-handler.js';
import {
  DEFAULT_JOB_OPTIONS,
  type JobName,
  type JobPayloads,
  QUEUE_NAMES,
  QUEUE_OF_JOB,
  type QueueName,
} from './job-names.js';

/** An enqueue that takes longer means Redis is unwell; the caller's outbox keeps the work. */
const ENQUEUE_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface QueueStats {
  name: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/**
 * BullMQ queues (producer side, in every process) and workers (only in `--worker` processes).
 * Several API instances and several workers can share one Redis: BullMQ hands each job to one worker.
 */
@Injectable()
export class JobsService implements OnModuleDestroy {
  private readonly logger = new Logger(JobsService.name);
  private readonly connection: ConnectionOptions;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];

  constructor(private readonly config: AppConfig) {
    const url = new URL(config.redisUrl);
    this.connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      // BullMQ requires this for blocking connections; producers fail fast instead (enableOfflineQueue).
      maxRetriesPerRequest: null,
    };
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.config.redisPrefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      queue.on('error', (err) => this.logger.warn(`queue ${name}: ${err.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], options: JobsOptions = {}): Promise<void> {
    await withTimeout(
      this.queue(QUEUE_OF_JOB[name]).add(name, data, options),
      ENQUEUE_TIMEOUT_MS,
      `enqueue ${name}`,
    );
  }

  /** A job repeated every `everyMs`; idempotent (one scheduler per id, whatever the number of processes). */
  async schedule<N extends JobName>(name: N, data: JobPayloads[N], everyMs: number): Promise<void> {
    await this.queue(QUEUE_OF_JOB[name]).upsertJobScheduler(name, { every: everyMs }, { name, data });
  }

  async stats(): Promise<QueueStats[]> {
    return Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const counts = await withTimeout(
          this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
          ENQUEUE_TIMEOUT_MS,
          'queue stats',
        );
        return {
          name,
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
        };
      }),
    );
  }

  /** Starts one worker per queue (the `--worker` process) running the given handlers. */
  startWorkers(handlers: readonly JobHandler[], concurrency = 2): void {
    const byName = new Map(handlers.map((h) => [h.name, h]));
    for (const queueName of QUEUE_NAMES) {
      const worker = new Worker(
        queueName,
        async (job) => {
          const handler = byName.get(job.name as JobName);
          if (!handler) throw new Error(`no handler for job ${job.name}`);
          return handler.handle(job.data as never);
        },
        {
          connection: this.connection,
          prefix: this.config.redisPrefix,
          concurrency,
          // Stored on each job as `processedBy`: which process ran it (operations, and the worker tests).
          name: `${hostname()}:${process.pid}`,
          // A worker that dies mid-job stops renewing its lock; after lockDuration the job is "stalled"
          // and another worker takes it over (checked every stalledInterval).
          lockDuration: this.config.jobLockMs,
          stalledInterval: this.config.jobLockMs,
        },
      );
      worker.on('failed', (job, err) =>
        this.logger.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`),
      );
      worker.on('error', (err) => this.logger.warn(`worker ${queueName}: ${err.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`workers started for ${QUEUE_NAMES.join(', ')}`);
  }

  async onModuleDestroy(): Promise<void> {
    // Workers finish their current job before closing (graceful); then the producers close.
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
