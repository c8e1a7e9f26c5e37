import { Command } from 'commander';
import { contributeCommand } from './commands/contribute.command.js';
import { contributionsCommand } from './commands/contributions.command.js';
import { facesCommand } from './commands/faces.command.js';
import { identifyCommand } from './commands/identify.command.js';
import { indexCommand } from './commands/index.command.js';
import { serveCommand } from './commands/serve.command.js';
import { CLIENT_VERSION } from '../version.js';

export function buildProgram(): Command {
  return new Command('stash-sense')
    .description('Identify performers in images and videos by face, against a local face index.')
    .version(CLIENT_VERSION)
    .showSuggestionAfterError()
    .addCommand(facesCommand())
    .addCommand(identifyCommand())
    .addCommand(indexCommand())
    .addCommand(serveCommand())
    .addCommand(contributeCommand())
    .addCommand(contributionsCommand())
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense index build-local --gallery ~/gallery --out ~/.local/share/stash-sense/index
  $ stash-sense identify photo.jpg scene.mp4
  $ stash-sense identify --json *.jpg > results.jsonl
  $ stash-sense serve --port 6960

Environment: STASH_SENSE_INDEX_DIR, STASH_SENSE_THREADS, STASH_SENSE_DEVICE, STASH_SENSE_MODELS_DIR,
STASH_SENSE_HOST, STASH_SENSE_PORT, STASH_SENSE_MAX_UPLOAD_MB (flags win). See docs/client.md.`,
    );
}
