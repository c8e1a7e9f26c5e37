// `faces`: detect, align and embed every face of still images, reusing one loaded pipeline for all of them.
import type { CliFacesLine, Face, ImageFacesResult } from '@stash-sense/contracts';
import {
  type DetectedFace,
  type FacePipeline,
  type RgbImage,
  InputError,
  loadImage,
} from '../pipeline/index.js';
import { CancelledError } from './errors.js';
import { assertReadableFile } from './input-file.js';
import { mediaKindOf } from './media.js';
import type { ProgressListener } from './progress.js';
import { toFaceJson } from './wire.js';

export interface AnalyzedImage {
  image: RgbImage;
  faces: DetectedFace[];
}

export interface BatchOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export class FacesService {
  constructor(readonly pipeline: FacePipeline) {}

  /** Decodes and analyses one image given as a path or the file's bytes. */
  async analyze(input: string | Buffer): Promise<AnalyzedImage> {
    if (typeof input === 'string') await assertReadableFile(input);
    const image = await loadImage(input);
    return { image, faces: await this.pipeline.analyzeImage(image) };
  }

  /** Every face of one image, with its embedding. */
  async detectFaces(input: string | Buffer): Promise<ImageFacesResult & { faces: Face[] }> {
    const { image, faces } = await this.analyze(input);
    return { width: image.width, height: image.height, faces: faces.map(toFaceJson) };
  }

  /**
   * One JSON Lines object per file, in input order. A file that cannot be read yields `{ file, error }` and the
   * batch goes on; only cancellation stops it.
   */
  async *detectFacesInFiles(
    files: readonly string[],
    options: BatchOptions = {},
  ): AsyncGenerator<CliFacesLine> {
    for (const [index, file] of files.entries()) {
      if (options.signal?.aborted) throw new CancelledError();
      options.onProgress?.({ type: 'file-start', file, index, total: files.length, kind: 'image' });
      let line: CliFacesLine;
      try {
        if (mediaKindOf(file) === 'video') {
          throw new InputError(
            file,
            'is a video; `faces` reads still images. Use `stash-sense identify` for videos.',
          );
        }
        line = { file, ...(await this.detectFaces(file)) };
      } catch (error) {
        line = { file, error: (error as Error).message };
      }
      options.onProgress?.({ type: 'file-done', file, index, total: files.length, ok: !('error' in line) });
      yield line;
    }
  }
}
