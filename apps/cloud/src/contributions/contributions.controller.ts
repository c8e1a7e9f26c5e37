import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  type ContributionList,
  type ContributionListQuery,
  ContributionListQuerySchema,
  type ContributionReceipt,
  type ContributionRequest,
  ContributionRequestSchema,
  type FeedbackReceipt,
  type FeedbackRequest,
  FeedbackRequestSchema,
  type Withdrawal,
} from '@stash-sense/contracts';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators.js';
import type { Principal } from '../common/request-context.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { ContributionsService } from './contributions.service.js';

@Scopes('contribute')
@Controller('v1')
export class ContributionsController {
  constructor(private readonly contributions: ContributionsService) {}

  /** Accepted (202) once committed; consensus runs later. The same idempotency key replays the answer. */
  @Post('contributions')
  @HttpCode(202)
  submit(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(ContributionRequestSchema)) body: ContributionRequest,
  ): Promise<ContributionReceipt> {
    return this.contributions.submit(principal, body);
  }

  @Get('me/contributions')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(ContributionListQuerySchema)) query: ContributionListQuery,
  ): Promise<ContributionList> {
    return this.contributions.list(principal, query);
  }

  @Delete('contributions/:id')
  withdrawOne(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
  ): Promise<Withdrawal> {
    return this.contributions.withdrawOne(principal, id);
  }

  @Delete('me/contributions')
  withdrawAll(@CurrentPrincipal() principal: Principal): Promise<Withdrawal> {
    return this.contributions.withdrawAll(principal);
  }

  @Post('feedback')
  @HttpCode(201)
  feedback(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(FeedbackRequestSchema)) body: FeedbackRequest,
  ): Promise<FeedbackReceipt> {
    return this.contributions.feedback(principal, body);
  }
}
