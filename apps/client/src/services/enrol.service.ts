// `index build-local`: enrol a folder of labelled photos into a local face index, reusing one loaded pipeline.
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildLocalIndexFromEmbeddings, type LocalPerformerEmbeddings } from '@stash-sense/face-index';
import type { FacePipeline } from '../pipeline/index.js';
import { CancelledError, NotFoundError } from './errors.js';
import { FacesService } from './faces.service.js';
import { chooseEnrolFace, parseGalleryLabel } from './gallery-rules.js';
import { isGalleryImage } from './media.js';
import type { ProgressListener, WarningListener } from './progress.js';

export interface BuildLocalIndexOptions {
  galleryDir: string;
  outDir: string;
  pipeline: FacePipeline;
  onProgress?: ProgressListener;
  onWarning?: WarningListener;
  signal?: AbortSignal;
  /** Index version recorded in the manifest; default `local-<UTC timestamp>`. */
  indexVersion?: string;
  /** Replace an index already at `outDir` (atomically: the old one stays until the new one is complete). */
  overwrite?: boolean;
  /** Threads for inserting the vectors into the graph. */
  threads?: number;
}

export interface SkippedPhoto {
  file: string;
  reason: string;
}

export interface BuildLocalIndexSummary {
  outDir: string;
  indexVersion: string;
  performers: number;
  faces: number;
  photos: number;
  skipped: SkippedPhoto[];
  /** Gallery folders that gave no usable face: left out of the index. */
  emptyPerformers: string[];
}

interface GalleryFolder {
  folder: string;
  photos: string[];
}

/** `<gallery>/<performer>/*.{jpg,png,webp}`, folders and files sorted by name; hidden entries ignored. */
export async function listGallery(galleryDir: string): Promise<GalleryFolder[]> {
  let entries;
  try {
    entries = await readdir(galleryDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(galleryDir, 'gallery folder');
    throw new Error(`cannot read the gallery folder ${galleryDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const folders: GalleryFolder[] = [];
  for (const entry of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort(byName)) {
    const files = await readdir(join(galleryDir, entry.name), { withFileTypes: true });
    const photos = files
      .filter((f) => f.isFile() && !f.name.startsWith('.') && isGalleryImage(f.name))
      .sort(byName)
      .map((f) => join(galleryDir, entry.name, f.name));
    folders.push({ folder: entry.name, photos });
  }
  return folders;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function buildLocalIndex(options: BuildLocalIndexOptions): Promise<BuildLocalIndexSummary> {
  const { pipeline, onProgress, signal } = options;
  const warn = options.onWarning ?? (() => {});
  if (!options.overwrite && (await pathExists(options.outDir))) {
    throw new Error(
      `${options.outDir} exists already; choose another --out folder, or pass --force to replace it`,
    );
  }
  const folders = await listGallery(options.galleryDir);
  if (folders.length === 0) {
    throw new Error(
      `${options.galleryDir} has no performer folders: put each performer's photos in <gallery>/<name or StashDB id>/*.jpg`,
    );
  }
  const faces = new FacesService(pipeline);
  const enrolled: LocalPerformerEmbeddings[] = [];
  const total = folders.reduce((sum, f) => sum + f.photos.length, 0);
  const skipped: SkippedPhoto[] = [];
  const emptyPerformers: string[] = [];
  let done = 0;

  for (const { folder, photos } of folders) {
    const embeddings: Float32Array[] = [];
    for (const file of photos) {
      if (signal?.aborted) throw new CancelledError();
      onProgress?.({ type: 'file-start', file, index: done, total, kind: 'image' });
      let reason: string | undefined;
      try {
        const choice = chooseEnrolFace((await faces.analyze(file)).faces);
        switch (choice.kind) {
          case 'single':
            embeddings.push(choice.face.embedding);
            break;
          case 'dominant':
            embeddings.push(choice.face.embedding);
            warn(`${file}: ${choice.others + 1} faces; enrolled the clearly largest one`);
            break;
          case 'none':
            reason = 'no face found';
            break;
          case 'ambiguous':
            reason = `${choice.count} faces of similar size, so it is unclear which one is "${folder}"; crop the photo to one face`;
            break;
        }
      } catch (error) {
        reason = (error as Error).message;
      }
      if (reason) {
        skipped.push({ file, reason });
        warn(`skipped ${reason.startsWith(file) ? reason : `${file}: ${reason}`}`);
      }
      onProgress?.({ type: 'file-done', file, index: done, total, ok: reason === undefined });
      done += 1;
    }
    if (embeddings.length === 0) {
      emptyPerformers.push(folder);
      warn(`${join(options.galleryDir, folder)}: no usable photo, so "${folder}" is left out of the index`);
      continue;
    }
    enrolled.push({ ...parseGalleryLabel(folder), embeddings });
  }

  if (enrolled.length === 0) {
    throw new Error(
      `no face could be enrolled from ${options.galleryDir}: every photo was skipped (see the warnings)`,
    );
  }
  const manifest = await buildLocalIndexFromEmbeddings({
    dir: options.outDir,
    model: pipeline.model,
    performers: enrolled,
    indexVersion: options.indexVersion,
    overwrite: options.overwrite ?? false,
    threads: options.threads,
  });
  return {
    outDir: options.outDir,
    indexVersion: manifest.indexVersion,
    performers: manifest.counts.performers,
    faces: manifest.counts.faces,
    photos: total,
    skipped,
    emptyPerformers,
  };
}
