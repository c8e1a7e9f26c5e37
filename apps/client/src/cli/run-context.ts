// What every command needs while it runs: cancellation on Ctrl-C / SIGTERM, warnings, progress and exit codes.
import { CancelledError } from '../services/errors.js';
import { onTerminationSignals } from '../services/signals.js';
import { createProgressDisplay, type ProgressDisplay } from './output/progress.js';

export const EXIT = {
  ok: 0,
  /** Some inputs failed (their error was reported) or the command failed. */
  failed: 1,
  /** Bad arguments or configuration. */
  usage: 2,
  /** Interrupted (128 + SIGINT). */
  interrupted: 130,
} as const;

export interface RunContext {
  readonly signal: AbortSignal;
  readonly progress: ProgressDisplay;
  warn(message: string): void;
  error(message: string): void;
  /** Stops the progress display and removes the signal handlers. */
  close(): void;
}

/**
 * The first Ctrl-C (or SIGTERM) asks the command to stop after the current step; a second one exits at once.
 */
export function createRunContext(options: { progress?: boolean; unit?: string } = {}): RunContext {
  const controller = new AbortController();
  const progress = createProgressDisplay({ enabled: options.progress !== false, unit: options.unit });
  const removeSignalHandlers = onTerminationSignals(
    (signal) => {
      progress.log(`${signal}: stopping after the current step (press Ctrl-C again to quit at once)`);
      controller.abort(new CancelledError(`interrupted by ${signal}`));
    },
    () => {
      progress.stop();
      process.exit(EXIT.interrupted);
    },
  );
  return {
    signal: controller.signal,
    progress,
    warn: (message) => progress.log(`warning: ${message}`),
    error: (message) => progress.log(`error: ${message}`),
    close: () => {
      progress.stop();
      removeSignalHandlers();
    },
  };
}
