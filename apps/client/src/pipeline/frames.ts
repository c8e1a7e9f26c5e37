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
  /** Clockwise turn (0, 90, 180 or 270 degrees) that displays the stored frames upright, as ffmpeg's autorotate reads it. */
  rotation: number;
  /** The container's start time (MPEG-TS often starts at 1.4 s, MP4 at 0): seeks and frame times are relative to it. */
  startSec: number;
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
  /** ffmpeg processes decoding batches at once (exact seeks, containers without a seek index). Default 2 (PIPELINE_DEFAULTS.video.concurrency). */
  concurrency?: number;
  /** Seeking: default `keyframe` when the frames are at least keyframeSeekMinSpacingSec apart, else `accurate`. */
  seek?: SeekMode;
  /** Frames per batch process; default from the frame size and the decoder memory budget (framesPerProcess). */
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
    format?: { duration?: string; format_name?: string; start_time?: string };
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
  // ffprobe prints the display matrix's counter-clockwise angle (-90 for a phone held upright); the old `rotate` tag
  // holds the clockwise turn. ffmpeg's autorotate turns by the clockwise angle.
  const matrixAngle = stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation;
  const clockwise = matrixAngle !== undefined ? -Number(matrixAngle) : Number(stream.tags?.rotate ?? 0);
  const rotation = Number.isFinite(clockwise) ? (((Math.round(clockwise / 90) % 4) + 4) % 4) * 90 : 0;
  const container = parsed.format?.format_name ?? '';
  const start = Number(parsed.format?.start_time ?? 0);
  const startSec = Number.isFinite(start) ? start : 0;
  return rotation % 180 === 90
    ? { durationSec, width: stream.height, height: stream.width, container, rotation, startSec }
    : { durationSec, width: stream.width, height: stream.height, container, rotation, startSec };
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
    '-show_entries', 'stream=width,height,duration:stream_side_data=rotation:stream_tags=rotate:format=duration,format_name,start_time',
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

/**
 * Escapes `value` for one level of ffmpeg's option and filtergraph syntax (ffmpeg-filters, "Notes on filtergraph
 * escaping"): a backslash before every character some level treats specially, and before whitespace at either end,
 * which a level would trim. A backslash before any other character stands for that character, so one function serves
 * every level; apply it once per level, innermost first.
 */
export function escapeFilterValue(value: string): string {
  return value
    .replace(/[\\':=[\],;]/g, '\\$&')
    .replace(/^\s+|\s+$/g, (ends) => ends.replace(/[\s\S]/g, '\\$&'));
}

/** Filters that turn stored frames upright (what ffmpeg's autorotate inserts for `-i`; the movie source has none). */
function rotationFilters(rotation: number): string[] {
  if (rotation === 90) return ['transpose=clock'];
  if (rotation === 180) return ['hflip', 'vflip'];
  if (rotation === 270) return ['transpose=cclock'];
  return [];
}

/** Instance names in the seeking decoder's filtergraph: the source that seeks, and the showinfo that logs each frame. */
const SEEK_SOURCE = 'movie@source';
const SEEK_SHOWINFO = 'showinfo@sampled';

/**
 * ffmpeg arguments that decode the keyframe at or before each of `timesSec` with ONE demuxer and ONE decoder (the
 * seeking decoder): a `movie` source opens the file once and seeks to the first time; every frame it puts out is
 * numbered (`setpts=N/TB`), and `sendcmd` answers frame k with a `seek` command to time k + 1 (the demuxer's index
 * finds the keyframe at or before it, the decoder is flushed). Frame k's pixels are the k-th PPM on stdout, its stored
 * time is logged by showinfo (`parseSeekingShowinfoLine`). Against one input per frame (batchExtractionArgs) this
 * skips the batches' process starts, and a file open and a fresh, zeroed decoder per frame: 60 frames of a 20-min
 * 1080p video took ≈ 1.9 instead of ≈ 3.7 CPU-s of ffmpeg in a scene (docs/benchmarks.md). Needs a container with a
 * seek index (MP4/MOV, Matroska/WebM).
 */
export function seekingExtractionArgs(
  pathOrUrl: string,
  timesSec: readonly number[],
  options: {
    maxWidth: number;
    headers?: Record<string, string>;
    rotation?: number;
    startSec?: number;
  },
): string[] {
  if (timesSec.length === 0) throw new Error('no frame times to decode');
  const startSec = options.startSec ?? 0;
  // Input options (network timeout, HTTP headers) go to the demuxer through the source's format_opts dictionary.
  const inputOptions = headerArgs(pathOrUrl, options.headers);
  const formatOptions = [];
  for (let i = 0; i < inputOptions.length; i += 2) {
    formatOptions.push(`${inputOptions[i]!.slice(1)}=${escapeFilterValue(inputOptions[i + 1]!)}`);
  }
  const source = [
    `filename=${escapeFilterValue(pathOrUrl)}`,
    // The source adds the container's start time to seek_point itself; seek commands take absolute microseconds.
    `seek_point=${timesSec[0]!.toFixed(6)}`,
    // One decoder thread: frames decode one after another on one core, the other core detects faces.
    'dec_threads=1',
    ...(formatOptions.length > 0 ? [`format_opts=${escapeFilterValue(formatOptions.join(':'))}`] : []),
  ].join(':');
  // Interval [k, k + 0.5) of the numbered frames: entered once, by frame k. Stream -1 takes AV_TIME_BASE
  // (microseconds); flag 1 is AVSEEK_FLAG_BACKWARD (the keyframe at or before the time).
  const commands = timesSec
    .slice(1)
    .map((t, k) => `${k}.0-${k}.5 [enter] ${SEEK_SOURCE} seek -1|${Math.round((t + startSec) * 1e6)}|1`)
    .join(';');
  const chain = [
    `${SEEK_SOURCE}=${escapeFilterValue(source)}`,
    SEEK_SHOWINFO,
    ...(commands ? ['setpts=N/TB', `sendcmd=c=${escapeFilterValue(escapeFilterValue(commands))}`] : []),
    ...rotationFilters(options.rotation ?? 0),
    ...scaleFilters(options.maxWidth),
  ];
  return [
    '-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+info',
    '-filter_complex', chain.join(','),
    // One picture per decoded frame (image2pipe would otherwise repeat frames to fill a constant frame rate).
    '-fps_mode', 'passthrough',
    '-frames:v', String(timesSec.length),
    '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1',
  ]; // prettier-ignore
}

/** The number of the seeking decoder's frame (`n`, 0-based) and its stored time, from its showinfo log line. */
export function parseSeekingShowinfoLine(line: string): { frame: number; timeSec: number } | undefined {
  const match =
    /^\[showinfo@sampled @ [^\]]*\] (?:\[info\] )?n:\s*(\d+) pts:\s*-?\d+ pts_time:(-?[\d.eE+-]+)/.exec(line);
  if (!match) return undefined;
  const timeSec = Number(match[2]);
  return Number.isFinite(timeSec) ? { frame: Number(match[1]), timeSec } : undefined;
}

/**
 * Whether frame k of the seeking decoder is what a keyframe seek to `timesSec[k]` gives: at or before the time and,
 * unless it is the keyframe frame k - 1 already gave (both times before the same keyframe), after the previous time.
 * A seek the demuxer could not do leaves the decoder going on from where it was, and that frame fails this check.
 */
export function isSeekedFrame(
  k: number,
  timeSec: number,
  timesSec: readonly number[],
  previousTimeSec: number | undefined,
): boolean {
  const tolerance = 0.0005; // showinfo prints 6 significant digits
  if (timeSec > timesSec[k]! + tolerance) return false;
  if (k === 0) return true;
  return timeSec > timesSec[k - 1]! + tolerance || Math.abs(timeSec - (previousTimeSec ?? NaN)) < tolerance;
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
 * Starts ffmpeg to decode frames: `stdio` after stdin (ignored) and stderr (its log); it is added to `children` (killed
 * when the sampling stops) and killed when `signal` aborts. Each complete log line goes to `takeLine`; lines it does
 * not take are kept for the error message. `exited` settles once the process has ended, with why a frame it did not
 * deliver is missing.
 */
function startFfmpeg(
  args: string[],
  stdio: { stdout: 'pipe' | 'ignore'; framePipes: number },
  signal: AbortSignal | undefined,
  children: Set<ChildProcess>,
  takeLine: (line: string) => boolean,
): { child: ChildProcess; exited: Promise<string> } {
  const child = spawn('ffmpeg', args, {
    stdio: [
      'ignore',
      stdio.stdout,
      'pipe',
      ...Array.from({ length: stdio.framePipes }, () => 'pipe' as const),
    ],
    // ffmpeg's decoders zero fresh frame pools: huge pages take ≈ 45% off its CPU (bin/malloc-tunables.js).
    env: withMallocTunables(process.env),
  });
  children.add(child);
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  let log = '';
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (!takeLine(line)) log += `${line}\n`;
  });
  const exited = new Promise<string>((resolve) => {
    let ended = false;
    const end = (failure: string) => {
      if (ended) return;
      ended = true;
      signal?.removeEventListener('abort', onAbort);
      children.delete(child);
      resolve(failure);
    };
    child.on('error', (error: NodeJS.ErrnoException) =>
      end(
        error.code === 'ENOENT'
          ? 'ffmpeg is not installed or not on PATH; install ffmpeg (Debian: apt-get install ffmpeg)'
          : error.message,
      ),
    );
    child.on('close', (code) =>
      end(code === 0 ? 'no frame at this time' : `ffmpeg: ${messageOf(log + partial)}`),
    );
  });
  return { child, exited };
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
  const { child, exited } = startFfmpeg(
    batchExtractionArgs(pathOrUrl, timesSec, options),
    { stdout: 'ignore', framePipes: timesSec.length },
    options.signal,
    children,
    (line) => {
      const info = parseShowinfoLine(line);
      if (info && info.frame < settle.length) {
        settle[info.frame]!.offsetSec = info.offsetSec;
        tryResolve(info.frame);
        return true;
      }
      return line.includes('Parsed_showinfo');
    },
  );

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

  const done = exited.then((failure) => {
    settle.forEach((slot) => {
      if (slot.settled) return;
      slot.settled = true;
      if (slot.image) slot.resolve({ image: slot.image, offsetSec: slot.offsetSec ?? 0 });
      else slot.reject(new Error(failure));
    });
  });
  return { frames: settle.map((slot) => slot.promise), done };
}

/**
 * Runs the seeking decoder (seekingExtractionArgs) for all of `timesSec`. `frames[k]` settles as soon as frame k's
 * pixels and time have arrived, rejected when the frame is not what the seek asked for (isSeekedFrame) or the process
 * ended without it; `done` settles when the process has exited. The frames come in order on one pipe, so reading
 * pauses while `maxAhead` of them wait for the consumer (`taken(k)`: frames before k are no longer needed).
 */
function decodeBySeeking(
  pathOrUrl: string,
  timesSec: readonly number[],
  options: {
    maxWidth: number;
    rotation: number;
    startSec: number;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  },
  children: Set<ChildProcess>,
): { frames: Promise<DecodedFrame>[]; done: Promise<void>; taken: (k: number) => void } {
  const maxAhead = 4;
  const slots = timesSec.map(() => ({
    ...deferred<DecodedFrame>(),
    image: undefined as RgbImage | undefined,
    timeSec: undefined as number | undefined,
    settled: false,
  }));
  const settleIfComplete = (k: number) => {
    const slot = slots[k]!;
    if (slot.settled || !slot.image || slot.timeSec === undefined) return;
    slot.settled = true;
    if (isSeekedFrame(k, slot.timeSec, timesSec, slots[k - 1]?.timeSec)) {
      slot.resolve({ image: slot.image, offsetSec: slot.timeSec - timesSec[k]! });
    } else {
      slot.reject(
        new Error(`the seek to ${timesSec[k]!.toFixed(3)} s gave the frame at ${slot.timeSec.toFixed(3)} s`),
      );
    }
  };
  const { child, exited } = startFfmpeg(
    seekingExtractionArgs(pathOrUrl, timesSec, options),
    { stdout: 'pipe', framePipes: 0 },
    options.signal,
    children,
    (line) => {
      const info = parseSeekingShowinfoLine(line);
      if (info && info.frame < slots.length) {
        slots[info.frame]!.timeSec = info.timeSec - options.startSec;
        settleIfComplete(info.frame);
        return true;
      }
      return line.includes(SEEK_SHOWINFO);
    },
  );

  const stdout = child.stdout!;
  let received = 0; // frames whose pixels have arrived
  let takenBefore = 0;
  let chunks: Buffer[] = [];
  let buffered = 0;
  let expected: number | undefined;
  stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (expected === undefined) {
        const header = readPpmHeader(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered));
        if (!header) break;
        expected = header.pixelsAt + header.width * header.height * 3;
      }
      if (buffered < expected) break;
      const data = Buffer.concat(chunks, buffered);
      const k = received++;
      if (k < slots.length && !slots[k]!.settled) {
        try {
          slots[k]!.image = parsePpm(data.subarray(0, expected));
          settleIfComplete(k);
        } catch (error) {
          slots[k]!.settled = true;
          slots[k]!.reject(error as Error);
        }
      }
      chunks = buffered > expected ? [data.subarray(expected)] : [];
      buffered -= expected;
      expected = undefined;
    }
    if (received - takenBefore >= maxAhead) stdout.pause();
  });
  stdout.on('error', () => undefined); // the process's exit reports what went wrong
  const taken = (k: number) => {
    takenBefore = Math.max(takenBefore, k);
    if (stdout.isPaused() && received - takenBefore < maxAhead) stdout.resume();
  };

  const done = exited.then((failure) => {
    for (const slot of slots) {
      if (slot.settled) continue;
      slot.settled = true;
      slot.reject(new Error(failure));
    }
  });
  return { frames: slots.map((slot) => slot.promise), done, taken };
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
 * Frames far apart (see PIPELINE_DEFAULTS.video.keyframeSeekMinSpacingSec) are taken at keyframes, so the decoded time
 * can be up to a keyframe interval before the requested one, and a frame that lands on the same keyframe as the
 * previous one is skipped; in MP4/MOV and Matroska/WebM one seeking decoder takes them all (seekingExtractionArgs).
 * Closer frames, and keyframes in containers whose seeks are estimates, go in batches to long-running ffmpeg processes
 * (one process start for many frames: a one-frame process costs ≈ 0.18 s of CPU, a frame inside a batch ≈ 0.055 s).
 * A frame either way could not deliver is retried alone, exactly; frames that still fail are skipped with a warning;
 * when none decodes, or the video cannot be read at all, it throws an InputError naming the input. Breaking out of the
 * loop or aborting the signal stops the ffmpeg processes.
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
  // One settled-later result per planned frame, filled by the seeking decoder or by a batch when it starts.
  const results = times.map(() => deferred<DecodedFrame>());
  const batches = planBatches(times.length, batchSize);
  const batchOf = (index: number) => batches.findIndex((b) => index < b.first + b.size);
  let launched = 0; // batches started
  let running = 0;
  let consumingBatch = 0;
  const launchBatches = () => {
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
        launchBatches();
      });
    }
  };
  // Keyframe seeks in a container with a seek index go to one seeking decoder; exact seeks, and containers whose
  // seeks are estimates (MPEG-TS, AVI, …), to batches of inputs.
  let consuming: (index: number) => void;
  if (seek === 'keyframe' && containerDescribesStreams(info.container)) {
    // One decoder is enough: a second one for every other frame measured no faster (docs/benchmarks.md).
    const decoder = decodeBySeeking(
      pathOrUrl,
      times,
      { ...batchOptions, rotation: info.rotation, startSec: info.startSec },
      children,
    );
    decoder.frames.forEach((frame, k) => frame.then(results[k]!.resolve, results[k]!.reject));
    consuming = decoder.taken;
  } else {
    consuming = (index) => {
      consumingBatch = batchOf(index);
      launchBatches();
    };
  }
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
      consuming(index);
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
