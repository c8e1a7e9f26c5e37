// One pull at a time for a long-running process (the sidecar's POST /database/update): concurrent calls share
// the pull in flight. Failures are results, not exceptions: the index in use stays and `detail` says why.
import type { DatabaseUpdateResult } from '@stash-sense/contracts';
import type { ClientConfig } from '../config.js';
import {
  CloudRequestError,
  type DownloadProgress,
  IncompleteDownloadError,
  IndexCloudClient,
} from './cloud-client.js';
import { currentIndex } from './index-root.js';
import { IndexVerificationError, PullBusyError, pullIndex, verifyRelease } from './pull.service.js';
import { loadTrustedKeys, TrustedKeysError } from './trusted-keys.js';

export type UpdateFailure = 'not_configured' | 'refused' | 'unreachable' | 'busy';

export interface UpdateOutcome {
  result: DatabaseUpdateResult;
  failure?: UpdateFailure;
}

/** GET /database/check-update: the latest signed release against the index in use (nothing is downloaded). */
export interface UpdateCheck {
  currentVersion: string | null;
  latestVersion: string;
  updateAvailable: boolean;
  publishedAt: string;
  /** What an update would download: the delta when one is offered from the version in use, else every file. */
  downloadBytes: number;
}

export type UpdateCheckOutcome = { check: UpdateCheck } | { failure: UpdateFailure; detail: string };

export interface IndexUpdaterOptions {
  config: Pick<ClientConfig, 'indexDir' | 'cloudUrl' | 'trustedKeysFile' | 'indexKeys'>;
  /** Override of config.cloudUrl (the CLI's --server). */
  server?: string;
  model?: string;
  log?: (line: string) => void;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export class IndexUpdater {
  private running: Promise<UpdateOutcome> | undefined;

  constructor(private readonly options: IndexUpdaterOptions) {}

  update(): Promise<UpdateOutcome> {
    this.running ??= runUpdate(this.options)
      .then((outcome) => {
        const { result } = outcome;
        this.options.log?.(
          result.status === 'error'
            ? `failed, ${result.version ?? 'no index'} stays in use: ${result.detail}`
            : `${result.status}: ${result.version}${result.via ? ` (${result.via}, ${result.downloadedBytes} bytes downloaded)` : ''}`,
        );
        return outcome;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Is a newer signed index published? Verifies the release's signature against the pinned keys; downloads no file. */
  async check(): Promise<UpdateCheckOutcome> {
    const { config } = this.options;
    const server = this.options.server ?? config.cloudUrl;
    if (!server)
      return {
        failure: 'not_configured',
        detail: 'no cloud URL is configured: set STASH_SENSE_CLOUD_URL to check for index updates',
      };
    try {
      const trustedKeys = await loadTrustedKeys(config.trustedKeysFile, config.indexKeys);
      const release = await new IndexCloudClient(server, this.options.signal).latest(this.options.model);
      const { manifest } = await verifyRelease(release, trustedKeys, server);
      const local = await currentIndex(config.indexDir);
      const newer =
        !local ||
        (local.version !== manifest.indexVersion &&
          Date.parse(manifest.createdAt) > Date.parse(local.manifest.createdAt));
      const viaDelta = release.delta && local && release.delta.fromVersion === local.version;
      return {
        check: {
          currentVersion: local?.version ?? null,
          latestVersion: manifest.indexVersion,
          updateAvailable: newer,
          publishedAt: manifest.createdAt,
          downloadBytes: viaDelta
            ? release.delta!.size
            : release.files.reduce((sum, file) => sum + file.size, 0),
        },
      };
    } catch (error) {
      const detail = (error as Error).message;
      if (error instanceof IndexVerificationError || error instanceof TrustedKeysError)
        return { failure: 'refused', detail };
      if (error instanceof CloudRequestError) return { failure: 'unreachable', detail };
      throw error;
    }
  }
}

export async function runUpdate(options: IndexUpdaterOptions): Promise<UpdateOutcome> {
  const started = performance.now();
  const { config } = options;
  const server = options.server ?? config.cloudUrl;
  const failed = async (failure: UpdateFailure, detail: string): Promise<UpdateOutcome> => {
    const local = await currentIndex(config.indexDir);
    return {
      failure,
      result: {
        status: 'error',
        version: local?.version ?? null,
        previousVersion: null,
        via: null,
        downloadedBytes: 0,
        durationMs: Math.round(performance.now() - started),
        detail,
      },
    };
  };
  if (!server)
    return failed(
      'not_configured',
      'no cloud URL is configured: pass --server URL or set STASH_SENSE_CLOUD_URL',
    );
  try {
    const trustedKeys = await loadTrustedKeys(config.trustedKeysFile, config.indexKeys);
    const pulled = await pullIndex({
      root: config.indexDir,
      server,
      trustedKeys,
      ...(options.model ? { model: options.model } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { result: { ...pulled, durationMs: Math.round(performance.now() - started) } };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const message = (error as Error).message;
    if (error instanceof IndexVerificationError || error instanceof TrustedKeysError)
      return failed('refused', message);
    if (error instanceof PullBusyError) return failed('busy', message);
    if (error instanceof CloudRequestError || error instanceof IncompleteDownloadError)
      return failed('unreachable', message);
    throw error;
  }
}
