// `index pull`, `index trust`, `index rollback`: argument parsing and printing only (the work is in src/index/).
import { Command } from 'commander';
import { CONFIG_ENV, ConfigError, loadClientConfig } from '../../config.js';
import { IndexCloudClient } from '../../index/cloud-client.js';
import { rollbackVersion } from '../../index/index-root.js';
import { runUpdate } from '../../index/index-updater.js';
import { keyFingerprint, pinKeys } from '../../index/trusted-keys.js';
import { EMBEDDING_MODEL } from '../../pipeline/models.js';
import { createDownloadDisplay } from '../output/download-progress.js';
import { writeLine } from '../output/stdout.js';
import { createRunContext, EXIT } from '../run-context.js';

interface RemoteFlags {
  server?: string;
  index?: string;
  json?: boolean;
  progress?: boolean;
  model?: string;
  yes?: boolean;
}

function remoteConfig(flags: RemoteFlags) {
  return loadClientConfig({ indexDir: flags.index, cloudUrl: flags.server });
}

const serverHelp = `cloud URL [env ${CONFIG_ENV.cloudUrl}]`;
const indexHelp = `index folder (default ~/.local/share/stash-sense/index) [env ${CONFIG_ENV.indexDir}]`;

function pullCommand(): Command {
  return new Command('pull')
    .summary('download the latest signed face index (or a delta) and switch to it atomically')
    .description(
      'Fetches the latest release from the cloud, checks its signature against the pinned keys\n' +
        '(`index trust`), downloads a delta from the version in use when one is offered (else every file,\n' +
        'continuing partial downloads), checks every file against the signed manifest, and only then makes\n' +
        'it current. A running sidecar switches on its next request. On any failure the old index stays.',
    )
    .option('--server <url>', serverHelp)
    .option('--model <name>', `embedding model of the index (default ${EMBEDDING_MODEL.name})`)
    .option('--index <dir>', indexHelp)
    .option('--json', 'print the result as JSON on stdout')
    .option('--no-progress', 'do not show download progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense index trust --server https://sense.example.org     # once: pin the signing keys
  $ stash-sense index pull --server https://sense.example.org
  $ STASH_SENSE_CLOUD_URL=https://sense.example.org stash-sense index pull --json`,
    )
    .action(async (flags: RemoteFlags) => {
      const config = remoteConfig(flags);
      if (!config.cloudUrl)
        throw new ConfigError(`no cloud URL: pass --server URL or set ${CONFIG_ENV.cloudUrl}`);
      const run = createRunContext({ progress: false });
      const display = createDownloadDisplay({ enabled: flags.progress !== false });
      try {
        const { result } = await runUpdate({
          config,
          model: flags.model ?? EMBEDDING_MODEL.name,
          log: display.log,
          onProgress: display.onProgress,
          signal: run.signal,
        });
        display.stop();
        if (flags.json) await writeLine(JSON.stringify(result));
        else if (result.status === 'error') process.stderr.write(`stash-sense: ${result.detail}\n`);
        else if (result.status === 'current') await writeLine(`index ${result.version} is current`);
        else
          await writeLine(
            `${result.status === 'rolled-back' ? 'rolled back to' : 'updated to'} index ${result.version}` +
              ` (${result.via === 'delta' ? 'delta' : result.via === 'local' ? 'already on disk' : 'full download'}, ` +
              `${(result.downloadedBytes / 1024 / 1024).toFixed(1)} MiB downloaded)` +
              (result.previousVersion
                ? `; previous ${result.previousVersion} kept for \`index rollback\``
                : ''),
          );
        if (result.status === 'error') process.exitCode = EXIT.failed;
      } finally {
        display.stop();
        run.close();
      }
    });
}

function trustCommand(): Command {
  return new Command('trust')
    .summary("pin the cloud's index signing keys (first use, or after a key rotation)")
    .description(
      'Fetches GET /v1/indexes/keys, prints every key id with its fingerprint (sha256 of the public key), and\n' +
        'pins the keys not pinned yet. Compare the fingerprints with the ones the index publisher announces.\n' +
        'A key id already pinned with a different key is refused.',
    )
    .option('--server <url>', serverHelp)
    .option('--index <dir>', indexHelp)
    .option('--json', 'print the keys as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense index trust --server https://sense.example.org
Keys are pinned in $XDG_DATA_HOME/stash-sense/trusted-keys.json [env ${CONFIG_ENV.trustedKeysFile}].`,
    )
    .action(async (flags: RemoteFlags) => {
      const config = remoteConfig(flags);
      if (!config.cloudUrl)
        throw new ConfigError(`no cloud URL: pass --server URL or set ${CONFIG_ENV.cloudUrl}`);
      const { keys } = await new IndexCloudClient(config.cloudUrl).keys();
      if (keys.length === 0) throw new Error(`${config.cloudUrl} publishes no index signing keys`);
      const { added } = await pinKeys(config.trustedKeysFile, keys);
      const rows = keys.map((key) => ({
        kid: key.kid,
        fingerprint: keyFingerprint(key),
        pinned: added.some((k) => k.kid === key.kid) ? 'new' : 'already',
      }));
      if (flags.json) {
        await writeLine(JSON.stringify({ file: config.trustedKeysFile, keys: rows }));
        return;
      }
      for (const row of rows)
        await writeLine(
          `${row.kid}  sha256 ${row.fingerprint}  (${row.pinned === 'new' ? 'pinned now' : 'already pinned'})`,
        );
      await writeLine(`trusted keys: ${config.trustedKeysFile}`);
    });
}

function rollbackCommand(): Command {
  return new Command('rollback')
    .summary('switch back to the previous pulled index version')
    .option('--index <dir>', indexHelp)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense index rollback
A running sidecar switches on its next request. Run it again to return to the newer version.`,
    )
    .action(async (flags: RemoteFlags) => {
      const config = remoteConfig(flags);
      const { from, to } = await rollbackVersion(config.indexDir);
      if (flags.json) await writeLine(JSON.stringify({ from, to }));
      else await writeLine(`index ${to} is current again (was ${from})`);
    });
}

export function remoteIndexCommands(): Command[] {
  return [pullCommand(), trustCommand(), rollbackCommand()];
}
