// Per-stage timing of the face pipeline on one thread: detection per 1280×720 frame, and per face the embedder
// alone and the whole per-face path (landmarks + alignment + embedding + quality). Median of --runs runs.
//   node --conditions=source --import @swc-node/register/esm-register bench/accuracy/pipeline-timing.ts [--threads 1] [--runs 30]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { FacePipeline, loadImage, resolveModelsDir } from '../../apps/client/src/pipeline/index.js';
import { embedderInput } from '../../apps/client/src/pipeline/embed.js';
import { openSession, runModel, tensor } from '../../apps/client/src/pipeline/onnx-session.js';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, runs: { type: 'string', default: '30' } },
});
const threads = Number(values.threads);
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

// A 1280×720 frame with five faces: a fixture group photo stretched to 720p.
const group = resolve(import.meta.dirname, '../../../shared/fixtures/faces/multi/cf_000_5.jpg');
const frame = await loadImage(await sharp(group).resize(1280, 720, { fit: 'fill' }).png().toBuffer());
const pipeline = await FacePipeline.create({ threads });
const faces = (await pipeline.analyzeImage(frame)).length;
const detectMs = await time(() => pipeline.detect(frame));
const analyzeMs = await time(() => pipeline.analyzeImage(frame));
await pipeline.close();

const { session } = await openSession(
  join(resolveModelsDir(), 'faceplugin-face-recognition-js@0.0.1', 'fr_feature.onnx'),
  { device: 'cpu', threads },
);
const crop = new Float32Array(112 * 112 * 3).map((_, i) => (i * 37) % 256);
const embedMs = await time(() => runModel(session, tensor(embedderInput(crop, 112), [1, 3, 112, 112])));
await session.release();

console.log(`threads ${threads}, median of ${runs} runs`);
console.log(`detection, 1280×720 frame: ${detectMs.toFixed(1)} ms`);
console.log(`embedder model alone: ${embedMs.toFixed(1)} ms per face`);
console.log(
  `whole frame with ${faces} faces: ${analyzeMs.toFixed(1)} ms → ${((analyzeMs - detectMs) / faces).toFixed(1)} ms per face (landmarks + alignment + embedding + quality)`,
);
