// Helpers of the CLI and sidecar end-to-end tests: the real CLI process, galleries and videos made from the
// labelled fixture photos (../shared/fixtures/faces; see its README for sources and licences) with real ffmpeg.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = join(import.meta.dirname, '../../../..');
export const CLI = join(REPO_ROOT, 'apps/client/bin/stash-sense.js');
export const FIXTURES = process.env.STASH_SENSE_FACE_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures/faces');
export const IMG = join(FIXTURES, 'img');

export const photo = (person: string, file: string) => join(IMG, person, file);
export const photosOf = (person: string) =>
  readdirSync(join(IMG, person))
    .sort()
    .map((file) => join(IMG, person, file));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `stash-sense …` as a real child process (the package's bin launcher) and collects its output. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
) {
  return new Promise<CliResult>((resolve, reject) => {
    // Own process group: the launcher and the CLI it starts are killed together on timeout.
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, STASH_SENSE_THREADS: '2', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses JSON Lines; fails loudly on any line that is not JSON (stdout must carry only results). */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** A gallery `<dir>/<folder>/<photo file name>` made of copies of fixture photos. */
export function makeGallery(dir: string, folders: Record<string, string[]>): string {
  for (const [folder, files] of Object.entries(folders)) {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const file of files) copyFileSync(file, join(dir, folder, basename(file)));
  }
  return dir;
}

/** A file with an image extension whose content is not an image. */
export function writeCorruptImage(path: string): string {
  writeFileSync(path, Buffer.from('this is not a JPEG file, only its name says so\n'.repeat(20)));
  return path;
}

const execFileAsync = promisify(execFile);

/**
 * An H.264 video showing each photo for `secondsEach` seconds, letterboxed to width×height (as a scene would
 * show a face at a fraction of the frame).
 */
export async function makeVideo(
  out: string,
  photos: readonly string[],
  options: {
    width: number;
    height: number;
    secondsEach: number;
    fps?: number;
    /** Frames between keyframes (x264's default 250 when absent); x264 adds keyframes at the photo changes. */
    gop?: number;
    preset?: 'ultrafast' | 'veryfast';
    /** Repeat the photos (stream copy, no re-encoding) until the video lasts about this long: real scenes run 20–40 min. */
    repeatToSec?: number;
  },
): Promise<string> {
  const { width, height, secondsEach } = options;
  const fps = options.fps ?? 10;
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', String(secondsEach), '-i', p]);
  const scaled = photos
    .map(
      (_, i) =>
        `[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p[v${i}]`,
    )
    .join(';');
  const concat = `${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0[out]`;
  const clipSec = photos.length * secondsEach;
  const copies = options.repeatToSec ? Math.max(1, Math.round(options.repeatToSec / clipSec)) : 1;
  const clip = copies > 1 ? `${out}.clip.mp4` : out;
  await execFileAsync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', ...inputs],
    ...['-filter_complex', `${scaled};${concat}`, '-map', '[out]'],
    ...['-c:v', 'libx264', '-preset', options.preset ?? 'ultrafast', '-crf', '20'],
    ...(options.gop ? ['-g', String(options.gop)] : []),
    clip,
  ]);
  if (copies > 1) {
    const list = `${out}.txt`;
    writeFileSync(list, `file '${clip}'\n`.repeat(copies));
    await execFileAsync('ffmpeg', [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        list,
        '-c',
        'copy',
        out,
      ],
    ]);
    rmSync(clip, { force: true });
    rmSync(list, { force: true });
  }
  return out;
}

/**
 * A stand-in for the cloud's POST /v1/feedback on a loopback port: records each request (authorization header and
 * JSON body) and answers a receipt; any other route gets 404.
 */
export async function startFeedbackCloud(): Promise<{
  url: string;
  requests: { authorization?: string; body: Record<string, unknown> }[];
  close(): void;
}> {
  const requests: { authorization?: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/feedback') return void res.writeHead(404).end();
      requests.push({ authorization: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: '7d1c2a4e-1f1e-4c4b-9a41-0c2f3e4d5a6b',
          receivedAt: new Date().toISOString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => server.close(),
  };
}

/** Stash-box ids of the two people of `makeTwoPeopleScene` (as if from StashDB). */
export const TWO_PEOPLE = {
  obama: '0b0b0b0b-1111-4222-8333-444455556666',
  jolie: '0a0a0a0a-1111-4222-8333-444455556666',
} as const;

/**
 * The world of the Stash tests: a face index built by the CLI from three photos each of Barack Obama and Angelina
 * Jolie (gallery folders named by their stash-box ids), and a 960×540 scene video showing two other photos of them,
 * 2 s each. Built in parallel.
 */
export async function makeTwoPeopleScene(work: string): Promise<{ indexDir: string; video: string }> {
  const indexDir = join(work, 'index');
  const gallery = makeGallery(join(work, 'gallery'), {
    [TWO_PEOPLE.obama]: [
      photo('barack_obama', '1.jpg'),
      photo('barack_obama', '2.jpg'),
      photo('barack_obama', '3.jpg'),
    ],
    [TWO_PEOPLE.jolie]: [
      photo('angelina_jolie', '7.jpg'),
      photo('angelina_jolie', '8.jpg'),
      photo('angelina_jolie', '9.jpg'),
    ],
  });
  const [build, video] = await Promise.all([
    runCli(['index', 'build-local', '--gallery', gallery, '--out', indexDir, '--no-progress']),
    makeVideo(join(work, 'scene.mp4'), [photo('barack_obama', '5.jpg'), photo('angelina_jolie', '11.jpg')], {
      width: 960,
      height: 540,
      secondsEach: 2,
    }),
  ]);
  if (build.code !== 0) throw new Error(`index build-local failed: ${build.stderr}`);
  return { indexDir, video };
}

/** Signals the process group of a child started with `detached: true` (the launcher and the CLI under it). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export interface SidecarProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL to the whole group if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Everything the sidecar wrote to stderr so far (its log). */
  log(): string;
  /** Resolves with the exit code / signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `stash-sense serve --port 0 …` as a real process and waits for its "listening on" line. */
export function startSidecarProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  return new Promise<SidecarProcess>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, STASH_SENSE_THREADS: '2', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('exit', (code, signal) => done({ code, signal })),
    );
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`the sidecar did not start in time:\n${log}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        const stop = async (graceMs = 15_000) => {
          killGroup(child, 'SIGTERM');
          const force = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
          await exited;
          clearTimeout(force);
        };
        resolve({ url: match[1]!, child, log: () => log, exited, stop });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the sidecar exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
}
