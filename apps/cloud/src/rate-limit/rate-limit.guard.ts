import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMIT_KEY } from '../auth/auth.decorators.js';
import { presentedCredential } from '../auth/credentials.js';
import { sha256Hex } from '../auth/secrets.js';
import { RateLimitedError } from '../common/domain-errors.js';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';

/**
 * Global rate limits, counted in Redis so that every API instance shares them: per client IP, per
 * presented API key, and a stricter per-IP budget on password routes. While Redis is down each
 * instance falls back to its own in-memory counters rather than failing open or closed.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly perIp: RateLimiterRedis;
  private readonly perKey: RateLimiterRedis;
  private readonly perIpAuth: RateLimiterRedis;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
    redis: RedisService,
  ) {
    const { ipPoints, keyPoints, authPoints, windowSec } = config.rateLimit;
    const make = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis.client,
        keyPrefix: redis.key('rl', name),
        points,
        duration: windowSec,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowSec }),
      });
    this.perIp = make('ip', ipPoints);
    this.perKey = make('key', keyPoints);
    this.perIpAuth = make('auth', authPoints);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const ip = req.ip ?? 'unknown';
    const checks: Promise<unknown>[] = [this.perIp.consume(ip)];
    const credential = presentedCredential(req);
    if (credential?.kind === 'api-key') checks.push(this.perKey.consume(sha256Hex(credential.value)));
    const kind = this.reflector.getAllAndOverride<string | undefined>(RATE_LIMIT_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (kind === 'auth') checks.push(this.perIpAuth.consume(ip));
    const results = await Promise.allSettled(checks);
    let retryAfterMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (result.reason instanceof RateLimiterRes)
        retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext);
      else this.logger.warn(`rate limiter error: ${String(result.reason)}`);
    }
    if (retryAfterMs > 0) throw new RateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    return true;
  }
}
