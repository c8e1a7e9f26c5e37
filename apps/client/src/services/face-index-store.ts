// The face index a long-running process uses: opened on first need, reopened when the folder is rebuilt
// (manifest.json changed), and described for `index info`, GET /health and GET /database/info.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceIndexInfo, SidecarHealth } from '@stash-sense/contracts';
import { FaceIndex, FaceIndexError } from '@stash-sense/face-index';
import type { EmbeddingModelInfo } from '../pipeline/index.js';
import { IndexUnavailableError, ModelMismatchError } from './errors.js';

const MANIFEST = 'manifest.json';

interface Loaded {
  index: FaceIndex;
  /** manifest.json's mtime and size when opened: a rebuild in place changes them. */
  stamp: string;
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

  /** The open index; reopens it when manifest.json changed. Throws IndexUnavailableError / ModelMismatchError. */
  async get(): Promise<FaceIndex> {
    const stamp = await this.manifestStamp();
    if (this.loaded && this.loaded.stamp === stamp) return this.loaded.index;
    this.opening ??= this.open(stamp).finally(() => (this.opening = undefined));
    return (await this.opening).index;
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
    const { manifest } = await this.get();
    const manifestBytes = (await stat(join(this.dir, MANIFEST))).size;
    return {
      dir: this.dir,
      indexVersion: manifest.indexVersion,
      model: manifest.model,
      performerCount: manifest.counts.performers,
      faceCount: manifest.counts.faces,
      sizeBytes: manifestBytes + manifest.files.reduce((sum, file) => sum + file.size, 0),
      createdAt: manifest.createdAt,
    };
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    this.loaded?.index.close();
    this.loaded = undefined;
  }

  private async manifestStamp(): Promise<string> {
    try {
      const info = await stat(join(this.dir, MANIFEST));
      return `${info.mtimeMs}:${info.size}`;
    } catch {
      throw new IndexUnavailableError(this.dir, `there is no ${MANIFEST} there`);
    }
  }

  private async open(stamp: string): Promise<Loaded> {
    let index: FaceIndex;
    try {
      index = await FaceIndex.open(this.dir, {
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
    this.loaded?.index.close();
    this.loaded = { index, stamp };
    return this.loaded;
  }
}
