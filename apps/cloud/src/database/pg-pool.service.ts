import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';

/**
 * The node-pg pool of the process. Prisma runs on it (driver adapter), and the few repository paths
 * where Prisma's per-query overhead dominates (bulk face inserts, docs/benchmarks.md) use it directly.
 * Repositories only.
 */
@Injectable()
export class PgPoolService implements OnModuleDestroy {
  readonly pool: pg.Pool;

  constructor(config: AppConfig) {
    this.pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolMax,
      connectionTimeoutMillis: 5_000,
    });
    const logger = new Logger(PgPoolService.name);
    // An idle connection that the server drops (restart, failover, admin termination) emits an error
    // on the pool; without a listener node-pg would crash the process. The pool replaces the client.
    this.pool.on('error', (err) => logger.warn(`PostgreSQL connection lost: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
