import { Module } from '@nestjs/common';
import { MaintenanceRepository } from './maintenance.repository.js';
import { PurgeExpiredSessionsHandler } from './purge-expired-sessions.handler.js';

@Module({
  providers: [MaintenanceRepository, PurgeExpiredSessionsHandler],
  exports: [PurgeExpiredSessionsHandler],
})
export class MaintenanceModule {}
