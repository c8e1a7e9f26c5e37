// Client configuration: environment variables, overridden by command-line flags, validated with zod.
// Every number the CLI, the services and the sidecar rely on is here, with where it comes from.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Limits and defaults of the client's own layer (the pipeline and identify keep theirs beside their code). */
export const CLIENT_LIMITS = {
  /** Sidecar port: the existing stash-sense plugin talks to 6960 (its FastAPI sidecar's port). */
  defaultPort: 6960,
  /** Loopback only by default: the sidecar has no authentication; exposing it is an explicit choice. */
  defaultHost: '127.0.0.1',
  /**
   * onnxruntime intra-op threads. RECIPES.md: the dev/CI machines have 2 cores and every session must set the
   * number explicitly; 2 is the measured default.
   */
  defaultThreads: 2,
  /** Upload cap for `POST /identify`: a 24-megapixel JPEG is ≈10–15 MB; 25 MB leaves room for PNGs of stills. */
  defaultMaxUploadBytes: 25 * 1024 * 1024,
  /** JSON bodies only carry a path/URL and a few options: 64 KiB is generous and stops abuse early. */
  maxJsonBodyBytes: 64 * 1024,
  /** Remote images (`image_url`): fetch timeout, chosen to cover a slow LAN Stash serving a large image. */
  remoteImageTimeoutMs: 20_000,
  /**
   * Upper bound on frames per video request (the frame count's default and frame size are the pipeline's:
   * PIPELINE_DEFAULTS.video), so one request cannot hold the CPU for minutes; the old sidecar allowed 120.
   */
  maxSceneFrames: 300,
  /** Candidates returned per face/person (old sidecar: top_k default 5, maximum 20). */
  defaultTopK: 5,
  maxTopK: 20,
  /**
   * Requests the sidecar queues while one analysis runs; more get 503 + Retry-After. Analyses are CPU-bound on
   * 2 cores, so running them concurrently only makes every request slower.
   */
  maxQueuedAnalyses: 8,
  /** Graceful shutdown: how long in-flight requests may finish after SIGTERM/SIGINT before the process exits. */
  shutdownGraceMs: 10_000,
  /**
   * `index build-local`: a photo with several faces is enrolled with its largest face only when that face's
   * area is at least this many times the next one's (a portrait with a small background face); otherwise the
   * photo is skipped because it is ambiguous whom the folder label means.
   */
  enrolDominantFaceAreaRatio: 2.5,
  /**
   * `index pull`: a request that sends nothing for this long is abandoned (the partial file is kept and the next
   * pull resumes it). Generous for a slow line; a stalled connection otherwise hangs forever.
   */
  downloadIdleTimeoutMs: 60_000,
  /** Versions kept under <index>/versions: the current one and the previous one (for `index rollback`). */
  keptIndexVersions: 2,
} as const;

export const DeviceSchema = z.enum(['cpu', 'cuda']);
export type Device = z.infer<typeof DeviceSchema>;

const positiveInt = (name: string, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`);

export const ClientConfigSchema = z.object({
  /** Folder with the ONNX models; unset → the pipeline's own default location. */
  modelsDir: z.string().min(1).optional(),
  device: DeviceSchema.default('cpu'),
  threads: positiveInt('threads', 256).default(CLIENT_LIMITS.defaultThreads),
  indexDir: z.string().min(1),
  host: z.string().min(1).default(CLIENT_LIMITS.defaultHost),
  port: z.coerce
    .number({ error: 'port must be a number' })
    .int('port must be a whole number')
    .min(0, 'port must be 0 (any free port) to 65535')
    .max(65535, 'port must be 0 (any free port) to 65535')
    .default(CLIENT_LIMITS.defaultPort),
  maxUploadBytes: positiveInt('max upload size', 1024 * 1024 * 1024).default(
    CLIENT_LIMITS.defaultMaxUploadBytes,
  ),
  /** The Stash Sense cloud that publishes signed indexes (`index pull`, `index trust`, POST /database/update). */
  cloudUrl: z
    .url({ protocol: /^https?$/, error: 'the cloud URL must be an http:// or https:// URL' })
    .optional(),
  /** Pinned public keys of the index signers (JSON `{ keys: [JWK…] }`), written by `index trust`. */
  trustedKeysFile: z.string().min(1),
  /** Public keys given in the configuration itself (JSON `{ keys: [JWK…] }`); added to the pinned ones. */
  indexKeys: z.string().min(1).optional(),
  /** Stash's address (`http://stash:9999`): the sidecar reads scenes and adds performers through its GraphQL API. */
  stashUrl: z
    .url({ protocol: /^https?$/, error: 'the Stash URL must be an http:// or https:// URL' })
    .optional(),
  /** Stash API key (Settings → Security), sent as the `ApiKey` header; unset when Stash has no login. */
  stashApiKey: z.string().min(1).optional(),
  /**
   * Shared token of the sidecar: when set, every request must carry it (`Authorization: Bearer`, HTTP Basic
   * password — what a `http://user:TOKEN@host:6960` URL in the old plugin's setting sends — or
   * `X-Stash-Sense-Token`). Environment only, never a flag (a flag shows in `ps`).
   */
  sidecarToken: z
    .string()
    .min(16, 'the sidecar token must be at least 16 characters (e.g. `openssl rand -hex 24`)')
    .max(256, 'the sidecar token must be at most 256 characters')
    .regex(
      /^[A-Za-z0-9._~-]+$/,
      'the sidecar token may only hold letters, digits and . _ ~ - (it goes in a URL)',
    )
    .optional(),
});
export type ClientConfig = z.infer<typeof ClientConfigSchema>;

/** Flags a command may pass; each overrides its environment variable. */
export interface ConfigFlags {
  modelsDir?: string;
  device?: string;
  threads?: string | number;
  indexDir?: string;
  host?: string;
  port?: string | number;
  maxUploadMb?: string | number;
  cloudUrl?: string;
  trustedKeysFile?: string;
  stashUrl?: string;
  stashApiKey?: string;
}

/** Environment variables read, in the order they appear in the docs. */
export const CONFIG_ENV = {
  modelsDir: 'STASH_SENSE_MODELS_DIR',
  device: 'STASH_SENSE_DEVICE',
  threads: 'STASH_SENSE_THREADS',
  indexDir: 'STASH_SENSE_INDEX_DIR',
  host: 'STASH_SENSE_HOST',
  port: 'STASH_SENSE_PORT',
  maxUploadMb: 'STASH_SENSE_MAX_UPLOAD_MB',
  cloudUrl: 'STASH_SENSE_CLOUD_URL',
  trustedKeysFile: 'STASH_SENSE_TRUSTED_KEYS',
  indexKeys: 'STASH_SENSE_INDEX_KEYS',
  stashUrl: 'STASH_SENSE_STASH_URL',
  stashApiKey: 'STASH_SENSE_STASH_API_KEY',
  sidecarToken: 'STASH_SENSE_SIDECAR_TOKEN',
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `$XDG_DATA_HOME/stash-sense/index`, or `~/.local/share/stash-sense/index` when XDG_DATA_HOME is unset. */
export function defaultIndexDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const dataHome = env.XDG_DATA_HOME?.trim() || join(home, '.local', 'share');
  return join(dataHome, 'stash-sense', 'index');
}

/** `$XDG_DATA_HOME/stash-sense/trusted-keys.json`: the index signing keys pinned by `index trust`. */
export function defaultTrustedKeysFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const dataHome = env.XDG_DATA_HOME?.trim() || join(home, '.local', 'share');
  return join(dataHome, 'stash-sense', 'trusted-keys.json');
}

function pick(flag: string | number | undefined, envValue: string | undefined): string | number | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const trimmed = envValue?.trim();
  return trimmed ? trimmed : undefined;
}

function megabytesToBytes(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mb = Number(value);
  if (!Number.isFinite(mb) || mb <= 0) {
    throw new ConfigError(`max upload size must be a positive number of megabytes, got "${value}"`);
  }
  return Math.round(mb * 1024 * 1024);
}

/**
 * Builds the client config: flags win over environment variables, which win over defaults.
 * Throws ConfigError naming the bad setting and where it came from.
 */
export function loadClientConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): ClientConfig {
  const raw = {
    modelsDir: pick(flags.modelsDir, env[CONFIG_ENV.modelsDir]),
    device: pick(flags.device, env[CONFIG_ENV.device]),
    threads: pick(flags.threads, env[CONFIG_ENV.threads]),
    indexDir: pick(flags.indexDir, env[CONFIG_ENV.indexDir]) ?? defaultIndexDir(env),
    host: pick(flags.host, env[CONFIG_ENV.host]),
    port: pick(flags.port, env[CONFIG_ENV.port]),
    maxUploadBytes: megabytesToBytes(pick(flags.maxUploadMb, env[CONFIG_ENV.maxUploadMb])),
    cloudUrl: pick(flags.cloudUrl, env[CONFIG_ENV.cloudUrl]),
    trustedKeysFile:
      pick(flags.trustedKeysFile, env[CONFIG_ENV.trustedKeysFile]) ?? defaultTrustedKeysFile(env),
    indexKeys: pick(undefined, env[CONFIG_ENV.indexKeys]),
    stashUrl: pick(flags.stashUrl, env[CONFIG_ENV.stashUrl]),
    stashApiKey: pick(flags.stashApiKey, env[CONFIG_ENV.stashApiKey]),
    sidecarToken: pick(undefined, env[CONFIG_ENV.sidecarToken]),
  };
  const parsed = ClientConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const envName = key in CONFIG_ENV ? CONFIG_ENV[key as keyof typeof CONFIG_ENV] : undefined;
      const source = envName ? ` (flag or ${envName})` : '';
      if (key === 'device') return `device must be "cpu" or "cuda"${source}, got "${String(raw.device)}"`;
      return `${issue.message}${source}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  return {
    ...config,
    indexDir: resolve(config.indexDir),
    trustedKeysFile: resolve(String(config.trustedKeysFile)),
    ...(config.cloudUrl ? { cloudUrl: config.cloudUrl.replace(/\/+$/, '') } : {}),
    ...(config.stashUrl ? { stashUrl: stashBaseUrl(config.stashUrl) } : {}),
    ...(config.modelsDir ? { modelsDir: resolve(config.modelsDir) } : {}),
  };
}

/** Stash's base URL without a trailing `/` or `/graphql` (users paste either). */
export function stashBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/graphql$/, '');
}
