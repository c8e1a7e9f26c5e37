import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Ip,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  type AdminContributionList,
  type AdminContributionListQuery,
  AdminContributionListQuerySchema,
  type AdminContributorDetail,
  type AdminContributorList,
  type AdminContributorListQuery,
  AdminContributorListQuerySchema,
  type AdminDaysQuery,
  AdminDaysQuerySchema,
  type AdminReasonRequest,
  AdminReasonRequestSchema,
  type ApiKey,
  type ContributorActionResult,
  type PurgeRequest,
  PurgeRequestSchema,
  type PurgeResult,
} from '@stash-sense/contracts';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { CurrentPrincipal, Roles, Scopes } from '../auth/auth.decorators.js';
import type { Principal } from '../common/request-context.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { ContributorsService } from './contributors.service.js';

const uuid = new ParseUUIDPipe();
const reasonBody = new ZodValidationPipe(AdminReasonRequestSchema);

/** Contributors (accounts): moderators read, suspend and reinstate; admins also ban, purge and revoke keys. */
@Roles('moderator', 'admin')
@Scopes('moderate')
@Controller('v1/admin')
export class ContributorsController {
  constructor(
    private readonly contributors: ContributorsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get('contributors')
  list(
    @Query(new ZodValidationPipe(AdminContributorListQuerySchema)) query: AdminContributorListQuery,
  ): Promise<AdminContributorList> {
    return this.contributors.list(query);
  }

  @Get('contributors/:id')
  get(
    @Param('id', uuid) id: string,
    @Query(new ZodValidationPipe(AdminDaysQuerySchema)) query: AdminDaysQuery,
  ): Promise<AdminContributorDetail> {
    return this.contributors.get(id, query);
  }

  @Get('contributors/:id/contributions')
  contributions(
    @Param('id', uuid) id: string,
    @Query(new ZodValidationPipe(AdminContributionListQuerySchema)) query: AdminContributionListQuery,
  ): Promise<AdminContributionList> {
    return this.contributors.contributionsOf(id, query);
  }

  @Post('contributors/:id/suspend')
  @HttpCode(200)
  suspend(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(reasonBody) body: AdminReasonRequest,
    @Ip() ip: string,
  ): Promise<ContributorActionResult> {
    return this.contributors.setStatus(principal, id, 'suspend', body.reason, ip);
  }

  @Post('contributors/:id/reinstate')
  @HttpCode(200)
  reinstate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(reasonBody) body: AdminReasonRequest,
    @Ip() ip: string,
  ): Promise<ContributorActionResult> {
    return this.contributors.setStatus(principal, id, 'reinstate', body.reason, ip);
  }

  @Post('contributors/:id/ban')
  @HttpCode(200)
  @Roles('admin')
  ban(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(reasonBody) body: AdminReasonRequest,
    @Ip() ip: string,
  ): Promise<ContributorActionResult> {
    return this.contributors.setStatus(principal, id, 'ban', body.reason, ip);
  }

  @Post('contributors/:id/purge')
  @HttpCode(200)
  @Roles('admin')
  purge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(PurgeRequestSchema)) body: PurgeRequest,
    @Ip() ip: string,
  ): Promise<PurgeResult> {
    return this.contributors.purge(principal, id, body.reason, ip);
  }

  @Delete('api-keys/:id')
  @Roles('admin')
  revokeKey(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Ip() ip: string,
  ): Promise<ApiKey> {
    return this.apiKeys.revokeAny(principal, id, ip);
  }
}
