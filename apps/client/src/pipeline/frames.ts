import { spawn } from 'node:child_process';
import { PIPELINE_DEFAULTS } from './defaults.js';
import { InputError, describeInput } from './input-error.js';
import type { RgbImage } from './types.js';

export interface VideoInfo {
  durationSec: number;
  /** Displayed size: after the rotation the container asks for (what decoded frames have before scaling). */
  width: number;
  height: number;
}

export interface VideoFrame {
  /** Position in the sampling plan, 0-based. */
  index: number;
  /** Requested time; ffmpeg seeks accurately, so the frame is the first one at or after it. */
  timestampSec: number;
  image: RgbImage;
}

export interface FrameSamplingOptions {
  /** Frames to take. Default 60. */
  count?: number;
  /** Sampled span as fractions of the duration (skips intros and credits). Default 0.05–0.95. */
  startFraction?: number;
  endFraction?: number;
  /** Frames wider than this are scaled down (aspect kept). Default 1280. */
  maxWidth?: number;
  signal?: AbortSignal;
  /** HTTP headers for http(s) inputs (e.g. a Stash API key). */
  headers?: Record<string, string>;
  /** ffmpeg processes decoding at once. Default 2. */
  concurrency?: number;
  /** Called for a frame that could not be decoded; that frame is skipped (the sampling fails only when all do). */
  onWarning?: (message: string) => void;
}

export const FRAME_SAMPLING_DEFAULTS = PIPELINE_DEFAULTS.video;

/** Evenly spread times over [start, end] × duration; one frame sits in the middle of the span. */
export function frameTimestamps(
  durationSec: number,
  count: number,
  startFraction: number,
  endFraction: number,
): number[] {
  if (!(durationSec > 0)) throw new Error(`video duration must be positive, got ${durationSec}`);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`frame count must be a positive integer, got ${count}`);
  if (!(startFraction >= 0 && endFraction <= 1 && startFraction <= endFraction)) {
    throw new Error(`sampled span must satisfy 0 ≤ start ≤ end ≤ 1, got ${startFraction}–${endFraction}`);
  }
  // Never ask for the very end: there is no frame at t = duration.
  const last = Math.max(0, durationSec - 1 / 1000);
  const at = (fraction: number) => Math.min(last, fraction * durationSec);
  if (count === 1) return [at((startFraction + endFraction) / 2)];
  const step = (endFraction - startFraction) / (count - 1);
  return Array.from({ length: count }, (_, i) => at(startFraction + i * step));
}

/** Parses ffprobe's JSON (`-show_entries stream=width,height,duration:stream_side_data=rotation:format=duration`). */
export function parseProbe(
  json: string,
): { durationSec: number; width: number; height: number } | { problem: string } {
  let parsed: {
    streams?: {
      width?: number;
      height?: number;
      duration?: string;
      side_data_list?: { rotation?: number }[];
      tags?: { rotate?: string };
    }[];
    format?: { duration?: string };
  };
  try {
    parsed = JSON.parse(json);
  } catch {
    return { problem: 'ffprobe returned no readable description' };
  }
  const stream = parsed.streams?.[0];
  if (!stream || !stream.width || !stream.height) return { problem: 'has no video stream' };
  const durationSec = Number(parsed.format?.duration ?? stream.duration);
  if (!(durationSec > 0)) return { problem: 'has no known duration (a live stream or a damaged file?)' };
  const rotation = Number(
    stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? stream.tags?.rotate ?? 0,
  );
  const quarterTurn = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  return quarterTurn
    ? { durationSec, width: stream.height, height: stream.width }
    : { durationSec, width: stream.width, height: stream.height };
}

/** Reads a binary PPM (P6, maxval 255) as ffmpeg's `-c:v ppm` writes it. */
export function parsePpm(data: Buffer): RgbImage {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < data.length && /\s/.test(String.fromCharCode(data[pos]!))) pos++;
      if (data[pos] !== 0x23) break; // '#': comment to end of line
      while (pos < data.length && data[pos] !== 0x0a) pos++;
    }
    const start = pos;
    while (pos < data.length && !/\s/.test(String.fromCharCode(data[pos]!))) pos++;
    return data.toString('latin1', start, pos);
  };
  const magic = token();
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  pos++; // the single whitespace byte before the pixels
  if (magic !== 'P6' || !(width > 0) || !(height > 0) || maxval !== 255) {
    throw new Error(`not an 8-bit binary PPM image (header ${magic} ${width} ${height} ${maxval})`);
  }
  const size = width * height * 3;
  if (data.length - pos < size)
    throw new Error(`PPM image truncated: ${data.length - pos} of ${size} pixel bytes`);
  return { data: data.subarray(pos, pos + size), width, height };
}

function headerArgs(pathOrUrl: string, headers?: Record<string, string>): string[] {
  if (!/^https?:\/\//i.test(pathOrUrl)) return [];
  const args = ['-rw_timeout', String(PIPELINE_DEFAULTS.video.networkTimeoutSec * 1_000_000)];
  const entries = Object.entries(headers ?? {});
  if (entries.length > 0) args.push('-headers', entries.map(([k, v]) => `${k}: ${v}\r\n`).join(''));
  return args;
}

interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

function runTool(
  command: string,
  args: string[],
  signal?: AbortSignal,
  children?: Set<ReturnType<typeof spawn>>,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children?.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      children?.delete(child);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${command} is not installed or not on PATH; install ffmpeg (Debian: apt-get install ffmpeg)`,
            )
          : error,
      );
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      children?.delete(child);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim(), code });
    });
  });
}

function lastLine(text: string): string {
  return text.split('\n').filter(Boolean).pop() ?? 'no details';
}

/** Duration and displayed size of a video file or http(s) URL (ffprobe). Unreadable → InputError naming it. */
export async function probeVideo(
  pathOrUrl: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<VideoInfo> {
  const args = [
    '-v', 'error',
    ...headerArgs(pathOrUrl, options.headers),
    '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height,duration:stream_side_data=rotation:stream_tags=rotate:format=duration',
    '-of', 'json',
    '-i', pathOrUrl,
  ]; // prettier-ignore
  const result = await runTool('ffprobe', args, options.signal);
  options.signal?.throwIfAborted();
  if (result.code !== 0) {
    throw new InputError(
      pathOrUrl,
      `cannot be read as a video (ffprobe: ${lastLine(result.stderr)}). Check the path or URL and that the file is a complete video.`,
    );
  }
  const probe = parseProbe(result.stdout.toString('utf8'));
  if ('problem' in probe)
    throw new InputError(pathOrUrl, `${probe.problem}; it cannot be sampled for faces.`);
  return probe;
}

/** ffmpeg arguments that decode the single frame at `timestampSec`, scaled to at most `maxWidth` wide, as PPM on stdout. */
export function frameExtractionArgs(
  pathOrUrl: string,
  timestampSec: number,
  maxWidth: number,
  headers?: Record<string, string>,
): string[] {
  // Square pixels first (anamorphic video stores them stretched), then at most maxWidth wide, aspect kept.
  const sar = 'if(gt(sar,0),sar,1)';
  const scale = `scale=w='min(${maxWidth},iw*${sar})':h='ow*ih/(iw*${sar})',setsar=1`;
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    ...headerArgs(pathOrUrl, headers),
    '-ss', timestampSec.toFixed(3), // before -i: seek to the keyframe before, then decode up to the time
    '-i', pathOrUrl,
    '-frames:v', '1', '-an', '-sn',
    '-vf', scale,
    '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1',
  ]; // prettier-ignore
}

/**
 * Decodes `count` frames spread evenly over [startFraction, endFraction] of the video, one ffmpeg process per frame
 * (fast seek), `concurrency` at a time, and yields them in time order as they become ready, so the consumer can work
 * on one frame while the next ones decode. Frames that fail are skipped with a warning; when none decodes, or the
 * video cannot be read at all, it throws an InputError naming the input. Breaking out of the loop or aborting the
 * signal stops the ffmpeg processes.
 */
export async function* sampleVideoFrames(
  pathOrUrl: string,
  options: FrameSamplingOptions = {},
): AsyncGenerator<VideoFrame> {
  const defaults = PIPELINE_DEFAULTS.video;
  const { signal } = options;
  const concurrency = options.concurrency ?? defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const info = await probeVideo(pathOrUrl, { headers: options.headers, signal });
  const times = frameTimestamps(
    info.durationSec,
    options.count ?? defaults.frameCount,
    options.startFraction ?? defaults.startFraction,
    options.endFraction ?? defaults.endFraction,
  );
  const maxWidth = options.maxWidth ?? defaults.maxWidth;
  const children = new Set<ReturnType<typeof spawn>>();
  const extract = async (timestampSec: number): Promise<RgbImage> => {
    const result = await runTool(
      'ffmpeg',
      frameExtractionArgs(pathOrUrl, timestampSec, maxWidth, options.headers),
      signal,
      children,
    );
    if (result.code !== 0) throw new Error(`ffmpeg: ${lastLine(result.stderr)}`);
    if (result.stdout.length === 0) throw new Error('no frame at this time');
    return parsePpm(result.stdout);
  };

  const pending: Promise<RgbImage | Error>[] = [];
  let launched = 0;
  const launchNext = () => {
    if (launched >= times.length || signal?.aborted) return;
    const t = times[launched]!;
    pending[launched++] = extract(t).catch((error: Error) => error);
  };
  try {
    for (let i = 0; i < concurrency; i++) launchNext();
    let yielded = 0;
    let lastError: Error | undefined;
    for (let index = 0; index < times.length; index++) {
      const result = await pending[index]!;
      signal?.throwIfAborted();
      launchNext();
      if (result instanceof Error) {
        lastError = result;
        options.onWarning?.(
          `${describeInput(pathOrUrl)}: frame at ${times[index]!.toFixed(3)} s skipped (${result.message})`,
        );
        continue;
      }
      yielded++;
      yield { index, timestampSec: times[index]!, image: result };
    }
    if (yielded === 0) {
      throw new InputError(
        pathOrUrl,
        `no frame could be decoded (${lastError?.message ?? 'unknown error'}). Check that the video is complete and playable.`,
      );
    }
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}
