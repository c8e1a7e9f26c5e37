import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type CloudEnv, type SigningJwk } from './config.schema.js';

/** Where S3 index storage keeps versions: `s3://<bucket>/<prefix>/<version>/<file>`. */
export interface IndexS3Config {
  /** Null: AWS S3 itself. */
  endpoint: string | null;
  region: string;
  bucket: string;
  /** Without leading or trailing slashes; '' for the bucket's root. */
  prefix: string;
  forcePathStyle: boolean;
  /** Static credentials, or null for the SDK's default chain. Never logged: `value` is not enumerable. */
  credentials: { readonly value: { accessKeyId: string; secretAccessKey: string } | null };
}

/** A value kept out of JSON.stringify, util.inspect and loggers (a non-enumerable property). */
function hidden<T>(value: T): { readonly value: T } {
  const box = {} as { value: T };
  Object.defineProperty(box, 'value', { value, enumerable: false });
  Object.defineProperty(box, 'toJSON', { value: () => '[redacted]', enumerable: false });
  return box;
}

/** Typed, resolved configuration injected everywhere as `AppConfig`. Built once in main.ts. */
export class AppConfig {
  readonly env: CloudEnv['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly databasePoolMax: number;
  readonly databasePreparedStatements: boolean;
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
  readonly contributions: { maxFacesPerPerformer: number; normTolerance: number };
  readonly stashBox: {
    apiKeys: Readonly<Record<string, string>>;
    timeoutMs: number;
    cacheTtlSec: number;
    notFoundTtlSec: number;
  };
  readonly outboxSweepIntervalMs: number;
  readonly consensusOverrides: Readonly<Record<string, Record<string, number>>>;
  readonly jobLockMs: number;
  readonly indexes: {
    /** Local storage, or the local scratch and parent-cache folder of S3 storage. */
    storageDir: string;
    /** Null: local storage in storageDir. */
    s3: IndexS3Config | null;
    /** Null: generated once under dataDir (IndexSigningService). Never logged. */
    signingKey: SigningJwk | null;
    retiredPublicKeys: readonly { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string }[];
    buildIntervalMs: number;
    maxFacesPerPerformer: number;
    minFaces: number;
    buildThreads: number;
    buildExpansionAdd: number;
    /** Encoding the graph links are chosen with while inserting (INDEX_BUILD_CONSTRUCTION). */
    buildConstruction: 'int8' | 'float16';
    defaultModel: string;
  };

  constructor(env: CloudEnv & { DATABASE_URL: string; REDIS_URL: string }) {
    this.env = env.NODE_ENV;
    this.host = env.HOST;
    this.port = env.PORT;
    this.publicUrl =
      env.PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
    this.databaseUrl = env.DATABASE_URL;
    this.databasePoolMax = env.DATABASE_POOL_MAX;
    this.databasePreparedStatements = env.DATABASE_PREPARED_STATEMENTS;
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
    this.contributions = {
      maxFacesPerPerformer: env.CONTRIBUTION_MAX_FACES_PER_PERFORMER,
      normTolerance: env.CONTRIBUTION_NORM_TOLERANCE,
    };
    this.stashBox = {
      apiKeys: env.STASHBOX_API_KEYS,
      timeoutMs: env.STASHBOX_TIMEOUT_MS,
      cacheTtlSec: env.STASHBOX_CACHE_TTL_SEC,
      notFoundTtlSec: env.STASHBOX_NOT_FOUND_TTL_SEC,
    };
    this.outboxSweepIntervalMs = env.OUTBOX_SWEEP_INTERVAL_MS;
    this.consensusOverrides = env.CONSENSUS_OVERRIDES;
    this.jobLockMs = env.JOB_LOCK_MS;
    this.indexes = {
      storageDir: env.INDEX_STORAGE_DIR ?? join(env.DATA_DIR, 'indexes'),
      s3:
        env.INDEX_STORAGE === 's3'
          ? {
              endpoint: env.INDEX_S3_ENDPOINT ?? null,
              region: env.INDEX_S3_REGION,
              bucket: env.INDEX_S3_BUCKET!,
              prefix: env.INDEX_S3_PREFIX.replace(/^\/+|\/+$/g, ''),
              forcePathStyle: env.INDEX_S3_FORCE_PATH_STYLE,
              credentials: hidden(
                env.INDEX_S3_ACCESS_KEY_ID && env.INDEX_S3_SECRET_ACCESS_KEY
                  ? {
                      accessKeyId: env.INDEX_S3_ACCESS_KEY_ID,
                      secretAccessKey: env.INDEX_S3_SECRET_ACCESS_KEY,
                    }
                  : null,
              ),
            }
          : null,
      signingKey: env.INDEX_SIGNING_KEY ?? null,
      retiredPublicKeys: env.INDEX_RETIRED_PUBLIC_KEYS,
      buildIntervalMs: env.INDEX_BUILD_INTERVAL_MS,
      maxFacesPerPerformer: env.INDEX_MAX_FACES_PER_PERFORMER,
      minFaces: env.INDEX_MIN_FACES,
      buildThreads: env.INDEX_BUILD_THREADS,
      buildExpansionAdd: env.INDEX_BUILD_EXPANSION_ADD,
      buildConstruction: env.INDEX_BUILD_CONSTRUCTION,
      defaultModel: env.INDEX_DEFAULT_MODEL,
    };
  }
}
