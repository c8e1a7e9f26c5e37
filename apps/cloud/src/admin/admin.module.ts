import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ContributionsModule } from '../contributions/contributions.module.js';
import { IndexesModule } from '../indexes/indexes.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { AdminRefsRepository } from './admin-refs.repository.js';
import { AdminRefsService } from './admin-refs.service.js';
import { AuditLogController } from './audit-log.controller.js';
import { ContributorsController } from './contributors.controller.js';
import { ContributorsRepository } from './contributors.repository.js';
import { ContributorsService } from './contributors.service.js';
import { ModerationController } from './moderation.controller.js';
import { ModerationRepository } from './moderation.repository.js';
import { ModerationService } from './moderation.service.js';
import { OverviewController } from './overview.controller.js';
import { OverviewRepository } from './overview.repository.js';
import { OverviewService } from './overview.service.js';
import { PerformersController } from './performers.controller.js';
import { PerformersRepository } from './performers.repository.js';
import { PerformersService } from './performers.service.js';

/**
 * The maintainers' admin API behind the dashboard (docs/admin-api.md): overview, moderation queue and identity
 * links, performers, contributors, audit log. Index versions stay in the indexes module; account changes go
 * through UsersService, withdrawals through ContributionsService, keys through ApiKeysService.
 */
@Module({
  imports: [AuthModule, ContributionsModule, IndexesModule, OutboxModule],
  controllers: [
    OverviewController,
    ModerationController,
    PerformersController,
    ContributorsController,
    AuditLogController,
  ],
  providers: [
    AdminRefsRepository,
    AdminRefsService,
    ModerationRepository,
    ModerationService,
    PerformersRepository,
    PerformersService,
    ContributorsRepository,
    ContributorsService,
    OverviewRepository,
    OverviewService,
  ],
})
export class AdminModule {}
