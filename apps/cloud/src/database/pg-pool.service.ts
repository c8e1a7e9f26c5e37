import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { namedStatement } from './pg-sql.js';

/**
 * The node-pg pool of the process, for the repository paths where Prisma's per-query overhead dominates
 * (contribution ingest, authentication, outbox, index builds; docs/benchmarks.md). Prisma keeps a pool of its
 * own (PrismaService). Repositories only.
 */
@Injectable()
export class PgPoolService implements OnModuleDestroy {
  readonly pool: pg.Pool;
  private readonly preparedStatements: boolean;

  constructor(config: AppConfig) {
    this.preparedStatements = config.databasePreparedStatements;
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

  /**
   * A hot-path query, as a named (server-side prepared) statement unless DATABASE_PREPARED_STATEMENTS is off.
   * Only for texts from a fixed set: each distinct text is remembered.
   */
  prepared(text: string, values: unknown[]): pg.QueryConfig {
    return this.preparedStatements ? namedStatement(text, values) : { text, values };
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
