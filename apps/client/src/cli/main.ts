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
