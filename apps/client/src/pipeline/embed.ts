import { l2Normalize } from '@stash-sense/vectors';
import { PIPELINE_DEFAULTS, type PipelineSettings } from './defaults.js';

/**
 * Aligned face crop (interleaved RGB floats 0–255, size×size) → embedder input: planar (NCHW) in **B,G,R** order,
 * (v − mean) / std (RECIPES). `mirror` flips it left–right (for flip-averaging).
 */
export function embedderInput(
  rgb: Float32Array,
  size: number,
  mirror = false,
  config: PipelineSettings['embedder'] = PIPELINE_DEFAULTS.embedder,
): Float32Array {
  const plane = size * size;
  if (rgb.length !== plane * 3)
    throw new Error(`embedder input must be ${size}×${size} RGB (${plane * 3} values), got ${rgb.length}`);
  const out = new Float32Array(plane * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = (y * size + (mirror ? size - 1 - x : x)) * 3;
      const dst = y * size + x;
      out[dst] = (rgb[src + 2]! - config.mean) / config.std; // B
      out[plane + dst] = (rgb[src + 1]! - config.mean) / config.std; // G
      out[2 * plane + dst] = (rgb[src]! - config.mean) / config.std; // R
    }
  }
  return out;
}

/** Mean of the embeddings, L2-normalised (flip-averaging; a single embedding is just normalised). */
export function combineEmbeddings(embeddings: readonly Float32Array[]): Float32Array {
  const first = embeddings[0];
  if (!first) throw new Error('no embeddings to combine');
  const sum = new Float32Array(first.length);
  for (const e of embeddings) for (let i = 0; i < sum.length; i++) sum[i]! += e[i]!;
  return l2Normalize(sum);
}
