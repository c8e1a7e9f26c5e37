/** One-call build of a small index from embeddings already computed (e.g. a user's own labelled photos). */
import type { FaceIndexModel, FaceIndexStorage, IndexManifest } from '@stash-sense/contracts';
import { FaceIndexWriter, type NewPerformer } from './face-index-writer.js';

export interface LocalPerformerEmbeddings extends NewPerformer {
  embeddings: readonly ArrayLike<number>[];
}

export interface BuildLocalIndexOptions {
  dir: string;
  model: FaceIndexModel;
  performers: readonly LocalPerformerEmbeddings[];
  /** Default: "local-" and the current time, e.g. "local-20261125T120000Z". */
  indexVersion?: string;
  storage?: FaceIndexStorage;
  overwrite?: boolean;
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function buildLocalIndexFromEmbeddings(options: BuildLocalIndexOptions): Promise<IndexManifest> {
  const writer = FaceIndexWriter.create({
    model: options.model,
    storage: options.storage,
    threads: options.threads,
  });
  for (const { embeddings, ...performer } of options.performers) {
    const id = writer.addPerformer(performer);
    writer.addFaces(id, embeddings);
  }
  const indexVersion =
    options.indexVersion ?? `local-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
  return writer.write(options.dir, {
    indexVersion,
    overwrite: options.overwrite,
    onProgress: options.onProgress,
  });
}
