import type { ApiKeyScope, UserRole } from '@stash-sense/contracts';
import type { Request } from 'express';

/** Who is calling, attached to the request by the passport strategies. */
export interface Principal {
  userId: string;
  email: string;
  role: UserRole;
  /** 'jwt' for an account session; 'api-key' for a program. */
  via: 'jwt' | 'api-key';
  /** Scopes of the API key; a JWT session carries every scope its role allows. */
  scopes: readonly ApiKeyScope[];
  apiKeyId?: string;
}

export type AuthedRequest = Request & { user: Principal };
