// Faces of a video's sampled frames, analysed as the frames arrive (decode and detection overlap).
import { CLIENT_LIMITS } from '../config.js';
import {
  type DetectedFace,
  type FacePipeline,
  PIPELINE_DEFAULTS,
  sampleVideoFrames,
} from '../pipeline/index.js';
import { CancelledError } from './errors.js';
import type { ProgressListener, WarningListener } from './progress.js';

export interface AnalyzedFrame {
  index: number;
  timestampSec: number;
  faces: DetectedFace[];
}

export interface VideoAnalysisOptions {
  /** Frames to sample evenly (default PIPELINE_DEFAULTS.video.frameCount, capped at CLIENT_LIMITS.maxSceneFrames). */
  frames?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onWarning?: WarningListener;
}

export async function analyzeVideoFrames(
  pipeline: FacePipeline,
  path: string,
  options: VideoAnalysisOptions = {},
): Promise<AnalyzedFrame[]> {
  const count = Math.min(options.frames ?? PIPELINE_DEFAULTS.video.frameCount, CLIENT_LIMITS.maxSceneFrames);
  const frames: AnalyzedFrame[] = [];
  for await (const frame of sampleVideoFrames(path, {
    count,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  })) {
    frames.push({
      index: frame.index,
      timestampSec: frame.timestampSec,
      faces: await pipeline.analyzeImage(frame.image),
    });
    options.onProgress?.({ type: 'frames', file: path, done: frames.length, total: count });
  }
  if (options.signal?.aborted) throw new CancelledError();
  return frames;
}
