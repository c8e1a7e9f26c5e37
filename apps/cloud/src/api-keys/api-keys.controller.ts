import { Body, Controller, Delete, Get, Ip, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  type ApiKey,
  type ApiKeyList,
  type CreateApiKeyRequest,
  CreateApiKeyRequestSchema,
  type CreatedApiKey,
} from '@stash-sense/contracts';
import { CurrentPrincipal, SessionOnly } from '../auth/auth.decorators.js';
import type { Principal } from '../common/request-context.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { ApiKeysService } from './api-keys.service.js';

/** The caller's own API keys. Account sessions only: a key cannot mint or revoke keys. */
@SessionOnly()
@Controller('v1/me/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(CreateApiKeyRequestSchema)) body: CreateApiKeyRequest,
    @Ip() ip: string,
  ): Promise<CreatedApiKey> {
    return this.apiKeys.create(principal, body, ip);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyList> {
    return this.apiKeys.list(principal);
  }

  @Delete(':id')
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Ip() ip: string,
  ): Promise<ApiKey> {
    return this.apiKeys.revoke(principal, id, ip);
  }
}
