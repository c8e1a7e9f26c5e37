#!/usr/bin/env node
// Type-checks the workspace (tsconfig.json) and the dashboard (its app and Vite config projects) side by side,
// each incrementally: build info is kept in node_modules/.cache/tsc, so an unchanged project re-checks in seconds.
// Prints each failing project's diagnostics; exits non-zero if any project fails.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const projects = ['tsconfig.json', 'apps/dashboard/tsconfig.json', 'apps/dashboard/tsconfig.node.json'];

function check(project) {
  const buildInfo = join(root, 'node_modules/.cache/tsc', `${project.replaceAll('/', '_')}.tsbuildinfo`);
  const args = [
    tsc,
    '-p',
    project,
    '--noEmit',
    '--incremental',
    '--tsBuildInfoFile',
    buildInfo,
    '--pretty',
    String(Boolean(process.stdout.isTTY)),
  ];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => done({ project, code, output }));
  });
}

const results = await Promise.all(projects.map(check));
let failed = 0;
for (const { project, code, output } of results) {
  if (code === 0) continue;
  failed++;
  process.stdout.write(`${project}: tsc exited with ${code}\n${output}`);
}
process.exitCode = failed > 0 ? 1 : 0;
