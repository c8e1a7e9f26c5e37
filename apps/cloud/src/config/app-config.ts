import { randomBytes } from 'node:crypto';
import { type CloudEnv } from './config.schema.js';

/** Typed, resolved configuration injected everywhere as `AppConfig`. Built once in main.ts. */
export class AppConfig {
  readonly env: CloudEnv['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly databasePoolMax: number;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly dataDir: string;
  readonly logLevel: CloudEnv['LOG_LEVEL'];
  readonly jwtSecret: Uint8Array;
  /** False when no JWT_SECRET was given: a random one is used and sessions end with the process. */
  readonly jwtSecretConfigured: boolean;
  readonly jwtAccessTtlSec: number;
  readonly refreshTokenTtlDays: number;
  readonly bodyLimit: string;
  readonly trustProxy: boolean;
  readonly rateLimit: { ipPoints: number; keyPoints: number; authPoints: number; windowSec: number };
  readonly bootstrapAdmin: { email: string; password: string } | null;
  readonly shutdownTimeoutMs: number;

  constructor(env: CloudEnv & { DATABASE_URL: string; REDIS_URL: string }) {
    this.env = env.NODE_ENV;
    this.host = env.HOST;
    this.port = env.PORT;
    this.publicUrl =
      env.PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
    this.databaseUrl = env.DATABASE_URL;
    this.databasePoolMax = env.DATABASE_POOL_MAX;
    this.redisUrl = env.REDIS_URL;
    this.redisPrefix = env.REDIS_PREFIX;
    this.dataDir = env.DATA_DIR;
    this.logLevel = env.LOG_LEVEL;
    this.jwtSecretConfigured = env.JWT_SECRET !== undefined;
    this.jwtSecret = new TextEncoder().encode(env.JWT_SECRET ?? randomBytes(48).toString('base64'));
    this.jwtAccessTtlSec = env.JWT_ACCESS_TTL_SEC;
    this.refreshTokenTtlDays = env.REFRESH_TOKEN_TTL_DAYS;
    this.bodyLimit = env.BODY_LIMIT;
    this.trustProxy = env.TRUST_PROXY;
    this.rateLimit = {
      ipPoints: env.RATE_LIMIT_IP_POINTS,
      keyPoints: env.RATE_LIMIT_KEY_POINTS,
      authPoints: env.RATE_LIMIT_AUTH_POINTS,
      windowSec: env.RATE_LIMIT_WINDOW_SEC,
    };
    this.bootstrapAdmin =
      env.ADMIN_EMAIL && env.ADMIN_PASSWORD
        ? { email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD }
        : null;
    this.shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS;
  }
}
