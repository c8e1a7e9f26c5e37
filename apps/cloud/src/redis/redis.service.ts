import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/**
 * The shared Redis connection (rate limits, readiness). Commands fail fast while Redis is down
 * instead of queueing forever, so requests are not held hostage by an outage.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private lastErrorLogged = 0;

  constructor(readonly config: AppConfig) {
    this.client = new Redis(config.redisUrl, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.client.on('error', (err: Error) => {
      // Reconnect attempts repeat the same error: log it at most every 30 s.
      if (Date.now() - this.lastErrorLogged > 30_000) {
        this.lastErrorLogged = Date.now();
        this.logger.warn(`Redis unavailable: ${err.message}`);
      }
    });
  }

  /**
   * Waits (briefly) for the first connection, so that the first requests find Redis rather than the
   * fallback counters. A Redis that is down does not stop the start: readiness reports it.
   */
  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 3_000);
      this.client.once('ready', done);
    });
  }

  /** Round-trip time of a PING in ms; throws when Redis does not answer within `timeoutMs`. */
  async ping(timeoutMs = 1_000): Promise<number> {
    const started = performance.now();
    await Promise.race([
      this.client.ping(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
    return performance.now() - started;
  }

  key(...parts: string[]): string {
    return [this.config.redisPrefix, ...parts].join(':');
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
