import { Injectable } from '@nestjs/common';
import type { UserRole } from '@stash-sense/contracts';
import { jwtVerify, SignJWT } from 'jose';
import { unauthorized } from '../common/domain-errors.js';
import { AppConfig } from '../config/app-config.js';

const ISSUER = 'stash-sense-cloud';
const AUDIENCE = 'stash-sense-api';

export interface AccessClaims {
  userId: string;
  role: UserRole;
}

/** Short-lived HS256 access tokens (jose). */
@Injectable()
export class TokenService {
  constructor(private readonly config: AppConfig) {}

  get accessTtlSec(): number {
    return this.config.jwtAccessTtlSec;
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.config.jwtAccessTtlSec}s`)
      .sign(this.config.jwtSecret);
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.config.jwtSecret, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (payload.typ !== 'access' || typeof payload.sub !== 'string') throw new Error('not an access token');
      return { userId: payload.sub, role: payload.role as UserRole };
    } catch (err) {
      const reason = (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'not valid';
      throw unauthorized(`access token ${reason}: log in again or use /v1/auth/refresh`);
    }
  }
}
