import { Controller, Get, Query } from '@nestjs/common';
import { type AdminDaysQuery, AdminDaysQuerySchema, type AdminOverview } from '@stash-sense/contracts';
import { Roles, Scopes } from '../auth/auth.decorators.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { OverviewService } from './overview.service.js';

@Roles('moderator', 'admin')
@Scopes('moderate')
@Controller('v1/admin/overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  get(@Query(new ZodValidationPipe(AdminDaysQuerySchema)) query: AdminDaysQuery): Promise<AdminOverview> {
    return this.overview.overview(query);
  }
}
