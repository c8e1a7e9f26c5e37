import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope, UserRole } from '@stash-sense/contracts';
import { forbidden } from '../../common/domain-errors.js';
import type { AuthedRequest } from '../../common/request-context.js';
import { PUBLIC_KEY, ROLES_KEY, SCOPES_KEY, SESSION_ONLY_KEY } from '../auth.decorators.js';

/** Global, after authentication: enforces @Roles, @Scopes and @SessionOnly. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const principal = context.switchToHttp().getRequest<AuthedRequest>().user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw forbidden(`this needs the role ${roles.join(' or ')}; your account is ${principal.role}`);
    }
    if (this.reflector.getAllAndOverride<boolean>(SESSION_ONLY_KEY, targets) && principal.via !== 'jwt') {
      throw forbidden('this needs an account session (log in), not an API key');
    }
    const scopes = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(SCOPES_KEY, targets);
    const missing = (scopes ?? []).filter((s) => !principal.scopes.includes(s));
    if (missing.length) throw forbidden(`this needs an API key with scope ${missing.join(', ')}`);
    return true;
  }
}
