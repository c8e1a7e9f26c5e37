import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EmbeddingModelInfo } from './types.js';

/** The models the pipeline runs, as installed by scripts/fetch-models.mjs (sha256 pinned there; docs/models.md). */
export const FACE_MODEL_PACKAGE = { name: 'faceplugin-face-recognition-js', version: '0.0.1' } as const;
export const FACE_MODEL_FILES = {
  detector: 'fr_detect.onnx',
  landmarks: 'fr_landmark.onnx',
  embedder: 'fr_feature.onnx',
} as const;

/** Identifies every embedding this pipeline makes; an index built with another model is not comparable. */
export const EMBEDDING_MODEL: EmbeddingModelInfo = {
  name: 'faceplugin-fr-feature',
  version: FACE_MODEL_PACKAGE.version,
  dimension: 512,
  metric: 'cosine',
};

/** This file sits at apps/client/{src,dist}/pipeline/, four levels below the repository root. */
const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

/** Root of the installed models: the option, else $STASH_SENSE_MODELS_DIR, else <repo>/.models. */
export function resolveModelsDir(option?: string): string {
  return resolve(option ?? (process.env.STASH_SENSE_MODELS_DIR || join(REPO_ROOT, '.models')));
}

/** Paths of the three model files; throws a message saying how to install them when one is missing. */
export function faceModelPaths(modelsDir: string): Record<keyof typeof FACE_MODEL_FILES, string> {
  const dir = join(modelsDir, `${FACE_MODEL_PACKAGE.name}@${FACE_MODEL_PACKAGE.version}`);
  const paths = {
    detector: join(dir, FACE_MODEL_FILES.detector),
    landmarks: join(dir, FACE_MODEL_FILES.landmarks),
    embedder: join(dir, FACE_MODEL_FILES.embedder),
  };
  const missing = Object.values(paths).filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `face model file(s) missing: ${missing.join(', ')}. Install them with \`node scripts/fetch-models.mjs\` ` +
        `(or point STASH_SENSE_MODELS_DIR / the modelsDir option at a folder that holds them).`,
    );
  }
  return paths;
}
