import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { consensusConfig } from '../consensus/consensus.config.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const redisUrl = z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgresql:// URL' });

const IndexJwkListSchema = z.array(
  z.object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().min(1),
    kid: z.string().min(1).max(128),
  }),
);

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export interface SigningJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d: string;
  kid: string;
}

/** A private Ed25519 JWK with a kid whose `x` matches its `d`; or what is wrong with it (without the key). */
export function checkSigningJwk(raw: string): SigningJwk | string {
  const parsed = z
    .object({
      kty: z.literal('OKP'),
      crv: z.literal('Ed25519'),
      x: z.string().min(1),
      d: z.string().min(1),
      kid: z.string().min(1).max(128),
    })
    .safeParse(safeJson(raw));
  if (!parsed.success)
    return 'must be a private Ed25519 JWK as JSON: {"kty":"OKP","crv":"Ed25519","x":…,"d":…,"kid":…}';
  try {
    const { kty, crv, x, d } = parsed.data;
    const publicJwk = createPublicKey(createPrivateKey({ key: { kty, crv, x, d }, format: 'jwk' })).export({
      format: 'jwk',
    });
    if (publicJwk.x !== x) return 'its public part "x" does not belong to its private part "d"';
  } catch {
    return 'is not a valid Ed25519 key';
  }
  return parsed.data as SigningJwk;
}

/**
 * Every setting of the cloud service, read from the environment once at start-up. Unknown values
 * fail the start with one message naming the variable.
 */
export const CloudEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Public URL printed and used in links; defaults to http://HOST:PORT. */
    PUBLIC_URL: z.url().optional(),
    /** Unset: an embedded PostgreSQL (PGlite + pgvector) under DATA_DIR is started. */
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /**
     * Named (server-side prepared) statements on the hot paths. Off for a connection pooler in transaction mode
     * (PgBouncer before 1.21), where a session's statements do not follow the client; the embedded PGlite turns
     * it off itself (its connections share one session).
     */
    DATABASE_PREPARED_STATEMENTS: bool.default(true),
    /** Unset: redis://127.0.0.1:6379, and a local redis-server is started if nothing answers there. */
    REDIS_URL: redisUrl.optional(),
    /** Prefix of every Redis key (queues, rate limits), so that several deployments can share a Redis. */
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9:_-]+$/)
      .default('ss'),
    DATA_DIR: z.string().min(1).default('.data/cloud'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** HS256 secret for access tokens; required in production (≥ 32 characters, e.g. `openssl rand -base64 48`). */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** 15 minutes: short enough that a revoked session dies quickly, long enough for a dashboard visit. */
    JWT_ACCESS_TTL_SEC: z.coerce.number().int().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Largest request body. A 60-face contribution of 512-d float32 embeddings is ≈ 170 kB base64. */
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 10mb')
      .default('10mb'),
    TRUST_PROXY: bool.default(false),
    /** Requests per window per client IP, shared by all API instances through Redis. */
    RATE_LIMIT_IP_POINTS: z.coerce.number().int().min(1).default(600),
    /** Requests per window per API key. */
    RATE_LIMIT_KEY_POINTS: z.coerce.number().int().min(1).default(1200),
    /** Login/register attempts per window per IP (password guessing). */
    RATE_LIMIT_AUTH_POINTS: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_WINDOW_SEC: z.coerce.number().int().min(1).default(60),
    /** First start: create this admin when no admin exists yet. */
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(12).optional(),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /** Faces one contribution may carry per performer: 60 is the client's default frame sample (docs/client.md). */
    CONTRIBUTION_MAX_FACES_PER_PERFORMER: z.coerce.number().int().min(1).max(1000).default(60),
    /**
     * Largest allowed |‖v‖ − 1| of a contributed embedding. Clients send L2-normalised vectors; float16
     * rounding moves the norm by < 1e-3 at 512 dimensions, so 0.01 only refuses vectors that were never normalised.
     */
    CONTRIBUTION_NORM_TOLERANCE: z.coerce.number().positive().max(0.5).default(0.01),
    /** Stash-box API keys by endpoint key, as JSON: {"stashdb":"…","tpdb":"…"}. Never logged. */
    STASHBOX_API_KEYS: z
      .string()
      .default('{}')
      .transform((raw, ctx) => {
        try {
          const parsed = z.record(z.string(), z.string().min(1)).parse(JSON.parse(raw));
          return parsed;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of endpoint key → API key' });
          return z.NEVER;
        }
      }),
    STASHBOX_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** A verified scene changes rarely on a stash-box; a day keeps lookups cheap and corrections prompt. */
    STASHBOX_CACHE_TTL_SEC: z.coerce.number().int().min(0).default(86_400),
    /** "No such scene" is cached briefly: the scene may be added to the stash-box soon. */
    STASHBOX_NOT_FOUND_TTL_SEC: z.coerce.number().int().min(0).default(3_600),
    /** How often workers re-enqueue outbox events and due verifications that were not handed to the queue. */
    OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
    /** Overrides of consensus thresholds as JSON, e.g. {"agreement":{"minWeight":4}} (names: CONSENSUS_DEFAULTS, docs/consensus.md). */
    CONSENSUS_OVERRIDES: z
      .string()
      .default('{}')
      .transform((raw, ctx) => {
        let overrides: Record<string, Record<string, number>>;
        try {
          overrides = z.record(z.string(), z.record(z.string(), z.number())).parse(JSON.parse(raw));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON: {"section": {"threshold": number}}' });
          return z.NEVER;
        }
        try {
          consensusConfig(overrides); // names and ranges checked now, not at the first job
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
        return overrides;
      }),
    /** BullMQ job lock: a worker that dies mid-job loses the job to another worker after this long. */
    JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
    /** Where published index versions live: `local` (INDEX_STORAGE_DIR) or `s3` (an S3-compatible bucket). */
    INDEX_STORAGE: z.enum(['local', 's3']).default('local'),
    /**
     * Local index storage (INDEX_STORAGE=local); with `s3`, the local folder for build scratch space and the
     * cache of downloaded parent versions. Default: DATA_DIR/indexes.
     */
    INDEX_STORAGE_DIR: z.string().min(1).optional(),
    /** S3-compatible endpoint (MinIO, Ceph RGW, R2, …); unset: AWS S3 of INDEX_S3_REGION. */
    INDEX_S3_ENDPOINT: z
      .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
      .optional(),
    INDEX_S3_REGION: z.string().min(1).max(64).default('us-east-1'),
    /** Required with INDEX_STORAGE=s3. 3–63 characters (S3 bucket naming; some stores also allow _ and capitals). */
    INDEX_S3_BUCKET: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/,
        'must be a bucket name (3-63 letters, digits, . _ -)',
      )
      .optional(),
    /** Key prefix of every object: `<prefix>/<version>/<file>`; empty puts versions at the bucket's root. */
    INDEX_S3_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._/-]*$/, 'must be letters, digits, . _ - and /')
      .refine(
        (p) => !p.split('/').some((part) => part === '.' || part === '..'),
        'must not contain . or .. parts',
      )
      .default('indexes'),
    /** Static credentials (both or neither; never logged). Unset: the SDK's chain (AWS_* variables, instance role). */
    INDEX_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    INDEX_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Path-style URLs (`endpoint/bucket/key`): most self-hosted stores (MinIO, Ceph, s3rver) need it. */
    INDEX_S3_FORCE_PATH_STYLE: bool.default(false),
    /**
     * Current index signing key: a private Ed25519 JWK with a kid, as JSON ({"kty":"OKP","crv":"Ed25519","x":…,"d":…,"kid":…}).
     * Unset: one is generated once and kept in DATA_DIR/index-signing-key.json (mode 0600). Never logged.
     */
    INDEX_SIGNING_KEY: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        const problem = checkSigningJwk(raw);
        if (typeof problem === 'string') {
          ctx.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
        return problem;
      }),
    /** Retired public keys still served at /v1/indexes/keys (rotation): a JSON array of public Ed25519 JWKs with kids. */
    INDEX_RETIRED_PUBLIC_KEYS: z
      .string()
      .default('[]')
      .transform((raw, ctx) => {
        const parsed = IndexJwkListSchema.safeParse(safeJson(raw));
        if (!parsed.success) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be a JSON array of {"kty":"OKP","crv":"Ed25519","x":…,"kid":…} public keys',
          });
          return z.NEVER;
        }
        return parsed.data;
      }),
    /** How often workers build every active model's index (incremental); 0 turns the schedule off. Daily by default. */
    INDEX_BUILD_INTERVAL_MS: z.coerce.number().int().min(0).default(86_400_000),
    /**
     * Most faces per performer in an index, chosen by farthest-point sampling (diverse poses and lighting).
     * 20: the trainer findings' largest bucket is 11+ faces, and beyond ≈10 diverse faces a performer's nearest
     * face rarely changes; a cap keeps a prolific performer from dominating the index size.
     */
    INDEX_MAX_FACES_PER_PERFORMER: z.coerce.number().int().min(1).max(10_000).default(20),
    /** Performers with fewer selected faces are left out of the index (export only: the faces stay in the database). */
    INDEX_MIN_FACES: z.coerce.number().int().min(1).max(1_000).default(1),
    /** Threads the index build gives usearch (graph insertion). */
    INDEX_BUILD_THREADS: z.coerce.number().int().min(1).max(256).default(2),
    /**
     * HNSW efConstruction of new graphs (first builds and full rebuilds). 128 is the face-index default (RECIPES:
     * recall@10 ≥ 0.99); graph insertion, nearly all of a build's time, scales with it (docs/benchmarks.md#index-build).
     */
    INDEX_BUILD_EXPANSION_ADD: z.coerce.number().int().min(8).max(1024).default(128),
    /**
     * Encoding the graph links are chosen with while inserting (the index stores and searches float16 either way).
     * int8 halves the build at 1M faces (557 s against 992 s, meeting the 10-minute goal) for recall@10 0.983 against
     * 0.984 on the ANN bench's data, ≈ 0.05 less recall@1 on the index-build bench's pessimistic data
     * (docs/benchmarks.md#index-build); float16 is the slower reference.
     */
    INDEX_BUILD_CONSTRUCTION: z.enum(['int8', 'float16']).default('int8'),
    /** The model GET /v1/indexes/latest serves when no ?model= is given: the embedder the client ships. */
    INDEX_DEFAULT_MODEL: z.string().min(1).default('faceplugin-fr-feature'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
    }
    if ((env.ADMIN_EMAIL === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_PASSWORD'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
      });
    }
    if (env.INDEX_STORAGE === 's3' && !env.INDEX_S3_BUCKET) {
      ctx.addIssue({
        code: 'custom',
        path: ['INDEX_S3_BUCKET'],
        message: 'is required with INDEX_STORAGE=s3 (the bucket that holds the index versions)',
      });
    }
    if ((env.INDEX_S3_ACCESS_KEY_ID === undefined) !== (env.INDEX_S3_SECRET_ACCESS_KEY === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['INDEX_S3_SECRET_ACCESS_KEY'],
        message: 'INDEX_S3_ACCESS_KEY_ID and INDEX_S3_SECRET_ACCESS_KEY go together',
      });
    }
  });

export type CloudEnv = z.infer<typeof CloudEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError listing every bad variable. */
export function parseCloudEnv(env: NodeJS.ProcessEnv): CloudEnv {
  const relevant = Object.fromEntries(
    Object.keys(CloudEnvSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = CloudEnvSchema.safeParse(relevant);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}
