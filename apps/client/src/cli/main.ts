// Entry point of the `stash-sense` CLI (run by apps/client/bin/stash-sense.js).
import { type Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { CancelledError } from '../services/errors.js';
import { buildProgram } from './program.js';
import { EXIT } from './run-context.js';

// `stash-sense … | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

// Started by bin/stash-sense.js: if the launcher dies without forwarding a signal (SIGKILL), stop as on SIGTERM
// rather than live on as an orphan holding the sidecar's port.
const launcherPid = Number(process.env.STASH_SENSE_LAUNCHER_PID);
if (launcherPid > 0 && process.ppid === launcherPid) {
  const watch = setInterval(() => {
    if (process.ppid === launcherPid) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 1000).unref();
}

/** Commander settings are not inherited by commands added with addCommand: apply them to the whole tree. */
function throwInsteadOfExit(command: Command): Command {
  command.exitOverride();
  command.commands.forEach(throwInsteadOfExit);
  return command;
}

try {
  await throwInsteadOfExit(buildProgram()).parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help/version) already.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof ConfigError) {
    console.error(`stash-sense: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof CancelledError) {
    console.error(`stash-sense: ${error.message}`);
    return EXIT.interrupted;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`stash-sense: ${message}`);
  if (process.env.STASH_SENSE_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  return EXIT.failed;
}
