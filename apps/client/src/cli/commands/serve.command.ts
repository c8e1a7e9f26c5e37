import { Command } from 'commander';
import { CONFIG_ENV } from '../../config.js';
import { closeOnSignals, startSidecar } from '../../server/sidecar.js';
import {
  addIndexOption,
  addPipelineOptions,
  configFrom,
  type IndexFlags,
  type PipelineFlags,
} from '../options.js';

interface ServeFlags extends PipelineFlags, IndexFlags {
  host?: string;
  port?: string;
  maxUploadMb?: string;
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .summary('run the HTTP sidecar the Stash plugin talks to')
    .description(
      'Loads the models and the face index once and answers HTTP requests:\n' +
        '  GET /health, GET /database/info, POST /identify, POST /identify/scene, GET /openapi.json\n' +
        'Binds 127.0.0.1 by default (the API has no authentication). Stops gracefully on SIGTERM / Ctrl-C.',
    )
    .option('--host <host>', `address to bind (default 127.0.0.1) [env ${CONFIG_ENV.host}]`)
    .option('--port <port>', `port, 0 for any free one (default 6960) [env ${CONFIG_ENV.port}]`)
    .option(
      '--max-upload-mb <mb>',
      `largest image upload accepted (default 25) [env ${CONFIG_ENV.maxUploadMb}]`,
    );
  addIndexOption(command);
  addPipelineOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense serve
  $ stash-sense serve --port 6960 --index ~/stash-sense/index --threads 4
  $ curl -s -F image=@photo.jpg http://127.0.0.1:6960/identify`,
    )
    .action(async (flags: ServeFlags) => {
      const config = configFrom(flags);
      const sidecar = await startSidecar(config);
      closeOnSignals(sidecar);
    });
}
