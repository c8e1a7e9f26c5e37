import { Global, Module } from '@nestjs/common';
import { MaintenanceRepository } from '../maintenance/maintenance.repository.js';
import { PurgeExpiredSessionsHandler } from '../maintenance/purge-expired-sessions.handler.js';
import { JOB_HANDLERS } from './job-handler.js';
import { JobsService } from './jobs.service.js';

/** Queues in every process; each job's handler is listed here once. */
@Global()
@Module({
  providers: [
    MaintenanceRepository,
    PurgeExpiredSessionsHandler,
    {
      provide: JOB_HANDLERS,
      useFactory: (...handlers: unknown[]) => handlers,
      inject: [PurgeExpiredSessionsHandler],
    },
    JobsService,
  ],
  exports: [JobsService],
})
export class JobsModule {}
