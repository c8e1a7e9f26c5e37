import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { z } from 'zod';
import type { IndexS3Config } from '../../config/app-config.js';
import { checkFileName, checkVersion, IndexStorage } from './index-storage.js';

/** The object written last: a version without it is being uploaded (or its upload died) and is never served. */
export const PUBLISHED_MARKER = '.published';

const MarkerSchema = z.object({
  version: z.string(),
  publishedAt: z.string(),
  /** The index files (what localDir downloads), with their sizes. */
  files: z.array(z.object({ name: z.string(), size: z.number().int().min(0) })),
  /** Files published beside them (the delta). */
  extra: z.array(z.object({ name: z.string(), size: z.number().int().min(0) })),
});
type Marker = z.infer<typeof MarkerSchema>;

export interface S3IndexStorageOptions extends IndexS3Config {
  /**
   * Local folder for build scratch space (`.work/`), downloaded parent versions (`.cache/`) and kept construction
   * graphs (`.construction-cache/`).
   */
  localRoot: string;
  /**
   * Multipart part size. 16 MiB: S3 allows at most 10,000 parts (160 GiB per file at this size), and a file
   * uploads with at most 2 parts in memory at once (lib-storage buffers queueSize × partSize). Minimum 5 MiB.
   */
  partSizeBytes?: number;
  /** Files uploaded at the same time. */
  uploadConcurrency?: number;
  /** Downloaded versions kept in the cache (an incremental build needs only the model's latest). */
  cachedVersions?: number;
}

const MiB = 1024 * 1024;

function notFound(error: unknown): boolean {
  if (error instanceof S3ServiceException)
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
  return false;
}

/**
 * Index versions in an S3-compatible bucket: `<prefix>/<version>/<file>`, then `<prefix>/<version>/.published`
 * (the marker, listing every file and its size) once all files are uploaded. size() and read() answer only for
 * versions with a marker, and only for the files it lists. Builds still run on local files: workDir() is a local
 * scratch folder, and localDir() downloads a version into a local cache (sizes checked against the marker,
 * then an atomic rename), so an incremental build can start from it.
 */
export class S3IndexStorage extends IndexStorage implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(S3IndexStorage.name);
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly localRoot: string;
  private readonly partSize: number;
  private readonly uploadConcurrency: number;
  private readonly cachedVersions: number;
  /** Markers seen (a published version never changes); bounded. */
  private readonly markers = new Map<string, Marker>();

  constructor(private readonly options: S3IndexStorageOptions) {
    super();
    this.bucket = options.bucket;
    this.prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.localRoot = resolve(options.localRoot);
    this.partSize = Math.max(5 * MiB, options.partSizeBytes ?? 16 * MiB);
    this.uploadConcurrency = Math.max(1, options.uploadConcurrency ?? 2);
    this.cachedVersions = Math.max(1, options.cachedVersions ?? 3);
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials.value ? { credentials: options.credentials.value } : {}),
      // Checksums only where S3 requires them: several S3-compatible stores refuse the SDK's newer default
      // (aws-chunked uploads with trailing CRC32). Integrity is end to end anyway: the signed manifest's sha256.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
    });
  }

  /** `s3://bucket/prefix`, for messages (never credentials). */
  get location(): string {
    const where = this.options.endpoint ? ` at ${this.options.endpoint}` : '';
    return `s3://${this.bucket}/${this.prefix}${where}`;
  }

  key(version: string, name: string): string {
    const path = `${checkVersion(version)}/${name}`;
    return this.prefix ? `${this.prefix}/${path}` : path;
  }

  /** Says at start-up (without failing it) when the bucket cannot be reached with the configured settings. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      this.logger.warn(
        `index storage ${this.location} is not reachable (${describe(error)}): check INDEX_S3_* settings; ` +
          'builds and downloads fail until it is',
      );
    }
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }

  async publish(
    version: string,
    dir: string,
    extra: readonly { name: string; path: string }[] = [],
  ): Promise<void> {
    checkVersion(version);
    const entries = await readdir(dir, { withFileTypes: true });
    const files: { name: string; path: string; index: boolean }[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) throw new Error(`index folder ${dir} holds ${entry.name}, which is not a file`);
      files.push({ name: checkFileName(entry.name), path: join(dir, entry.name), index: true });
    }
    for (const file of extra) {
      if (files.some((f) => f.name === file.name))
        throw new Error(`extra file ${file.name} has the name of an index file`);
      files.push({ name: checkFileName(file.name), path: file.path, index: false });
    }
    if (await this.marker(version))
      throw new Error(`index version ${version} is published already in ${this.location}`);

    const sizes = new Map<string, number>();
    const queue = [...files];
    const uploadNext = async (): Promise<void> => {
      for (let file = queue.shift(); file; file = queue.shift())
        sizes.set(file.name, await this.upload(version, file));
    };
    await Promise.all(Array.from({ length: Math.min(this.uploadConcurrency, files.length) }, uploadNext));

    const marker: Marker = {
      version,
      publishedAt: new Date().toISOString(),
      files: files.filter((f) => f.index).map((f) => ({ name: f.name, size: sizes.get(f.name)! })),
      extra: files.filter((f) => !f.index).map((f) => ({ name: f.name, size: sizes.get(f.name)! })),
    };
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(version, PUBLISHED_MARKER),
        Body: JSON.stringify(marker),
        ContentType: 'application/json',
      }),
    );
    this.remember(version, marker);
    // The next incremental build starts from this version: keep the folder as its cached copy.
    await this.adoptIntoCache(version, dir).catch(() => undefined);
  }

  /** One file (multipart above the part size); returns its size once the store reports the same size. */
  private async upload(version: string, file: { name: string; path: string }): Promise<number> {
    const size = (await stat(file.path)).size;
    const key = this.key(version, file.name);
    await new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(file.path),
        ContentLength: size,
        ContentType: file.name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      },
      partSize: this.partSize,
      queueSize: 2,
    }).done();
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    if (head.ContentLength !== size)
      throw new Error(`uploaded ${key} has ${head.ContentLength} bytes in the store, ${size} on disk`);
    return size;
  }

  /** The version's marker, or null while it is not (completely) published. */
  private async marker(version: string): Promise<Marker | null> {
    const known = this.markers.get(version);
    if (known) return known;
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(version, PUBLISHED_MARKER) }),
      );
      const marker = MarkerSchema.parse(JSON.parse(await res.Body!.transformToString('utf8')));
      this.remember(version, marker);
      return marker;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  private remember(version: string, marker: Marker): void {
    if (this.markers.size >= 512) this.markers.delete(this.markers.keys().next().value!);
    this.markers.set(version, marker);
  }

  /** Whether `name` is a file of the published version (index file or extra). */
  private async listed(version: string, name: string): Promise<boolean> {
    checkVersion(version);
    checkFileName(name);
    const marker = await this.marker(version);
    return !!marker && [...marker.files, ...marker.extra].some((f) => f.name === name);
  }

  async size(version: string, name: string): Promise<number | null> {
    if (!(await this.listed(version, name))) return null;
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(version, name) }),
      );
      return head.ContentLength ?? null;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async read(version: string, name: string, range?: { start: number; end: number }): Promise<Readable> {
    if (!(await this.listed(version, name)))
      throw new Error(`index ${version} has no published file ${name} in ${this.location}`);
    const res = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(version, name),
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }),
    );
    const body = res.Body;
    if (!(body instanceof Readable)) throw new Error(`the S3 client returned no stream for ${name}`);
    if (!range) return body;
    // Some stores answer a wider range than asked for (s3rver reads `bytes=0-0` as `bytes=0-`) or ignore Range
    // (200, the whole file): cut what was asked for out of any answer that covers it; refuse anything else.
    const got = /^bytes (\d+)-(\d+)\/\d+$/.exec(res.ContentRange ?? '');
    const from = got ? Number(got[1]) : res.ContentRange ? NaN : 0;
    const to = got ? Number(got[2]) : from + (res.ContentLength ?? 0) - 1;
    if (from === range.start && to === range.end) return body;
    if (!(from <= range.start && to >= range.end)) {
      body.destroy();
      throw new Error(
        `${this.location} answered a range request for ${name} (bytes ${range.start}-${range.end}) with ${res.ContentRange ?? 'no range'}`,
      );
    }
    return slice(body, range.start - from, range.end - range.start + 1);
  }

  private get cacheRoot(): string {
    return join(this.localRoot, '.cache');
  }

  async localDir(version: string): Promise<string | null> {
    const cached = join(this.cacheRoot, checkVersion(version));
    if (await isDir(cached)) {
      const now = new Date();
      await utimes(cached, now, now).catch(() => undefined);
      return cached;
    }
    const marker = await this.marker(version);
    if (!marker) return null;
    await mkdir(this.cacheRoot, { recursive: true });
    const tmp = await mkdtemp(join(this.cacheRoot, '.download-'));
    try {
      for (const file of marker.files) {
        const path = join(tmp, checkFileName(file.name));
        let res;
        try {
          res = await this.client.send(
            new GetObjectCommand({ Bucket: this.bucket, Key: this.key(version, file.name) }),
          );
        } catch (error) {
          if (!notFound(error)) throw error;
          this.logger.warn(`index ${version} lists ${file.name}, which is missing from ${this.location}`);
          return null;
        }
        if (!(res.Body instanceof Readable))
          throw new Error(`the S3 client returned no stream for ${file.name}`);
        await pipeline(res.Body, createWriteStream(path));
        const got = (await stat(path)).size;
        if (got !== file.size)
          throw new Error(
            `downloaded ${file.name} of index ${version} has ${got} bytes, its marker lists ${file.size}`,
          );
      }
      await this.adoptIntoCache(version, tmp);
      return (await isDir(cached)) ? cached : null;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Renames a complete folder into the cache (another process may have put the same version there first). */
  private async adoptIntoCache(version: string, dir: string): Promise<void> {
    await mkdir(this.cacheRoot, { recursive: true });
    const target = join(this.cacheRoot, version);
    try {
      await rename(dir, target);
      const now = new Date();
      await utimes(target, now, now);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    await this.pruneCache();
  }

  /** Keeps the most recently used `cachedVersions` versions. */
  private async pruneCache(): Promise<void> {
    const entries = await readdir(this.cacheRoot, { withFileTypes: true });
    const versions = await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map(async (e) => ({ name: e.name, used: (await stat(join(this.cacheRoot, e.name))).mtimeMs })),
    );
    versions.sort((a, b) => b.used - a.used);
    for (const old of versions.slice(this.cachedVersions))
      await rm(join(this.cacheRoot, old.name), { recursive: true, force: true });
  }

  constructionCacheDir(): string {
    return join(this.localRoot, '.construction-cache');
  }

  async workDir(): Promise<string> {
    const work = join(this.localRoot, '.work');
    await mkdir(work, { recursive: true });
    return mkdtemp(join(work, 'build-'));
  }
}

/** `length` bytes of `source` after its first `skip` bytes; stops reading `source` once they are through. */
function slice(source: Readable, skip: number, length: number): Readable {
  return Readable.from(
    (async function* () {
      let offset = 0;
      let left = length;
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const from = Math.max(0, skip - offset);
        offset += chunk.length;
        if (from >= chunk.length) continue;
        const part = chunk.subarray(from, from + left);
        left -= part.length;
        yield part;
        if (left === 0) break;
      }
      if (left > 0) throw new Error(`the store's answer ended ${left} bytes early`);
    })(),
    { objectMode: false },
  );
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  if (error instanceof S3ServiceException)
    return `${error.name}${error.$metadata.httpStatusCode ? ` (HTTP ${error.$metadata.httpStatusCode})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
