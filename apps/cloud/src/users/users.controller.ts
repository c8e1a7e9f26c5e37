import { Body, Controller, Get, Ip, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import {
  type UpdateUserRequest,
  UpdateUserRequestSchema,
  type User,
  type UserList,
  type UserListQuery,
  UserListQuerySchema,
} from '@stash-sense/contracts';
import { CurrentPrincipal, Roles, Scopes, SessionOnly } from '../auth/auth.decorators.js';
import type { Principal } from '../common/request-context.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { UsersService } from './users.service.js';

@Controller('v1')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The caller's account; works with a session or an API key with `read`. */
  @Get('me')
  @Scopes('read')
  me(@CurrentPrincipal() principal: Principal): Promise<User> {
    return this.users.get(principal.userId);
  }

  @Get('admin/users')
  @Roles('moderator', 'admin')
  @Scopes('moderate')
  list(@Query(new ZodValidationPipe(UserListQuerySchema)) query: UserListQuery): Promise<UserList> {
    return this.users.list(query);
  }

  /** Suspend, ban, reactivate or change role. Admin sessions only; written to the audit log. */
  @Patch('admin/users/:id')
  @Roles('admin')
  @SessionOnly()
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body(new ZodValidationPipe(UpdateUserRequestSchema)) body: UpdateUserRequest,
    @Ip() ip: string,
  ): Promise<User> {
    return this.users.update(principal, id, body, ip);
  }
}
