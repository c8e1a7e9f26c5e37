// Options shared by several commands, and how their values become the validated client config.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ClientConfig, CONFIG_ENV, loadClientConfig } from '../config.js';

export interface PipelineFlags {
  device?: string;
  threads?: string;
  modelsDir?: string;
}

export interface IndexFlags {
  index?: string;
}

export interface OutputFlags {
  json?: boolean;
  progress?: boolean;
}

export function addPipelineOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--device <device>',
        `where the models run; cuda falls back to cpu with a warning [env ${CONFIG_ENV.device}]`,
      ).choices(['cpu', 'cuda']),
    )
    .option('--threads <n>', `onnxruntime threads per model (default 2) [env ${CONFIG_ENV.threads}]`)
    .option(
      '--models-dir <dir>',
      `folder of the installed ONNX models (default <repo>/.models) [env ${CONFIG_ENV.modelsDir}]`,
    );
}

export function addIndexOption(command: Command): Command {
  return command.option(
    '--index <dir>',
    `face index folder (default ~/.local/share/stash-sense/index) [env ${CONFIG_ENV.indexDir}]`,
  );
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print JSON Lines on stdout: one object per input file, in input order')
    .option('--no-progress', 'do not show progress on stderr');
}

export function configFrom(
  flags: PipelineFlags & IndexFlags & { host?: string; port?: string; maxUploadMb?: string },
): ClientConfig {
  return loadClientConfig({
    device: flags.device,
    threads: flags.threads,
    modelsDir: flags.modelsDir,
    indexDir: flags.index,
    host: flags.host,
    port: flags.port,
    maxUploadMb: flags.maxUploadMb,
  });
}

/** Commander parser for a whole number in 1..max, with a message naming the option. */
export function positiveInt(option: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`${option} must be a whole number from 1 to ${max}, got "${value}"`);
    }
    return n;
  };
}
