import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiKeyScope, UserRole } from '@stash-sense/contracts';
import type { AuthedRequest, Principal } from '../common/request-context.js';

export const PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';
export const SCOPES_KEY = 'auth:scopes';
export const SESSION_ONLY_KEY = 'auth:session-only';
export const RATE_LIMIT_KEY = 'auth:rate-limit';

/** No credentials needed. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** The caller's account must have one of these roles. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);
/** An API key must carry every one of these scopes (an account session has all its role allows). */
export const Scopes = (...scopes: ApiKeyScope[]) => SetMetadata(SCOPES_KEY, scopes);
/** Only an account session (JWT), never an API key: e.g. managing keys themselves. */
export const SessionOnly = () => SetMetadata(SESSION_ONLY_KEY, true);
/** Routes that guess passwords get the stricter per-IP limit. */
export const AuthRateLimit = () => SetMetadata(RATE_LIMIT_KEY, 'auth');

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<AuthedRequest>().user,
);
