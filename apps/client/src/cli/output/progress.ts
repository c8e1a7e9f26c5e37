// Progress on stderr: a bar (files, frames, ETA) when stderr is a terminal, plain lines otherwise.
// stdout stays reserved for results.
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../../services/progress.js';

export interface ProgressDisplay {
  readonly onProgress: ProgressListener;
  /** Prints a warning without breaking the bar. */
  warn(message: string): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** false → no progress at all (warnings still print). */
  enabled?: boolean;
  /** What the outer bar counts, e.g. "files" or "photos". */
  unit?: string;
}

export function createProgressDisplay(options: ProgressOptions = {}): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'files';
  if (options.enabled === false) return silentDisplay(stream);
  return stream.isTTY ? barDisplay(stream, unit) : lineDisplay(stream, unit);
}

function silentDisplay(stream: NodeJS.WritableStream): ProgressDisplay {
  return {
    onProgress: () => {},
    warn: (message) => stream.write(`warning: ${message}\n`),
    stop: () => {},
  };
}

/** Plain lines for logs and pipes: one per file, and frame progress every quarter of a video. */
function lineDisplay(stream: NodeJS.WritableStream, unit: string): ProgressDisplay {
  const lastQuarter = new Map<string, number>();
  const onProgress = (event: ProgressEvent) => {
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
  return { onProgress, warn: (message) => stream.write(`warning: ${message}\n`), stop: () => {} };
}

function barDisplay(stream: NodeJS.WriteStream, unit: string): ProgressDisplay {
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
    warn: (message) => multibar.log(`warning: ${message}\n`),
    stop: () => multibar.stop(),
  };
}
