// The face index a long-running process uses: opened on first need, reopened when the index changes — a pulled
// version made current (the `current` symlink of the index folder now names another version) or a folder
// rebuilt in place (manifest.json changed) — and described for `index info`, GET /health and GET /database/info.
// A swapped-out index is closed only when the searches still using it (`use`) have finished, so a sidecar
// switches versions without failing a request.
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceIndexInfo, SidecarHealth } from '@stash-sense/contracts';
import { FaceIndex, FaceIndexError } from '@stash-sense/face-index';
import { activeIndexDir, MANIFEST_JWS_FILE, PREVIOUS_LINK, readVersionLink } from '../index/index-root.js';
import type { EmbeddingModelInfo } from '../pipeline/index.js';
import { IndexUnavailableError, ModelMismatchError } from './errors.js';

const MANIFEST = 'manifest.json';

interface Loaded {
  index: FaceIndex;
  /** Resolved folder + manifest.json's mtime and size when opened: a swap or a rebuild changes them. */
  stamp: string;
  dir: string;
  users: number;
  retired: boolean;
}

export type IndexStatus = SidecarHealth['index'];

export class FaceIndexStore {
  private loaded: Loaded | undefined;
  private opening: Promise<Loaded> | undefined;

  /** `model`: the pipeline's embedding model; an index of another model is refused. Omit to accept any. */
  constructor(
    readonly dir: string,
    private readonly model?: EmbeddingModelInfo,
  ) {}

  /**
   * The open index; reopens it when the index changed. Throws IndexUnavailableError / ModelMismatchError.
   * The index may be swapped out (and closed) at the next turn of the event loop: searches use `use`.
   */
  async get(): Promise<FaceIndex> {
    return (await this.current()).index;
  }

  /** Runs `fn` with the current index; the index stays open until `fn` has finished, even across a swap. */
  async use<T>(fn: (index: FaceIndex) => T | Promise<T>): Promise<T> {
    const loaded = await this.current();
    loaded.users++;
    try {
      return await fn(loaded.index);
    } finally {
      loaded.users--;
      if (loaded.retired && loaded.users === 0) loaded.index.close();
    }
  }

  /** Never throws: says whether an index is usable and why not. */
  async status(): Promise<IndexStatus> {
    try {
      const index = await this.get();
      return {
        loaded: true,
        dir: this.dir,
        performerCount: index.performers.size,
        faceCount: index.faceCount,
      };
    } catch (error) {
      return { loaded: false, dir: this.dir, problem: (error as Error).message };
    }
  }

  async info(): Promise<FaceIndexInfo> {
    const { index, dir } = await this.current();
    const { manifest } = index;
    const manifestBytes = (await stat(join(dir, MANIFEST))).size;
    const signed = await stat(join(dir, MANIFEST_JWS_FILE)).then(
      () => true,
      () => false,
    );
    const previous = await readVersionLink(this.dir, PREVIOUS_LINK);
    return {
      dir: this.dir,
      indexVersion: manifest.indexVersion,
      parentVersion: manifest.parentVersion,
      model: manifest.model,
      performerCount: manifest.counts.performers,
      faceCount: manifest.counts.faces,
      sizeBytes: manifestBytes + manifest.files.reduce((sum, file) => sum + file.size, 0),
      createdAt: manifest.createdAt,
      signed,
      previousVersion: previous && previous !== manifest.indexVersion ? previous : null,
    };
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    if (this.loaded) this.retire(this.loaded);
    this.loaded = undefined;
  }

  private async current(): Promise<Loaded> {
    const { dir, stamp } = await this.resolve();
    if (this.loaded && this.loaded.stamp === stamp) return this.loaded;
    this.opening ??= this.open(dir, stamp).finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async resolve(): Promise<{ dir: string; stamp: string }> {
    try {
      const dir = await realpath(activeIndexDir(this.dir));
      const info = await stat(join(dir, MANIFEST));
      return { dir, stamp: `${dir}:${info.mtimeMs}:${info.size}` };
    } catch {
      throw new IndexUnavailableError(this.dir, `there is no ${MANIFEST} there`);
    }
  }

  private async open(dir: string, stamp: string): Promise<Loaded> {
    let index: FaceIndex;
    try {
      index = await FaceIndex.open(dir, {
        ...(this.model
          ? {
              expectModel: {
                name: this.model.name,
                version: this.model.version,
                dimension: this.model.dimension,
              },
            }
          : {}),
      });
    } catch (error) {
      if (
        error instanceof FaceIndexError &&
        (error.code === 'model_mismatch' || error.code === 'dimension_mismatch')
      ) {
        throw new ModelMismatchError(error.message, { cause: error });
      }
      throw new IndexUnavailableError(this.dir, (error as Error).message, { cause: error });
    }
    if (this.loaded) this.retire(this.loaded);
    this.loaded = { index, stamp, dir, users: 0, retired: false };
    return this.loaded;
  }

  /** Closes an index that is no longer current once nobody uses it. */
  private retire(loaded: Loaded): void {
    loaded.retired = true;
    if (loaded.users === 0) loaded.index.close();
  }
}
