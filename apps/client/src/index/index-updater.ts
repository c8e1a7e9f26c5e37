// One pull at a time for a long-running process (the sidecar's POST /database/update): concurrent calls share
// the pull in flight. Failures are results, not exceptions: the index in use stays and `detail` says why.
import type { DatabaseUpdateResult } from '@stash-sense/contracts';
import type { ClientConfig } from '../config.js';
import { CloudRequestError, type DownloadProgress, IncompleteDownloadError } from './cloud-client.js';
import { currentIndex } from './index-root.js';
import { IndexVerificationError, PullBusyError, pullIndex } from './pull.service.js';
import { loadTrustedKeys, TrustedKeysError } from './trusted-keys.js';

export type UpdateFailure = 'not_configured' | 'refused' | 'unreachable' | 'busy';

export interface UpdateOutcome {
  result: DatabaseUpdateResult;
  failure?: UpdateFailure;
}

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
