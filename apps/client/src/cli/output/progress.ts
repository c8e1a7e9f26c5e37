// Progress on stderr: a bar (files, frames, ETA) when stderr is a terminal, plain lines otherwise.
// stdout stays reserved for results.
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../../services/progress.js';
import { writeOut } from './stdout.js';

export interface ProgressDisplay {
  readonly onProgress: ProgressListener;
  /** Writes a result to stdout without breaking the bar (text ends with a newline). */
  print(text: string): Promise<void>;
  /** Writes a message line to stderr without breaking the bar. */
  log(line: string): void;
  /** Removes the bar; results still queued for the terminal are written. */
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  out?: NodeJS.WriteStream;
  /** false → no progress at all (messages still print). */
  enabled?: boolean;
  /** What the outer bar counts, e.g. "files" or "photos". */
  unit?: string;
}

export function createProgressDisplay(options: ProgressOptions = {}): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const out = options.out ?? process.stdout;
  const unit = options.unit ?? 'files';
  if (options.enabled === false) return plainDisplay(stream, out, () => {});
  if (stream.isTTY) return barDisplay(stream, out, unit);
  return plainDisplay(stream, out, lineProgress(stream, unit));
}

function plainDisplay(
  stream: NodeJS.WritableStream,
  out: NodeJS.WritableStream,
  onProgress: ProgressListener,
): ProgressDisplay {
  return {
    onProgress,
    print: (text) => writeOut(text, out),
    log: (line) => stream.write(`${line}\n`),
    stop: () => {},
  };
}

/** Plain lines for logs and pipes: one per file, and a line per quarter of a video's frames. */
export function lineProgress(stream: NodeJS.WritableStream, unit: string): ProgressListener {
  const lastQuarter = new Map<string, number>();
  return (event: ProgressEvent) => {
    switch (event.type) {
      case 'file-start':
        stream.write(`[${event.index + 1}/${event.total} ${unit}] ${event.file}\n`);
        break;
      case 'frames': {
        const quarter = event.total > 0 ? Math.floor((4 * event.done) / event.total) : 4;
        if (quarter > (lastQuarter.get(event.file) ?? 0)) {
          lastQuarter.set(event.file, quarter);
          stream.write(`  ${basename(event.file)}: ${event.done}/${event.total} frames\n`);
        }
        break;
      }
      case 'file-done':
        lastQuarter.delete(event.file);
        break;
    }
  };
}

function barDisplay(stream: NodeJS.WriteStream, out: NodeJS.WriteStream, unit: string): ProgressDisplay {
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 20,
      format: `{label} |{bar}| {value}/{total} {unit} | ETA {eta_formatted} | {detail}`,
    },
    cliProgress.Presets.shades_classic,
  );
  let files: cliProgress.SingleBar | undefined;
  let frames: cliProgress.SingleBar | undefined;
  let stopped = false;
  // When stdout is the same terminal, results are written while the bar is cleared (at its next redraw), so the
  // bar stays below them instead of overwriting them.
  const sharesTerminal = out.isTTY === true;
  const pending: string[] = [];
  multibar.on('redraw-pre', () => {
    if (pending.length === 0) return;
    stream.write('\x1b[0J');
    out.write(pending.splice(0).join(''));
  });

  const onProgress = (event: ProgressEvent) => {
    switch (event.type) {
      case 'file-start':
        files ??= multibar.create(event.total, 0, { label: 'total ', unit, detail: '' });
        files.update(event.index, { detail: basename(event.file) });
        break;
      case 'frames':
        frames ??= multibar.create(event.total, 0, { label: 'frames', unit: 'frames', detail: '' });
        frames.setTotal(event.total);
        frames.update(event.done, { detail: basename(event.file) });
        break;
      case 'file-done':
        files?.update(event.index + 1);
        if (frames) {
          multibar.remove(frames);
          frames = undefined;
        }
        break;
    }
  };
  return {
    onProgress,
    print: async (text) => {
      if (stopped || !sharesTerminal || !files) return writeOut(text, out);
      pending.push(text);
    },
    log: (line) => (files && !stopped ? multibar.log(`${line}\n`) : stream.write(`${line}\n`)),
    stop: () => {
      if (stopped) return;
      stopped = true;
      multibar.stop();
      if (pending.length > 0) out.write(pending.splice(0).join(''));
    },
  };
}
