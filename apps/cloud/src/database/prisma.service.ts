import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { AppConfig } from '../config/app-config.js';

/**
 * The one Prisma client of the process (driver adapter over its own node-pg pool). Only repositories
 * use it. It is given a pool configuration rather than the shared PgPoolService pool: with an external
 * pool, closing one Nest application ended the pool another application in the same process used
 * (seen in the e2e tests, where several apps share a process).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(config: AppConfig) {
    super({
      adapter: new PrismaPg(
        { connectionString: config.databaseUrl, max: config.databasePoolMax, connectionTimeoutMillis: 5_000 },
        { onPoolError: () => undefined },
      ),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
