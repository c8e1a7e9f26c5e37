#!/usr/bin/env node
// Launcher for the `stash-sense` CLI (the package's `bin`).
// - After `npm run build`, apps/client/dist/cli/main.js exists and runs; otherwise (or with
//   STASH_SENSE_FROM_SOURCE=1) the TypeScript source runs through @swc-node, with the `source` export
//   condition so that @stash-sense/* packages resolve to their src/.
// - The CLI runs in a child node with glibc's malloc tunables set (bin/malloc-tunables.js: they are read at
//   process start, and they take ≈ 1 CPU-s of page faults off a 60-frame scene). A built CLI whose environment
//   has them already (that child, or a user who set them) runs in this process. Arguments, stdio, signals and
//   the exit status are passed through unchanged.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withMallocTunables } from './malloc-tunables.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtEntry = join(packageRoot, 'dist', 'cli', 'main.js');

// STASH_SENSE_FROM_SOURCE=1 runs the source even when a (possibly stale) build exists.
if (existsSync(builtEntry) && process.env.STASH_SENSE_FROM_SOURCE !== '1') {
  if (withMallocTunables(process.env) === process.env) await import(pathToFileURL(builtEntry).href);
  else runChild([builtEntry]);
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
  const env = {};
  const repoTsconfig = join(packageRoot, '..', '..', 'tsconfig.json');
  if (!process.env.SWC_NODE_PROJECT && existsSync(repoTsconfig)) env.SWC_NODE_PROJECT = repoTsconfig;
  runChild(['--conditions=source', '--import', register, sourceEntry], env);
}

/** Runs the CLI in a child node: `nodeArgs` (the entry and what node needs for it), then the CLI's arguments. */
function runChild(nodeArgs, extraEnv = {}) {
  // STASH_SENSE_LAUNCHER_PID lets the CLI notice when this launcher is gone (killed with SIGKILL, which cannot
  // be forwarded) and stop.
  const env = withMallocTunables({
    ...process.env,
    ...extraEnv,
    STASH_SENSE_LAUNCHER_PID: String(process.pid),
  });
  const child = spawn(process.execPath, [...nodeArgs, ...process.argv.slice(2)], { stdio: 'inherit', env });

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
