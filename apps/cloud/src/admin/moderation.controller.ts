import { Body, Controller, Get, HttpCode, Ip, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  type AdminNoteRequest,
  AdminNoteRequestSchema,
  type IdentityLinkDecision,
  type IdentityLinkList,
  type IdentityLinkListQuery,
  IdentityLinkListQuerySchema,
  type ModerationItemDetail,
  type ModerationList,
  type ModerationListQuery,
  ModerationListQuerySchema,
  type ModerationResolveRequest,
  ModerationResolveRequestSchema,
  type ModerationResolveResult,
} from '@stash-sense/contracts';
import { CurrentPrincipal, Roles, Scopes } from '../auth/auth.decorators.js';
import type { Principal } from '../common/request-context.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { ModerationService } from './moderation.service.js';

const uuid = new ParseUUIDPipe();

/** Moderation queue and identity links: moderators and admins (a session, or an API key with `moderate`). */
@Roles('moderator', 'admin')
@Scopes('moderate')
@Controller('v1/admin')
export class ModerationController {
  constructor(private readonly moderation: ModerationService) {}

  @Get('moderation')
  list(
    @Query(new ZodValidationPipe(ModerationListQuerySchema)) query: ModerationListQuery,
  ): Promise<ModerationList> {
    return this.moderation.list(query);
  }

  @Get('moderation/:id')
  get(@Param('id', uuid) id: string): Promise<ModerationItemDetail> {
    return this.moderation.get(id);
  }

  @Post('moderation/:id/resolve')
  @HttpCode(200)
  resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(ModerationResolveRequestSchema)) body: ModerationResolveRequest,
    @Ip() ip: string,
  ): Promise<ModerationResolveResult> {
    return this.moderation.resolve(principal, id, body, ip);
  }

  @Get('identity-links')
  links(
    @Query(new ZodValidationPipe(IdentityLinkListQuerySchema)) query: IdentityLinkListQuery,
  ): Promise<IdentityLinkList> {
    return this.moderation.links(query);
  }

  @Post('identity-links/:id/accept')
  @HttpCode(200)
  accept(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(AdminNoteRequestSchema)) body: AdminNoteRequest,
    @Ip() ip: string,
  ): Promise<IdentityLinkDecision> {
    return this.moderation.decideLink(principal, id, 'accepted', body.note, ip);
  }

  @Post('identity-links/:id/decline')
  @HttpCode(200)
  decline(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(AdminNoteRequestSchema)) body: AdminNoteRequest,
    @Ip() ip: string,
  ): Promise<IdentityLinkDecision> {
    return this.moderation.decideLink(principal, id, 'declined', body.note, ip);
  }
}
