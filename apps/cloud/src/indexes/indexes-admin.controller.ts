import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query } from '@nestjs/common';
import {
  type AdminIndexListQuery,
  AdminIndexListQuerySchema,
  type AdminIndexVersionList,
  type IndexPublishRequest,
  IndexPublishRequestSchema,
  type IndexBuildList,
  type IndexBuildRequest,
  IndexBuildRequestSchema,
  type IndexVersionSummary,
  type IndexWithdrawRequest,
  IndexWithdrawRequestSchema,
} from '@stash-sense/contracts';
import { CurrentPrincipal, Roles, Scopes } from '../auth/auth.decorators.js';
import type { Principal } from '../common/request-context.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { IndexesService } from './indexes.service.js';

/** Index builds and withdrawal: admins (a session, or an API key with `moderate`); every action audited. */
@Roles('admin')
@Scopes('moderate')
@Controller('v1/admin/indexes')
export class IndexesAdminController {
  constructor(private readonly indexes: IndexesService) {}

  /** Versions with their build report (buckets, diff): moderators may look, only admins act. */
  @Get()
  @Roles('moderator', 'admin')
  versions(
    @Query(new ZodValidationPipe(AdminIndexListQuerySchema)) query: AdminIndexListQuery,
  ): Promise<AdminIndexVersionList> {
    return this.indexes.adminVersions(query);
  }

  /** Queues a build per model (202); the worker runs it. */
  @Post('builds')
  @HttpCode(202)
  queue(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(IndexBuildRequestSchema)) body: IndexBuildRequest,
    @Ip() ip: string,
  ): Promise<IndexBuildList> {
    return this.indexes.queueBuilds(principal, body, ip);
  }

  @Get('builds')
  builds(): Promise<IndexBuildList> {
    return this.indexes.builds();
  }

  /** Withdraws a version: latest falls back to the previous published one. */
  @Post(':version/withdraw')
  @HttpCode(200)
  withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param('version') version: string,
    @Body(new ZodValidationPipe(IndexWithdrawRequestSchema)) body: IndexWithdrawRequest,
    @Ip() ip: string,
  ): Promise<IndexVersionSummary> {
    return this.indexes.withdraw(principal, version, body.reason, ip);
  }

  /** Publishes a withdrawn version again (undoes a withdrawal); 409 when a newer version of the model exists. */
  @Post(':version/publish')
  @HttpCode(200)
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('version') version: string,
    @Body(new ZodValidationPipe(IndexPublishRequestSchema)) body: IndexPublishRequest,
    @Ip() ip: string,
  ): Promise<IndexVersionSummary> {
    return this.indexes.republish(principal, version, body.reason, ip);
  }
}
