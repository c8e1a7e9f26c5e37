#!/usr/bin/env node
// Runs the whole test suite (or the files/folders given as arguments) with Node's test runner.
// Unit tests are `*.spec.ts` beside the code; end-to-end tests are `test/**/*.e2e.ts`.
// TypeScript runs through @swc-node (it keeps decorator metadata, which Nest needs; tsx does not).
// The last line printed is the plain summary `N passed, N failed[, N skipped]`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const TEST_FILE = /\.(spec|e2e)\.ts$/;

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (TEST_FILE.test(path)) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const targets = process.argv.slice(2);
const roots = targets.length
  ? targets.map((t) => resolve(t))
  : ['apps', 'libs', 'test', 'bench'].map((d) => join(root, d));
const files = roots.flatMap((r) => {
  try {
    return collect(r, []);
  } catch {
    console.error(`no such test path: ${relative(root, r)}`);
    process.exit(2);
  }
});
if (files.length === 0) {
  console.error('no test files found');
  process.exit(2);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const args = [
  '--conditions=source',
  '--import',
  '@swc-node/register/esm-register',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts/summary-reporter.mjs')}`,
  '--test-reporter-destination=stdout',
  ...files.map((f) => relative(root, f)),
];
const child = spawn(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test', SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
