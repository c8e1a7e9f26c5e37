#!/usr/bin/env node
// Launcher for the `stash-sense` CLI (the package's `bin`).
// - After `npm run build`, apps/client/dist/cli/main.js exists and runs in this process
//   (unless STASH_SENSE_FROM_SOURCE=1).
// - Otherwise the TypeScript source runs in a child node through @swc-node, with the `source` export
//   condition so that @stash-sense/* packages resolve to their src/. Arguments, stdio, signals and the
//   exit status are passed through unchanged.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtEntry = join(packageRoot, 'dist', 'cli', 'main.js');

// STASH_SENSE_FROM_SOURCE=1 runs the source even when a (possibly stale) build exists.
if (existsSync(builtEntry) && process.env.STASH_SENSE_FROM_SOURCE !== '1') {
  await import(pathToFileURL(builtEntry).href);
} else {
  runFromSource();
}

function runFromSource() {
  const sourceEntry = join(packageRoot, 'src', 'cli', 'main.ts');
  let register;
  try {
    // Resolved from this file, so the CLI works whatever the current directory is.
    register = import.meta.resolve('@swc-node/register/esm-register');
  } catch {
    console.error(
      'stash-sense: no build at apps/client/dist and @swc-node/register is not installed.\n' +
        'Run `npm run build` (or install the dev dependencies with `npm ci`) in the repository.',
    );
    process.exit(1);
  }
  // Lets the CLI notice when this launcher is gone (killed with SIGKILL, which cannot be forwarded) and stop.
  const env = { ...process.env, STASH_SENSE_LAUNCHER_PID: String(process.pid) };
  const repoTsconfig = join(packageRoot, '..', '..', 'tsconfig.json');
  if (!env.SWC_NODE_PROJECT && existsSync(repoTsconfig)) env.SWC_NODE_PROJECT = repoTsconfig;

  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', register, sourceEntry, ...process.argv.slice(2)],
    { stdio: 'inherit', env },
  );

  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of forwarded) process.on(signal, forward);

  child.on('error', (error) => {
    console.error(`stash-sense: could not start node: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, forward);
    if (signal) {
      // Die of the same signal so the caller sees the same status as if it had run the CLI directly.
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
