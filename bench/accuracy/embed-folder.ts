// Embeds every photo of a labelled folder layout DIR/<person>/*.{jpg,jpeg,png,webp}: the largest face of each file.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type FacePipeline, InputError } from '../../apps/client/src/pipeline/index.js';
import type { LabelledEmbedding } from './metrics.js';

const IMAGE = /\.(jpe?g|png|webp)$/i;

export function listLabelledImages(dir: string): { person: string; file: string }[] {
  let people: string[];
  try {
    people = readdirSync(dir).filter((p) => statSync(join(dir, p)).isDirectory());
  } catch (error) {
    const problem = (error as Error).message;
    throw new Error(`cannot read the folder ${dir} (${problem}); it must hold one folder per person`, {
      cause: error,
    });
  }
  const files = people.sort().flatMap((person) =>
    readdirSync(join(dir, person))
      .filter((f) => IMAGE.test(f))
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .map((f) => ({ person, file: join(dir, person, f) })),
  );
  if (files.length === 0) throw new Error(`no images in ${dir}: expected ${dir}/<person>/*.jpg|png|webp`);
  return files;
}

export interface EmbeddedFile extends LabelledEmbedding {
  faces: number;
  quality: number | null;
  error?: string;
}

/** Embeds each file's largest face; unreadable files are kept with a null embedding and their error. */
export async function embedFolder(
  pipeline: FacePipeline,
  dir: string,
  label: string,
): Promise<EmbeddedFile[]> {
  const items = listLabelledImages(dir);
  const out: EmbeddedFile[] = [];
  const started = performance.now();
  for (const [i, item] of items.entries()) {
    try {
      const faces = await pipeline.analyzeFile(item.file);
      const best = [...faces].sort((a, b) => b.sizePx - a.sizePx)[0];
      out.push({
        ...item,
        embedding: best?.embedding ?? null,
        faces: faces.length,
        quality: best?.quality ?? null,
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      out.push({ ...item, embedding: null, faces: 0, quality: null, error: error.message });
    }
    if ((i + 1) % 20 === 0 || i + 1 === items.length) {
      const rate = (performance.now() - started) / (i + 1);
      process.stderr.write(`${label}: ${i + 1}/${items.length} images (${rate.toFixed(0)} ms each)\n`);
    }
  }
  return out;
}
