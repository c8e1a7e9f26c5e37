import { Injectable, Logger } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler.js';
import { MaintenanceRepository } from './maintenance.repository.js';

/** Revoked tokens are kept a week so that reuse of a stolen token is still recognised (and alarms). */
const REVOKED_RETENTION_MS = 7 * 24 * 3600 * 1000;

@Injectable()
export class PurgeExpiredSessionsHandler implements JobHandler<'maintenance.purge-expired-sessions'> {
  readonly name = 'maintenance.purge-expired-sessions' as const;
  private readonly logger = new Logger(PurgeExpiredSessionsHandler.name);

  constructor(private readonly repository: MaintenanceRepository) {}

  async handle(): Promise<{ deleted: number }> {
    const now = new Date();
    const deleted = await this.repository.deleteDeadRefreshTokens(
      new Date(now.getTime() - REVOKED_RETENTION_MS),
      now,
    );
    if (deleted) this.logger.log(`purged ${deleted} dead refresh tokens`);
    return { deleted };
  }
}
