// Identification of performers in images and videos: the one implementation behind `stash-sense identify` and
// the sidecar's POST /identify and /identify/scene. The models and the index stay loaded across calls.
import type {
  CliIdentifyLine,
  IdentifyImageResult,
  IdentifyVideoResult,
  ImagePerson,
} from '@stash-sense/contracts';
import { CLIENT_LIMITS } from '../config.js';
import { identifyFaces, identifyScene } from '../identify/index.js';
import {
  type DetectedFace,
  type FacePipeline,
  InputError,
  loadImage,
  probeVideo,
} from '../pipeline/index.js';
import { describeInput } from '../pipeline/input-error.js';
import { CancelledError, IndexUnavailableError, ModelMismatchError } from './errors.js';
import type { FaceIndexStore } from './face-index-store.js';
import { assertReadableFile } from './input-file.js';
import { toImagePeople, toScenePeople } from './match-mapping.js';
import { mediaKindOf } from './media.js';
import type { ProgressListener, WarningListener } from './progress.js';
import { fetchRemoteImage } from './remote-image.js';
import { analyzeVideoFrames } from './video-analysis.js';
import { toFaceJson, toSidecarFace } from './wire.js';
import type { WorkQueue } from './work-queue.js';

export type ImageSource =
  | { kind: 'path'; path: string }
  | { kind: 'buffer'; buffer: Buffer; name: string }
  | { kind: 'url'; url: string };

export interface IdentifyImageOptions {
  topK?: number;
  /** Put each face's embedding in the result (default false). */
  includeEmbeddings?: boolean;
  signal?: AbortSignal;
}

export interface IdentifyVideoOptions {
  /** Frames to sample evenly (default: the pipeline's, PIPELINE_DEFAULTS.video.frameCount). */
  frames?: number;
  topK?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export type IdentifyBatchOptions = IdentifyVideoOptions;

export interface IdentifyServiceDeps {
  pipeline: FacePipeline;
  indexStore: FaceIndexStore;
  /** Serialises the CPU-heavy part (the sidecar). Without one, calls run as they come (the CLI runs one at a time). */
  queue?: WorkQueue;
  /** Largest remote image (`image_url`) downloaded. */
  maxImageBytes?: number;
  /** Frames ffmpeg could not decode (skipped) and similar non-fatal problems. */
  onWarning?: WarningListener;
}

interface MatchedImage {
  width: number;
  height: number;
  faces: DetectedFace[];
  people: ImagePerson[];
}

/** Errors after which no other file can succeed either: a batch stops on them instead of reporting per file. */
function isFatal(error: unknown): boolean {
  return (
    error instanceof IndexUnavailableError ||
    error instanceof ModelMismatchError ||
    error instanceof CancelledError
  );
}

export class IdentifyService {
  constructor(private readonly deps: IdentifyServiceDeps) {}

  /** Faces of one image and, for each, who it may be. */
  async identifyImage(source: ImageSource, options: IdentifyImageOptions = {}): Promise<IdentifyImageResult> {
    const input = await this.readImageSource(source, options.signal);
    const matched = await this.matchImage(input, options).catch((error: unknown) => {
      // loadImage names an in-memory image "<image buffer>": name the upload instead.
      if (source.kind !== 'path' && error instanceof InputError) {
        const name = source.kind === 'url' ? describeInput(source.url) : `uploaded image "${source.name}"`;
        throw new InputError(name, error.message.replace(/^<image buffer>: /, ''), { cause: error });
      }
      throw error;
    });
    return {
      kind: 'image',
      width: matched.width,
      height: matched.height,
      faces: matched.faces.map((face) => toSidecarFace(face, options.includeEmbeddings ?? false)),
      people: matched.people,
    };
  }

  /** Samples frames of a video, groups its faces into people and matches each person. */
  async identifyVideo(path: string, options: IdentifyVideoOptions = {}): Promise<IdentifyVideoResult> {
    await assertReadableFile(path);
    await this.deps.indexStore.get(); // no index → fail before decoding anything
    return this.run(async () => {
      const video = await probeVideo(path);
      const frames = await analyzeVideoFrames(this.deps.pipeline, path, {
        ...(options.frames !== undefined ? { frames: options.frames } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(this.deps.onWarning ? { onWarning: this.deps.onWarning } : {}),
      });
      const faceCount = frames.reduce((sum, frame) => sum + frame.faces.length, 0);
      const scene = await this.deps.indexStore.use((index) =>
        identifyScene(index, frames, {
          ...(options.topK !== undefined ? { topK: options.topK } : {}),
        }),
      );
      return {
        kind: 'video',
        width: video.width,
        height: video.height,
        durationSec: video.durationSec,
        framesSampled: frames.length,
        faceCount,
        people: toScenePeople(scene.people),
      };
    }, options.signal);
  }

  /**
   * `stash-sense identify FILE…`: one JSON Lines object per file, in input order, faces with their embeddings.
   * Unreadable files yield `{ file, error }` and the batch goes on; a missing index or cancellation stops it.
   */
  async *identifyFiles(
    files: readonly string[],
    options: IdentifyBatchOptions = {},
  ): AsyncGenerator<CliIdentifyLine> {
    await this.deps.indexStore.get();
    for (const [index, file] of files.entries()) {
      if (options.signal?.aborted) throw new CancelledError();
      const kind = mediaKindOf(file);
      options.onProgress?.({ type: 'file-start', file, index, total: files.length, kind });
      let line: CliIdentifyLine;
      try {
        if (kind === 'video') {
          line = { file, ...(await this.identifyVideo(file, options)) };
        } else {
          await assertReadableFile(file);
          const matched = await this.matchImage(file, options);
          line = {
            file,
            kind: 'image',
            width: matched.width,
            height: matched.height,
            faces: matched.faces.map(toFaceJson),
            people: matched.people,
          };
        }
      } catch (error) {
        if (isFatal(error)) throw error;
        line = { file, error: (error as Error).message };
      }
      options.onProgress?.({ type: 'file-done', file, index, total: files.length, ok: !('error' in line) });
      yield line;
    }
  }

  private run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.deps.queue ? this.deps.queue.run(job, signal) : job();
  }

  private async matchImage(input: string | Buffer, options: IdentifyImageOptions): Promise<MatchedImage> {
    await this.deps.indexStore.get(); // no index → fail before decoding anything
    return this.run(async () => {
      if (options.signal?.aborted) throw new CancelledError();
      const image = await loadImage(input);
      const faces = await this.deps.pipeline.analyzeImage(image);
      const identifications = await this.deps.indexStore.use((index) =>
        identifyFaces(index, faces, {
          ...(options.topK !== undefined ? { topK: options.topK } : {}),
        }),
      );
      return { width: image.width, height: image.height, faces, people: toImagePeople(identifications) };
    }, options.signal);
  }

  private async readImageSource(source: ImageSource, signal?: AbortSignal): Promise<string | Buffer> {
    switch (source.kind) {
      case 'path':
        await assertReadableFile(source.path);
        return source.path;
      case 'buffer':
        return source.buffer;
      case 'url':
        return fetchRemoteImage(source.url, {
          maxBytes: this.deps.maxImageBytes ?? CLIENT_LIMITS.defaultMaxUploadBytes,
          timeoutMs: CLIENT_LIMITS.remoteImageTimeoutMs,
          ...(signal ? { signal } : {}),
        });
    }
  }
}
