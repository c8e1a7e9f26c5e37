import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PIPELINE_DEFAULTS } from './defaults.js';
import { InputError, describeInput } from './input-error.js';
import type { RgbImage } from './types.js';
import { withMallocTunables } from '../../bin/malloc-tunables.js';

export interface VideoInfo {
  durationSec: number;
  /** Displayed size: after the rotation the container asks for (what decoded frames have before scaling). */
  width: number;
  height: number;
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`; '' when not reported. */
  container: string;
}

export interface VideoFrame {
  /** Position in the sampling plan, 0-based. */
  index: number;
  /**
   * Time of the decoded frame: the keyframe at or before the requested time when frames are far apart (keyframe
   * seeking), otherwise the first frame at or after it.
   */
  timestampSec: number;
  /** The time the sampling plan asked for. */
  requestedSec: number;
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
  /** ffmpeg processes decoding at once. Default 2 (PIPELINE_DEFAULTS.video.concurrency). */
  concurrency?: number;
  /** Seeking: default `keyframe` when the frames are at least keyframeSeekMinSpacingSec apart, else `accurate`. */
  seek?: SeekMode;
  /** Frames per ffmpeg process; default from the frame size and the decoder memory budget (framesPerProcess). */
  framesPerProcess?: number;
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
export function parseProbe(json: string): VideoInfo | { problem: string } {
  let parsed: {
    streams?: {
      width?: number;
      height?: number;
      duration?: string;
      side_data_list?: { rotation?: number }[];
      tags?: { rotate?: string };
    }[];
    format?: { duration?: string; format_name?: string };
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
  const container = parsed.format?.format_name ?? '';
  return quarterTurn
    ? { durationSec, width: stream.height, height: stream.width, container }
    : { durationSec, width: stream.width, height: stream.height, container };
}

/**
 * Containers whose header fully describes the video stream (codec, size, pixel format), so ffmpeg can skip
 * probing it by decoding (`-nofind_stream_info`): MP4/MOV and Matroska/WebM. Measured on a 20-min 1080p MP4,
 * that probing was ≈ 30% of the CPU of a 10-frame batch. Other containers (MPEG-TS, AVI, …) are probed.
 */
export function containerDescribesStreams(container: string): boolean {
  return container.split(',').some((name) => ['mov', 'mp4', 'matroska', 'webm'].includes(name));
}

/** The header of a binary PPM (P6) and where its pixels start; undefined while the header is incomplete. */
export function readPpmHeader(
  data: Buffer,
): { magic: string; width: number; height: number; maxval: number; pixelsAt: number } | undefined {
  let pos = 0;
  const token = (): string | undefined => {
    for (;;) {
      while (pos < data.length && /\s/.test(String.fromCharCode(data[pos]!))) pos++;
      if (data[pos] !== 0x23) break; // '#': comment to end of line
      while (pos < data.length && data[pos] !== 0x0a) pos++;
    }
    const start = pos;
    while (pos < data.length && !/\s/.test(String.fromCharCode(data[pos]!))) pos++;
    // A token is complete only when the whitespace after it has arrived.
    return pos < data.length ? data.toString('latin1', start, pos) : undefined;
  };
  const magic = token();
  const width = token();
  const height = token();
  const maxval = token();
  if (maxval === undefined) return undefined;
  // The single whitespace byte before the pixels.
  return {
    magic: magic!,
    width: Number(width),
    height: Number(height),
    maxval: Number(maxval),
    pixelsAt: pos + 1,
  };
}

/** Reads a binary PPM (P6, maxval 255) as ffmpeg's `-c:v ppm` writes it. */
export function parsePpm(data: Buffer): RgbImage {
  const header = readPpmHeader(data);
  if (
    !header ||
    header.magic !== 'P6' ||
    !(header.width > 0) ||
    !(header.height > 0) ||
    header.maxval !== 255
  ) {
    const seen = header ? `${header.magic} ${header.width} ${header.height} ${header.maxval}` : 'incomplete';
    throw new Error(`not an 8-bit binary PPM image (header ${seen})`);
  }
  const { width, height, pixelsAt } = header;
  const size = width * height * 3;
  if (data.length - pixelsAt < size)
    throw new Error(`PPM image truncated: ${Math.max(0, data.length - pixelsAt)} of ${size} pixel bytes`);
  return { data: data.subarray(pixelsAt, pixelsAt + size), width, height };
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
  children?: Set<ChildProcess>,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: withMallocTunables(process.env),
    });
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
    '-show_entries', 'stream=width,height,duration:stream_side_data=rotation:stream_tags=rotate:format=duration,format_name',
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

/** Square pixels first (anamorphic video stores them stretched), then at most maxWidth wide, aspect kept. */
function scaleFilters(maxWidth: number): string[] {
  const sar = 'if(gt(sar,0),sar,1)';
  return [`scale=w='min(${maxWidth},iw*${sar})':h='ow*ih/(iw*${sar})'`, 'setsar=1'];
}

/** ffmpeg arguments that decode the single frame at `timestampSec`, scaled to at most `maxWidth` wide, as PPM on stdout. */
export function frameExtractionArgs(
  pathOrUrl: string,
  timestampSec: number,
  maxWidth: number,
  headers?: Record<string, string>,
): string[] {
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    ...headerArgs(pathOrUrl, headers),
    '-ss', timestampSec.toFixed(3), // before -i: seek to the keyframe before, then decode up to the time
    '-i', pathOrUrl,
    '-frames:v', '1', '-an', '-sn',
    '-vf', scaleFilters(maxWidth).join(','),
    '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1',
  ]; // prettier-ignore
}

/**
 * How a batch seeks: `keyframe` takes the keyframe at or before each time (`-noaccurate_seek`: decoding starts
 * there and the first frame out is that keyframe), `accurate` the first frame at or after it. Keyframe seeking
 * does not add `-skip_frame nokey`: with B-frames the decoder holds its first frame back until it has decoded as
 * many frames as the stream reorders, and with non-keyframes skipped those are the next two keyframes — three
 * keyframes decoded per frame instead of one keyframe and two small inter frames (≈ 20% of a batch's CPU).
 */
export type SeekMode = 'keyframe' | 'accurate';

/** Per-frame filter chain of a batch; `showinfo` logs the decoded frame's time, `setpts=0` keeps ffmpeg from dropping a keyframe that lies before the requested time. */
function batchChain(maxWidth: number): string[] {
  return ['trim=end_frame=1', 'showinfo', 'setpts=0', ...scaleFilters(maxWidth)];
}
const SHOWINFO_POSITION = batchChain(1).indexOf('showinfo');
/** First file descriptor of the per-frame output pipes (0–2 are stdin, stdout, stderr). */
const FIRST_FRAME_FD = 3;

/**
 * ffmpeg arguments that decode the frames at `timesSec` in one process: the file is opened once per frame, each
 * input seeking to its time, and frame k is written as PPM to file descriptor 3 + k. Its time is logged by the
 * chain's showinfo filter (`parseShowinfoLine`).
 */
export function batchExtractionArgs(
  pathOrUrl: string,
  timesSec: readonly number[],
  options: { maxWidth: number; seek: SeekMode; headers?: Record<string, string>; container?: string },
): string[] {
  const probeStreams = !containerDescribesStreams(options.container ?? '');
  const inputs = timesSec.flatMap((t) => [
    // One decoder thread per input: the frames of a batch decode one after another, the other core detects faces.
    '-threads', '1',
    ...(probeStreams ? [] : ['-nofind_stream_info']),
    ...(options.seek === 'keyframe' ? ['-noaccurate_seek'] : []),
    ...headerArgs(pathOrUrl, options.headers),
    '-ss', t.toFixed(3),
    '-i', pathOrUrl,
  ]); // prettier-ignore
  const chain = batchChain(options.maxWidth).join(',');
  const graph = timesSec.map((_, k) => `[${k}:v:0]${chain}[v${k}]`).join(';');
  const outputs = timesSec.flatMap((_, k) => [
    '-map', `[v${k}]`, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'ppm', `pipe:${FIRST_FRAME_FD + k}`,
  ]); // prettier-ignore
  return [
    '-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+info',
    ...inputs,
    '-filter_complex', graph,
    ...outputs,
  ]; // prettier-ignore
}

/** The frame number of the batch (`k`) and its time relative to the requested one, from a showinfo log line. */
export function parseShowinfoLine(line: string): { frame: number; offsetSec: number } | undefined {
  const match =
    /^\[Parsed_showinfo_(\d+) @ [^\]]*\] (?:\[info\] )?n:\s*0 pts:\s*-?\d+ pts_time:(-?[\d.eE+-]+)/.exec(
      line,
    );
  if (!match) return undefined;
  const filterIndex = Number(match[1]);
  const chainLength = batchChain(1).length;
  if (filterIndex % chainLength !== SHOWINFO_POSITION) return undefined;
  const offsetSec = Number(match[2]);
  return Number.isFinite(offsetSec)
    ? { frame: (filterIndex - SHOWINFO_POSITION) / chainLength, offsetSec }
    : undefined;
}

/** Frames per ffmpeg process so that its decoders stay within the memory budget (see PIPELINE_DEFAULTS.video). */
export function framesPerProcess(width: number, height: number): number {
  const { decoderMemoryBudgetMiB, maxFramesPerProcess } = PIPELINE_DEFAULTS.video;
  // ≈ 6 frames of YUV 4:2:0 per decoder, as measured for 1080p H.264 (17 MiB per input).
  const perInput = width * height * 1.5 * 6;
  const fits = Math.floor((decoderMemoryBudgetMiB * 1024 * 1024) / Math.max(1, perInput));
  return Math.min(maxFramesPerProcess, Math.max(1, fits));
}

/** A promise with its resolve and reject (Promise.withResolvers needs Node 22). Its rejection is marked handled: a
 * frame nobody waits for any more must not end the process as an unhandled rejection. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface DecodedFrame {
  image: RgbImage;
  /** Decoded frame time minus requested time (≤ 0 for keyframe seeking, ≥ 0 for accurate). */
  offsetSec: number;
}

function messageOf(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  const problems = lines.filter((l) => /\[(error|fatal|panic)\]/.test(l));
  return (problems.pop() ?? lines.pop() ?? 'no details').replace(/\[(error|fatal|panic|warning|info)\] /, '');
}

/**
 * Runs one ffmpeg process for a batch of frames. `frames[k]` settles as soon as frame k's pixels and time have
 * arrived (ffmpeg writes the frames as it decodes them), or when the process ends without it; `done` settles when the
 * process has exited.
 */
function decodeBatch(
  pathOrUrl: string,
  timesSec: readonly number[],
  options: {
    maxWidth: number;
    seek: SeekMode;
    headers?: Record<string, string>;
    container?: string;
    signal?: AbortSignal;
  },
  children: Set<ChildProcess>,
): { frames: Promise<DecodedFrame>[]; done: Promise<void> } {
  const settle = timesSec.map(() => ({
    ...deferred<DecodedFrame>(),
    image: undefined as RgbImage | undefined,
    offsetSec: undefined as number | undefined,
    settled: false,
  }));
  const tryResolve = (k: number) => {
    const slot = settle[k]!;
    if (!slot.settled && slot.image && slot.offsetSec !== undefined) {
      slot.settled = true;
      slot.resolve({ image: slot.image, offsetSec: slot.offsetSec });
    }
  };
  const args = batchExtractionArgs(pathOrUrl, timesSec, options);
  const child = spawn('ffmpeg', args, {
    stdio: ['ignore', 'ignore', 'pipe', ...timesSec.map(() => 'pipe' as const)],
    // ffmpeg's decoders zero fresh frame pools: huge pages take ≈ 45% off its CPU (bin/malloc-tunables.js).
    env: withMallocTunables(process.env),
  });
  children.add(child);
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  timesSec.forEach((_, k) => {
    const stream = child.stdio[FIRST_FRAME_FD + k] as Readable;
    const chunks: Buffer[] = [];
    let received = 0;
    let expected: number | undefined;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (expected === undefined) {
        const header = readPpmHeader(Buffer.concat(chunks));
        if (header) expected = header.pixelsAt + header.width * header.height * 3;
      }
      if (expected !== undefined && received >= expected && !settle[k]!.image) {
        try {
          settle[k]!.image = parsePpm(Buffer.concat(chunks, received));
          tryResolve(k);
        } catch (error) {
          settle[k]!.settled = true;
          settle[k]!.reject(error as Error);
        }
      }
    });
    stream.on('error', () => undefined); // the process's exit reports what went wrong
  });

  let stderr = '';
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const info = parseShowinfoLine(line);
      if (info && info.frame < settle.length) {
        settle[info.frame]!.offsetSec = info.offsetSec;
        tryResolve(info.frame);
      } else if (!line.includes('Parsed_showinfo')) {
        stderr += `${line}\n`;
      }
    }
  });

  const done = new Promise<void>((resolve) => {
    const finish = (failure: string) => {
      options.signal?.removeEventListener('abort', onAbort);
      children.delete(child);
      settle.forEach((slot) => {
        if (slot.settled) return;
        slot.settled = true;
        if (slot.image) slot.resolve({ image: slot.image, offsetSec: slot.offsetSec ?? 0 });
        else slot.reject(new Error(failure));
      });
      resolve();
    };
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ENOENT'
          ? 'ffmpeg is not installed or not on PATH; install ffmpeg (Debian: apt-get install ffmpeg)'
          : error.message,
      ),
    );
    child.on('close', (code) =>
      finish(code === 0 ? 'no frame at this time' : `ffmpeg: ${messageOf(stderr + partial)}`),
    );
  });
  return { frames: settle.map((slot) => slot.promise), done };
}

/**
 * Splits `count` frames into batches of at most `size`. The first batch is small (2 frames): ffmpeg opens all of a
 * batch's inputs before it decodes any, so a small first batch lets face detection start ≈ a second earlier.
 */
export function planBatches(count: number, size: number): { first: number; size: number }[] {
  const batches: { first: number; size: number }[] = [];
  for (let first = 0; first < count;) {
    const take = Math.min(batches.length === 0 ? Math.min(size, 2) : size, count - first);
    batches.push({ first, size: take });
    first += take;
  }
  return batches;
}

/**
 * Decodes `count` frames spread evenly over [startFraction, endFraction] of the video and yields them in time order
 * as they become ready, so the consumer works on one frame while the next ones decode.
 *
 * Frames go in batches to long-running ffmpeg processes (one process start for many frames: a one-frame process costs
 * ≈ 0.18 s of CPU, a frame inside a batch ≈ 0.055 s); frames far apart are taken at keyframes (see
 * PIPELINE_DEFAULTS.video.keyframeSeekMinSpacingSec), so the decoded time can be up to a keyframe interval before the
 * requested one, and a frame that lands on the same keyframe as the previous one is skipped. A frame a batch could
 * not deliver is retried alone, exactly; frames that still fail are skipped with a warning; when none decodes, or the
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
  const spacing = times.length > 1 ? times[1]! - times[0]! : Infinity;
  const seek: SeekMode =
    options.seek ?? (spacing >= defaults.keyframeSeekMinSpacingSec ? 'keyframe' : 'accurate');
  const batchSize = options.framesPerProcess ?? framesPerProcess(info.width, info.height);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`framesPerProcess must be a positive integer, got ${batchSize}`);

  const children = new Set<ChildProcess>();
  const batchOptions = {
    maxWidth,
    seek,
    container: info.container,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(signal ? { signal } : {}),
  };
  // One settled-later result per planned frame; a batch fills its frames' results when it starts.
  const results = times.map(() => deferred<DecodedFrame>());
  const batches = planBatches(times.length, batchSize);
  const batchOf = (index: number) => batches.findIndex((b) => index < b.first + b.size);
  let launched = 0; // batches started
  let running = 0;
  let consumingBatch = 0;
  const launch = () => {
    // At most `concurrency` processes, and no batch more than one ahead of the one being consumed (bounded memory).
    while (
      !signal?.aborted &&
      running < concurrency &&
      launched < batches.length &&
      launched <= consumingBatch + 1
    ) {
      const { first, size } = batches[launched++]!;
      const batch = decodeBatch(pathOrUrl, times.slice(first, first + size), batchOptions, children);
      batch.frames.forEach((frame, k) => frame.then(results[first + k]!.resolve, results[first + k]!.reject));
      running++;
      void batch.done.then(() => {
        running--;
        launch();
      });
    }
  };
  const extractAlone = async (timestampSec: number): Promise<DecodedFrame> => {
    const result = await runTool(
      'ffmpeg',
      frameExtractionArgs(pathOrUrl, timestampSec, maxWidth, options.headers),
      signal,
      children,
    );
    if (result.code !== 0) throw new Error(`ffmpeg: ${lastLine(result.stderr)}`);
    if (result.stdout.length === 0) throw new Error('no frame at this time');
    // Accurate seek: the first frame at or after the time; its exact time is not reported, the request is close.
    return { image: parsePpm(result.stdout), offsetSec: 0 };
  };

  try {
    let yielded = 0;
    let lastError: Error | undefined;
    let lastTimestamp = -Infinity;
    for (let index = 0; index < times.length; index++) {
      consumingBatch = batchOf(index);
      launch();
      signal?.throwIfAborted();
      let frame: DecodedFrame | Error = await results[index]!.promise.catch((error: Error) => error);
      signal?.throwIfAborted();
      if (frame instanceof Error) frame = await extractAlone(times[index]!).catch((error: Error) => error);
      signal?.throwIfAborted();
      if (frame instanceof Error) {
        lastError = frame;
        options.onWarning?.(
          `${describeInput(pathOrUrl)}: frame at ${times[index]!.toFixed(3)} s skipped (${frame.message})`,
        );
        continue;
      }
      // Rounded to the millisecond: showinfo prints 6 significant digits, and requested + offset should land on the frame.
      const timestampSec = Math.max(0, Math.round((times[index]! + frame.offsetSec) * 1000) / 1000);
      // Two requested times before the same keyframe give the same frame: analyse it once.
      if (Math.abs(timestampSec - lastTimestamp) < 0.001) continue;
      lastTimestamp = timestampSec;
      yielded++;
      yield { index, timestampSec, requestedSec: times[index]!, image: frame.image };
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
