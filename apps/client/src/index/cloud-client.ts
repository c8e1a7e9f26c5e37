// HTTP client of the cloud's published indexes (GET /v1/indexes…): JSON answers validated with the shared
// contracts, and resumable downloads (a partial file is kept as <name>.part and continued with a Range request).
import { open, rename, rm, stat } from 'node:fs/promises';
import {
  type IndexJwks,
  IndexJwksSchema,
  type IndexRelease,
  IndexReleaseSchema,
  type IndexVersionList,
  IndexVersionListSchema,
} from '@stash-sense/contracts';
import type { z } from 'zod';
import { CLIENT_LIMITS } from '../config.js';

/** The cloud could not be reached, answered an error, or sent something that is not what the contract says. */
export class CloudRequestError extends Error {
  override name = 'CloudRequestError';
}

/** A download ended before the manifest's size (or went past it); the partial file is kept for the next try. */
export class IncompleteDownloadError extends Error {
  override name = 'IncompleteDownloadError';
}

export interface DownloadProgress {
  name: string;
  done: number;
  total: number;
}

export interface DownloadResult {
  /** Bytes already on disk from an earlier try (continued with Range). */
  resumedFrom: number;
  /** Bytes received now. */
  received: number;
}

export class IndexCloudClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly signal?: AbortSignal,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  latest(model?: string): Promise<IndexRelease> {
    const query = model ? `?model=${encodeURIComponent(model)}` : '';
    return this.getJson(`/v1/indexes/latest${query}`, IndexReleaseSchema);
  }

  versions(model?: string): Promise<IndexVersionList> {
    const query = model ? `?model=${encodeURIComponent(model)}` : '';
    return this.getJson(`/v1/indexes${query}`, IndexVersionListSchema);
  }

  keys(): Promise<IndexJwks> {
    return this.getJson('/v1/indexes/keys', IndexJwksSchema);
  }

  private async getJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const url = this.url(path);
    const response = await this.fetch(url, {});
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        detail = (JSON.parse(text) as { message?: string }).message ?? detail;
      } catch {
        // not JSON
      }
      throw new CloudRequestError(`${url} answered ${response.status}: ${detail}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new CloudRequestError(`${url} did not answer JSON; is ${this.baseUrl} a Stash Sense cloud?`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw new CloudRequestError(
        `${url} answered something this client does not understand (${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}); upgrade Stash Sense`,
      );
    return parsed.data;
  }

  /**
   * Downloads `path` to `dest`, through `dest.part`: an existing part is continued with `Range: bytes=N-` (a 206
   * answer is appended, a 200 starts over). Refuses more bytes than `size`; a shorter body leaves the part for
   * the next try and throws IncompleteDownloadError. The content is checked by the caller (sha256 of the manifest).
   */
  async download(
    path: string,
    dest: string,
    size: number,
    onProgress?: (p: DownloadProgress) => void,
    name = path,
  ): Promise<DownloadResult> {
    const part = `${dest}.part`;
    let have = await stat(part).then(
      (s) => s.size,
      () => 0,
    );
    if (have > size) {
      await rm(part, { force: true });
      have = 0;
    }
    if (have === size) {
      await rename(part, dest);
      onProgress?.({ name, done: size, total: size });
      return { resumedFrom: have, received: 0 };
    }
    const url = this.url(path);
    const idle = new AbortController();
    const signals = this.signal ? [idle.signal, this.signal] : [idle.signal];
    let timer = setTimeout(() => idle.abort(), CLIENT_LIMITS.downloadIdleTimeoutMs);
    const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
    let response = await this.fetch(url, { headers, signal: AbortSignal.any(signals) });
    if (response.status === 416) {
      await response.body?.cancel();
      await rm(part, { force: true });
      have = 0;
      response = await this.fetch(url, { signal: AbortSignal.any(signals) });
    }
    if (response.status !== 200 && response.status !== 206) {
      clearTimeout(timer);
      await response.body?.cancel();
      throw new CloudRequestError(`${url} answered ${response.status}`);
    }
    let offset = 0;
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        clearTimeout(timer);
        await response.body?.cancel();
        throw new CloudRequestError(`${url} answered a range other than the one asked for`);
      }
      offset = have;
    }
    const resumedFrom = offset;
    const handle = await open(part, offset > 0 ? 'a' : 'w');
    let done = offset;
    try {
      onProgress?.({ name, done, total: size });
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          clearTimeout(timer);
          timer = setTimeout(() => idle.abort(), CLIENT_LIMITS.downloadIdleTimeoutMs);
          if (done + chunk.length > size) {
            throw new CloudRequestError(
              `${url} sent more than the ${size} bytes the signed manifest lists; refusing it`,
            );
          }
          await handle.write(chunk);
          done += chunk.length;
          onProgress?.({ name, done, total: size });
        }
      }
      await handle.sync();
    } catch (error) {
      if (error instanceof CloudRequestError) {
        await handle.close();
        await rm(part, { force: true });
        throw error;
      }
      if (this.signal?.aborted) throw error;
      throw new IncompleteDownloadError(
        `the download of ${name} broke off at ${done} of ${size} bytes (${(error as Error).message}); run the pull again to continue it`,
      );
    } finally {
      clearTimeout(timer);
      await handle.close().catch(() => undefined);
    }
    if (done < size)
      throw new IncompleteDownloadError(
        `the download of ${name} is truncated (${done} of ${size} bytes); run the pull again to continue it`,
      );
    await rename(part, dest);
    return { resumedFrom, received: done - resumedFrom };
  }

  private url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        ...(init.signal ? {} : this.signal ? { signal: this.signal } : {}),
        redirect: 'follow',
      });
    } catch (error) {
      if (this.signal?.aborted) throw error;
      throw new CloudRequestError(
        `cannot reach ${url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}; check --server / STASH_SENSE_CLOUD_URL and the network`,
      );
    }
  }
}
