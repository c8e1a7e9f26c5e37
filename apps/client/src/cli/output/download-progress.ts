// Download progress on stderr: a bar (bytes, speed, ETA) per file when stderr is a terminal, otherwise one plain
// line per file at start and at every quarter.
import cliProgress from 'cli-progress';
import type { DownloadProgress } from '../../index/cloud-client.js';

export interface DownloadDisplay {
  onProgress(progress: DownloadProgress): void;
  log(line: string): void;
  stop(): void;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

export function createDownloadDisplay(
  options: { enabled?: boolean; stream?: NodeJS.WriteStream } = {},
): DownloadDisplay {
  const stream = options.stream ?? process.stderr;
  const log = (line: string) => stream.write(`${line}\n`);
  if (options.enabled === false) return { onProgress: () => {}, log, stop: () => {} };
  if (!stream.isTTY) {
    const quarters = new Map<string, number>();
    return {
      onProgress: ({ name, done, total }) => {
        const quarter = total > 0 ? Math.floor((4 * done) / total) : 4;
        const last = quarters.get(name);
        if (last === undefined || quarter > last) {
          quarters.set(name, quarter);
          log(`${name}: ${mib(done)}/${mib(total)} MiB`);
        }
      },
      log,
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      clearOnComplete: true,
      hideCursor: true,
      format: '{name} |{bar}| {doneMiB}/{totalMiB} MiB | ETA {eta_formatted}',
    },
    cliProgress.Presets.shades_classic,
  );
  let currentName: string | undefined;
  let started = false;
  return {
    onProgress: ({ name, done, total }) => {
      if (name !== currentName) {
        if (started) bar.stop();
        bar.start(total, done, { name, doneMiB: mib(done), totalMiB: mib(total) });
        started = true;
        currentName = name;
      }
      bar.update(done, { doneMiB: mib(done), totalMiB: mib(total) });
    },
    log: (line) => {
      if (started) bar.stop();
      started = false;
      currentName = undefined;
      log(line);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
