// Face recognition accuracy on any labelled folder layout DIR/<person>/*.{jpg,png,webp}.
//   node --conditions=source --import @swc-node/register/esm-register bench/accuracy/main.ts \
//     --gallery DIR --probes DIR [--json out.json] [--compare previous.json] [--threads 2] [--scenes 300] [--seed 1]
// Prints verification TAR at FAR 1e-2 / 1e-3 with their distance thresholds, closed-set rank-1, open-set accept/reject
// rates for probes of people absent from the gallery, and precision/recall of identification on synthetic scenes.
// Progress goes to stderr, results to stdout. Build a split of the test fixtures with split-fixtures.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FacePipeline } from '../../apps/client/src/pipeline/index.js';
import { embedFolder } from './embed-folder.js';
import {
  distanceSpread,
  openSet,
  pairDistances,
  rank1,
  verificationAtFar,
  type DistanceSpread,
  type OpenSetResult,
  type VerificationPoint,
} from './metrics.js';
import { buildScenes, identifySceneByVotes, scoreScenes, type SceneScore } from './scenes.js';

export interface AccuracyReport {
  model: { name: string; version: string; dimension: number };
  settings: { threads: number; minFaceSize: number; flipAverage: boolean; scenes: number; seed: number };
  data: {
    galleryImages: number;
    galleryPeople: number;
    probeImages: number;
    knownProbes: number;
    unknownProbes: number;
  };
  detection: { galleryNoFace: number; probeNoFace: number; unreadable: number };
  verification: { genuinePairs: number; impostorPairs: number; at: VerificationPoint[] };
  /** How far strangers are: sets the intrinsic dimension of the ANN benchmark's synthetic faces. */
  impostorDistances: DistanceSpread;
  identification: { rank1: number; probes: number };
  openSet: OpenSetResult[];
  scenes: { rule: string; result: SceneScore };
  timing: { msPerImage: number };
}

const { values } = parseArgs({
  options: {
    gallery: { type: 'string' },
    probes: { type: 'string' },
    json: { type: 'string' },
    compare: { type: 'string' },
    threads: { type: 'string', default: '2' },
    'min-face-size': { type: 'string', default: '40' },
    'flip-average': { type: 'boolean', default: false },
    scenes: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || !values.gallery || !values.probes) {
  console.error(
    'usage: bench/accuracy/main.ts --gallery DIR --probes DIR [--json out.json] [--compare previous.json]\n' +
      '       [--threads 2] [--min-face-size 40] [--flip-average] [--scenes 300] [--seed 1]\n' +
      'DIR holds one folder per person with .jpg/.png/.webp photos. Example split of the fixtures:\n' +
      '  node --conditions=source --import @swc-node/register/esm-register bench/accuracy/split-fixtures.ts',
  );
  process.exit(values.help ? 0 : 2);
}

const settings = {
  threads: Number(values.threads),
  minFaceSize: Number(values['min-face-size']),
  flipAverage: values['flip-average'],
  scenes: Number(values.scenes),
  seed: Number(values.seed),
};
const pipeline = await FacePipeline.create({
  threads: settings.threads,
  minFaceSize: settings.minFaceSize,
  flipAverage: settings.flipAverage,
});
const started = performance.now();
const gallery = await embedFolder(pipeline, values.gallery, 'gallery');
const probes = await embedFolder(pipeline, values.probes, 'probes');
const msPerImage = (performance.now() - started) / (gallery.length + probes.length);
await pipeline.close();

const galleryPeople = new Set(gallery.filter((g) => g.embedding).map((g) => g.person));
const { genuine, impostor } = pairDistances(gallery, probes);
const at = [1e-2, 1e-3].map((far) => verificationAtFar(genuine, impostor, far));
const impostorSpread = distanceSpread(impostor);
const closed = rank1(gallery, probes);
const open = at.map((v) => openSet(gallery, probes, v.threshold));
// Scene rule: a loose per-face threshold (FAR 1e-2) with two votes, or one vote at the strict one (FAR 1e-3).
const rule = { looseThreshold: at[0]!.threshold, strictThreshold: at[1]!.threshold, minVotes: 2 };
const scenes = buildScenes(galleryPeople, probes, {
  count: settings.scenes,
  seed: settings.seed,
  facesPerPerson: 3,
  maxUnknownFaces: 2,
});
const sceneResult = scoreScenes(scenes, (scene) => identifySceneByVotes(gallery, scene.faces, rule));

const report: AccuracyReport = {
  model: { name: pipeline.model.name, version: pipeline.model.version, dimension: pipeline.model.dimension },
  settings,
  data: {
    galleryImages: gallery.length,
    galleryPeople: galleryPeople.size,
    probeImages: probes.length,
    knownProbes: probes.filter((p) => galleryPeople.has(p.person)).length,
    unknownProbes: probes.filter((p) => !galleryPeople.has(p.person)).length,
  },
  detection: {
    galleryNoFace: gallery.filter((g) => !g.embedding).length,
    probeNoFace: probes.filter((p) => !p.embedding).length,
    unreadable: [...gallery, ...probes].filter((x) => x.error).length,
  },
  verification: { genuinePairs: genuine.length, impostorPairs: impostor.length, at },
  impostorDistances: impostorSpread,
  identification: { rank1: closed.rank1, probes: closed.probes },
  openSet: open,
  scenes: {
    rule: `nearest gallery person per face; reported with ≥${rule.minVotes} faces under d=${rule.looseThreshold.toFixed(3)} (FAR 1e-2) or 1 face under d=${rule.strictThreshold.toFixed(3)} (FAR 1e-3)`,
    result: sceneResult,
  },
  timing: { msPerImage },
};

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const lines = [
  `model ${report.model.name}@${report.model.version}; gallery ${report.data.galleryImages} photos of ${report.data.galleryPeople} people; ` +
    `probes ${report.data.probeImages} (${report.data.knownProbes} of gallery people, ${report.data.unknownProbes} of others)`,
  `no face found: gallery ${report.detection.galleryNoFace}, probes ${report.detection.probeNoFace}; unreadable files ${report.detection.unreadable}`,
  `verification (${genuine.length} genuine / ${impostor.length} impostor pairs):`,
  ...at.map(
    (v) =>
      `  TAR ${pct(v.tar)} at FAR ${v.far} (distance < ${v.threshold.toFixed(4)}, measured FAR ${v.measuredFar.toFixed(4)})` +
      (v.resolvable ? '' : ' — too few impostor pairs to resolve this FAR'),
  ),
  `impostor distances: mean ${impostorSpread.mean.toFixed(3)}, std ${impostorSpread.std.toFixed(3)}, ` +
    `1st / 5th percentile ${impostorSpread.p1.toFixed(3)} / ${impostorSpread.p5.toFixed(3)} ` +
    `(effective dimension 1/std² ≈ ${impostorSpread.effectiveDimension.toFixed(0)})`,
  `rank-1 identification: ${pct(closed.rank1)} of ${closed.probes} probes of gallery people`,
  ...open.map(
    (o) =>
      `open set at d < ${o.threshold.toFixed(4)}: gallery people ${pct(o.knownCorrect)} right, ${pct(o.knownWrong)} wrong, ` +
      `${pct(o.knownRejected)} rejected; others ${pct(o.unknownRejected)} rejected, ${pct(o.unknownAccepted)} wrongly accepted (of ${o.unknownProbes})`,
  ),
  `scenes (${sceneResult.scenes}, 1–3 gallery people × ≤3 photos + 0–2 photos of others): precision ${pct(sceneResult.precision)}, ` +
    `recall ${pct(sceneResult.recall)}, exact ${pct(sceneResult.exact)}`,
  `  rule: ${report.scenes.rule}`,
  `time: ${msPerImage.toFixed(0)} ms per image (${settings.threads} thread(s))`,
];
console.log(lines.join('\n'));

if (values.compare) {
  const previous = JSON.parse(readFileSync(values.compare, 'utf8')) as AccuracyReport;
  const delta = (name: string, now: number, before: number | undefined) =>
    before === undefined
      ? `  ${name}: ${pct(now)} (no previous value)`
      : `  ${name}: ${pct(now)} vs ${pct(before)} (${now >= before ? '+' : ''}${(100 * (now - before)).toFixed(1)} points)`;
  console.log(`compared with ${values.compare}:`);
  console.log(
    [
      ...at.map((v, i) => delta(`TAR at FAR ${v.far}`, v.tar, previous.verification?.at?.[i]?.tar)),
      delta('rank-1', closed.rank1, previous.identification?.rank1),
      delta(
        'open set, others rejected (FAR 1e-3)',
        open[1]!.unknownRejected,
        previous.openSet?.[1]?.unknownRejected,
      ),
      delta('scene precision', sceneResult.precision, previous.scenes?.result?.precision),
      delta('scene recall', sceneResult.recall, previous.scenes?.result?.recall),
    ].join('\n'),
  );
}
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`report written to ${values.json}\n`);
}
