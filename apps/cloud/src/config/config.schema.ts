import { z } from 'zod';
import { consensusConfig } from '../consensus/consensus.config.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const redisUrl = z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgresql:// URL' });

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
