import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import type { Principal } from '../../common/request-context.js';
import { AuthService } from '../auth.service.js';
import { presentedCredential } from '../credentials.js';

/** Account sessions (dashboard, account API): `Authorization: Bearer <access token>`. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(req: Request): Promise<Principal | null> {
    const credential = presentedCredential(req);
    if (credential?.kind !== 'jwt') return null;
    return this.auth.authenticateAccessToken(credential.value);
  }
}
