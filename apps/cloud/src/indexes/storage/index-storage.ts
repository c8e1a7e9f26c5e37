import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';

const VERSION = /^[A-Za-z0-9._:+-]+$/;
const FILE = /^[A-Za-z0-9._-]+$/;

/**
 * Names come from the database and the URL: every storage refuses a version or file name that could leave its
 * folder or key prefix (and names starting with a dot, which storages keep for themselves).
 */
export function checkVersion(version: string): string {
  if (!VERSION.test(version) || version.startsWith('.'))
    throw new RangeError(`bad index version "${version}"`);
  return version;
}

export function checkFileName(name: string): string {
  if (!FILE.test(name) || name.startsWith('.')) throw new RangeError(`bad index file name "${name}"`);
  return name;
}

/**
 * Where published index versions live: one folder (or key prefix) per version holding the index files and
 * the delta. Files are immutable once published. The local filesystem is the default
 * (LocalIndexStorage); S3IndexStorage keeps them in an S3-compatible bucket.
 */
export abstract class IndexStorage {
  /** Publishes the files of a finished local folder (and extra files such as the delta) as `version`. */
  abstract publish(
    version: string,
    dir: string,
    extra?: readonly { name: string; path: string }[],
  ): Promise<void>;
  /** Size of a published file, or null when it does not exist. */
  abstract size(version: string, name: string): Promise<number | null>;
  /** A stream of a published file, or of the inclusive byte range [start, end]. */
  abstract read(version: string, name: string, range?: { start: number; end: number }): Promise<Readable>;
  /**
   * A local folder holding the version's index files, for an incremental build to start from (local storage:
   * the published folder itself; remote storage: a downloaded copy).
   */
  abstract localDir(version: string): Promise<string | null>;
  /** A local scratch folder for a build (local storage: on the storage's filesystem, so a rename publishes). */
  abstract workDir(): Promise<string>;
  /**
   * The local folder where builds keep their int8 construction graph for the next incremental build (beside the
   * scratch folders, so that keeping one is a rename; libs/face-index construction-cache.ts).
   */
  abstract constructionCacheDir(): string;
  /** Removes a scratch folder of workDir() (after a build, whatever its outcome). */
  async discard(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }
}
