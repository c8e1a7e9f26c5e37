// Compares face detectors on a labelled folder (one person per photo) and on group photos with known face counts:
// the faceplugin detector the pipeline uses (fr_detect.onnx, 320×240, with and without its padded retry) and MediaPipe
// BlazeFace front (128²) and back (256²). A face counts when its shorter side is ≥ --min-face-size px.
//   node --conditions=source --import @swc-node/register/esm-register bench/accuracy/compare-detectors.ts \
//     [--photos ../shared/fixtures/faces/img] [--groups ../shared/fixtures/faces] [--min-face-size 20] [--threads 1]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FacePipeline,
  loadImage,
  resolveModelsDir,
  type RgbImage,
} from '../../apps/client/src/pipeline/index.js';
import { type ScoredCorners } from '../../apps/client/src/pipeline/geometry.js';
import { visibleFaceSize } from '../../apps/client/src/pipeline/detect.js';
import { BlazeFaceDetector } from './blazeface.js';
import { listLabelledImages } from './embed-folder.js';

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/faces');
const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: join(fixtures, 'img') },
    groups: { type: 'string', default: fixtures },
    'min-face-size': { type: 'string', default: '20' },
    threads: { type: 'string', default: '1' },
  },
});
const minFaceSize = Number(values['min-face-size']);
const threads = Number(values.threads);

type Detect = (image: RgbImage) => Promise<ScoredCorners[]>;
const detectors: { name: string; detect: Detect; close: () => Promise<void> }[] = [];
for (const retryPadded of [true, false]) {
  const p = await FacePipeline.create({ threads, minFaceSize, retryPadded });
  detectors.push({
    name: `faceplugin 320×240${retryPadded ? ' + padded retry' : ''}`,
    detect: (i) => p.detect(i),
    close: () => p.close(),
  });
}
for (const variant of ['front', 'back'] as const) {
  for (const threshold of [0.5, 0.75]) {
    const b = await BlazeFaceDetector.create(resolveModelsDir(), variant, threads);
    detectors.push({
      name: `blazeface ${variant} ≥${threshold}`,
      detect: async (i) =>
        (await b.detect(i, threshold)).filter(
          (d) => visibleFaceSize(d.corners, i.width, i.height) >= minFaceSize,
        ),
      close: () => b.close(),
    });
  }
}

const photos = listLabelledImages(values.photos);
const groups = readFileSync(join(values.groups, 'multi.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'));
const images = new Map<string, RgbImage>();
for (const { file } of photos) images.set(file, await loadImage(file));
for (const g of groups) images.set(join(values.groups, g[0]!), await loadImage(join(values.groups, g[0]!)));

console.log(
  `${photos.length} single-person photos, ${groups.length} group photos; faces ≥ ${minFaceSize} px; ${threads} thread(s)`,
);
console.log(
  'detector | photos with a face | photos with >1 face | group faces found (capped at truth) | extra group faces | ms/image',
);
for (const d of detectors) {
  let withFace = 0, multiple = 0, groupFound = 0, groupTruth = 0, groupExtra = 0; // prettier-ignore
  const started = performance.now();
  for (const { file } of photos) {
    const n = (await d.detect(images.get(file)!)).length;
    if (n > 0) withFace++;
    if (n > 1) multiple++;
  }
  for (const g of groups) {
    const n = (await d.detect(images.get(join(values.groups, g[0]!))!)).length;
    const truth = Number(g[4]);
    groupTruth += truth;
    groupFound += Math.min(n, truth);
    groupExtra += Math.max(0, n - truth);
  }
  const ms = (performance.now() - started) / (photos.length + groups.length);
  console.log(
    `${d.name} | ${withFace}/${photos.length} (${((100 * withFace) / photos.length).toFixed(1)}%) | ${multiple} | ` +
      `${groupFound}/${groupTruth} (${((100 * groupFound) / groupTruth).toFixed(1)}%) | ${groupExtra} | ${ms.toFixed(1)}`,
  );
  await d.close();
}
