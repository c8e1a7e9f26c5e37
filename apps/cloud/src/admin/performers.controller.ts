import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  type AdminPerformerDetail,
  type AdminPerformerList,
  type AdminPerformerListQuery,
  AdminPerformerListQuerySchema,
  type AdminPerformerQuery,
  AdminPerformerQuerySchema,
} from '@stash-sense/contracts';
import { Roles, Scopes } from '../auth/auth.decorators.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { PerformersService } from './performers.service.js';

@Roles('moderator', 'admin')
@Scopes('moderate')
@Controller('v1/admin/performers')
export class PerformersController {
  constructor(private readonly performers: PerformersService) {}

  @Get()
  list(
    @Query(new ZodValidationPipe(AdminPerformerListQuerySchema)) query: AdminPerformerListQuery,
  ): Promise<AdminPerformerList> {
    return this.performers.list(query);
  }

  @Get(':id')
  get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query(new ZodValidationPipe(AdminPerformerQuerySchema)) query: AdminPerformerQuery,
  ): Promise<AdminPerformerDetail> {
    return this.performers.get(id, query);
  }
}
