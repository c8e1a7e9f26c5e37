import type { Readable } from 'node:stream';

/**
 * Where published index versions live: one folder (or key prefix) per version holding the index files and
 * the delta. Files are immutable once published. The local filesystem is the default
 * (LocalIndexStorage); an object store implements the same interface.
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
  /** A scratch folder on the same filesystem as the storage's own files (a rename publishes). */
  abstract workDir(): Promise<string>;
}
