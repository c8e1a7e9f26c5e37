// Measures the distance geometry of the real embedder on the labelled fixture photos, so that the consensus thresholds
// (apps/cloud/src/consensus/consensus.config.ts) and the synthetic performers of the poisoning benchmark rest on
// measured numbers rather than guesses.
//   node --conditions=source --import @swc-node/register/esm-register bench/poisoning/calibrate.ts \
//     [--photos ../shared/fixtures/faces/img] [--out bench/poisoning/calibration.json] [--threads 2]
// Prints quantiles of: same-person / different-person pair distances; a face to the centroid of the other photos of its
// own person (leave-one-out) and of another person; the centroids of two disjoint halves of one person's photos, and
// the centroids of two different people. Writes them as JSON (committed: bench/poisoning/calibration.json).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { centroid, dot } from '@stash-sense/vectors';
import { FacePipeline } from '../../apps/client/src/pipeline/index.js';
import { embedFolder } from '../accuracy/embed-folder.js';
import { verificationAtFar } from '../accuracy/metrics.js';
import { summarise, type DistanceSummary } from './distance-summary.js';

export interface Calibration {
  source: string;
  model: { name: string; version: string; dimension: number };
  measuredAt: string;
  people: number;
  photos: number;
  pairs: {
    genuine: DistanceSummary;
    impostor: DistanceSummary;
    thresholdAtFar1e2: number;
    thresholdAtFar1e3: number;
  };
  faceToCentroid: {
    genuine: DistanceSummary;
    impostor: DistanceSummary;
    thresholdAtFar1e2: number;
    thresholdAtFar1e3: number;
    note: string;
  };
  centroidToCentroid: { samePersonHalves: DistanceSummary; differentPeople: DistanceSummary };
}

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: resolve(import.meta.dirname, '../../../shared/fixtures/faces/img') },
    out: { type: 'string', default: resolve(import.meta.dirname, 'calibration.json') },
    threads: { type: 'string', default: '2' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.error(
    'usage: bench/poisoning/calibrate.ts [--photos DIR] [--out calibration.json] [--threads 2]\n' +
      'DIR holds one folder per person with photos (default: the shared labelled fixtures).',
  );
  process.exit(0);
}

const pipeline = await FacePipeline.create({ threads: Number(values.threads) });
const files = await embedFolder(pipeline, values.photos, 'photos');
await pipeline.close();

const byPerson = new Map<string, Float32Array[]>();
for (const f of files)
  if (f.embedding) byPerson.set(f.person, [...(byPerson.get(f.person) ?? []), f.embedding]);
const people = [...byPerson.keys()].sort();
const distance = (a: Float32Array, b: Float32Array) => 1 - dot(a, b);

const genuinePairs: number[] = [];
const impostorPairs: number[] = [];
for (let i = 0; i < people.length; i++) {
  const mine = byPerson.get(people[i]!)!;
  for (let a = 0; a < mine.length; a++)
    for (let b = a + 1; b < mine.length; b++) genuinePairs.push(distance(mine[a]!, mine[b]!));
  for (let j = i + 1; j < people.length; j++)
    for (const x of mine) for (const y of byPerson.get(people[j]!)!) impostorPairs.push(distance(x, y));
}

// Face to centroid: people with ≥ 4 photos, so that a leave-one-out centroid averages at least 3 photos.
const MIN_PHOTOS_FOR_CENTROID = 4;
const withCentroid = people.filter((p) => byPerson.get(p)!.length >= MIN_PHOTOS_FOR_CENTROID);
const fullCentroids = new Map(withCentroid.map((p) => [p, centroid(byPerson.get(p)!)]));
const genuineToCentroid: number[] = [];
const impostorToCentroid: number[] = [];
for (const person of withCentroid) {
  const mine = byPerson.get(person)!;
  mine.forEach((face, i) => genuineToCentroid.push(distance(face, centroid(mine.filter((_, j) => j !== i)))));
}
for (const person of people)
  for (const face of byPerson.get(person)!)
    for (const other of withCentroid)
      if (other !== person) impostorToCentroid.push(distance(face, fullCentroids.get(other)!));

// Centroid to centroid: two disjoint halves (alternate photos) of one person, against whole centroids of two people.
const halves: number[] = [];
for (const person of withCentroid) {
  const mine = byPerson.get(person)!;
  halves.push(
    distance(centroid(mine.filter((_, i) => i % 2 === 0)), centroid(mine.filter((_, i) => i % 2 === 1))),
  );
}
const differentCentroids: number[] = [];
for (let i = 0; i < withCentroid.length; i++)
  for (let j = i + 1; j < withCentroid.length; j++)
    differentCentroids.push(
      distance(fullCentroids.get(withCentroid[i]!)!, fullCentroids.get(withCentroid[j]!)!),
    );

const calibration: Calibration = {
  source: values.photos,
  model: { name: pipeline.model.name, version: pipeline.model.version, dimension: pipeline.model.dimension },
  measuredAt: new Date().toISOString().slice(0, 10),
  people: people.length,
  photos: [...byPerson.values()].reduce((n, v) => n + v.length, 0),
  pairs: {
    genuine: summarise(genuinePairs),
    impostor: summarise(impostorPairs),
    thresholdAtFar1e2: verificationAtFar(genuinePairs, impostorPairs, 1e-2).threshold,
    thresholdAtFar1e3: verificationAtFar(genuinePairs, impostorPairs, 1e-3).threshold,
  },
  faceToCentroid: {
    genuine: summarise(genuineToCentroid),
    impostor: summarise(impostorToCentroid),
    thresholdAtFar1e2: verificationAtFar(genuineToCentroid, impostorToCentroid, 1e-2).threshold,
    thresholdAtFar1e3: verificationAtFar(genuineToCentroid, impostorToCentroid, 1e-3).threshold,
    note: `people with ≥ ${MIN_PHOTOS_FOR_CENTROID} photos; genuine = leave-one-out centroid of the person's other photos`,
  },
  centroidToCentroid: { samePersonHalves: summarise(halves), differentPeople: summarise(differentCentroids) },
};

const line = (name: string, s: DistanceSummary) =>
  `  ${name.padEnd(28)} n=${String(s.count).padStart(5)}  min ${s.min.toFixed(3)}  p1 ${s.p01.toFixed(3)}  p10 ${s.p10.toFixed(3)}  ` +
  `median ${s.p50.toFixed(3)}  p90 ${s.p90.toFixed(3)}  p99 ${s.p99.toFixed(3)}  max ${s.max.toFixed(3)}`;
console.log(
  [
    `model ${calibration.model.name}@${calibration.model.version}: ${calibration.photos} photos of ${calibration.people} people`,
    'cosine distances:',
    line('pairs, same person', calibration.pairs.genuine),
    line('pairs, different people', calibration.pairs.impostor),
    `  pair threshold at FAR 1e-2 ${calibration.pairs.thresholdAtFar1e2.toFixed(3)}, at FAR 1e-3 ${calibration.pairs.thresholdAtFar1e3.toFixed(3)}`,
    line('face→own centroid (LOO)', calibration.faceToCentroid.genuine),
    line('face→other centroid', calibration.faceToCentroid.impostor),
    `  face→centroid threshold at FAR 1e-2 ${calibration.faceToCentroid.thresholdAtFar1e2.toFixed(3)}, at FAR 1e-3 ${calibration.faceToCentroid.thresholdAtFar1e3.toFixed(3)}`,
    line('centroid halves, same person', calibration.centroidToCentroid.samePersonHalves),
    line('centroids, different people', calibration.centroidToCentroid.differentPeople),
  ].join('\n'),
);
writeFileSync(values.out, `${JSON.stringify(calibration, null, 2)}\n`);
process.stderr.write(`calibration written to ${values.out}\n`);
