import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { StashBoxModule } from '../stash-box/stash-box.module.js';
import { ContributionsController } from './contributions.controller.js';
import { ContributionsRepository } from './contributions.repository.js';
import { ContributionsService } from './contributions.service.js';
import { VerifyContributionHandler } from './verify-contribution.handler.js';

@Module({
  imports: [StashBoxModule, OutboxModule],
  controllers: [ContributionsController],
  providers: [ContributionsService, ContributionsRepository, VerifyContributionHandler],
  exports: [ContributionsRepository, ContributionsService, VerifyContributionHandler],
})
export class ContributionsModule {}
