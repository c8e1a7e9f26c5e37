// Index build benchmark: synthetic trusted faces straight through the build the worker runs
// (apps/cloud/src/indexes/index-builder.ts: diversity cap, min-faces, FaceIndexWriter), then signing, then an
// incremental build (+5% faces, some removed, a few renamed performers) and its delta. No database: this
// measures the build itself (docs/benchmarks.md#index-build); the PostgreSQL read path is measured apart.
//
//   node --conditions=source --import @swc-node/register/esm-register bench/index-build/main.ts \
//     [--faces 100000] [--cap 20] [--min-faces 1] [--increment 0.05] [--threads 2] [--dimension 512] \
//     [--intrinsic-dims 100] [--expansion-add 128] [--incremental-expansion-add 128,64] [--queries 300] \
//     [--construction int8|float16] [--construction-cache on|off|off,on,...] \
//     [--json out.json] [--compare previous.json] [--keep DIR [--reuse-full]]
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FaceIndex,
  gaussian,
  IntrinsicEmbedding,
  mixSeed,
  randomUnitVector,
  seededRandom,
  signManifest,
  verifyManifestJws,
  writeIndexDelta,
} from '@stash-sense/face-index';
import { bucketPercentages, faceCountBuckets } from '../../apps/cloud/src/indexes/build-report.rules.js';
import {
  type BuildPerformerMeta,
  buildIndexVersion,
  type IndexBuildOutput,
  type PerformerFaces,
} from '../../apps/cloud/src/indexes/index-builder.js';
import { generateSigningJwk } from '../../apps/cloud/src/indexes/index-signing.service.js';
import { type DbReadResult, measureDbRead } from './db-read.js';

const { values } = parseArgs({
  options: {
    faces: { type: 'string', default: '100000' },
    cap: { type: 'string', default: '20' },
    'min-faces': { type: 'string', default: '1' },
    increment: { type: 'string', default: '0.05' },
    threads: { type: 'string', default: '2' },
    dimension: { type: 'string', default: '512' },
    'intrinsic-dims': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
    compare: { type: 'string' },
    keep: { type: 'string' },
    'reuse-full': { type: 'boolean', default: false },
    'db-faces': { type: 'string', default: '0' },
    'expansion-add': { type: 'string', default: '128' },
    'incremental-expansion-add': { type: 'string', default: '' },
    construction: { type: 'string', default: 'int8' },
    'construction-cache': { type: 'string', default: 'on' },
    queries: { type: 'string', default: '300' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: bench/index-build/main.ts [--faces 100000] [--cap 20] [--min-faces 1] [--increment 0.05] [--threads 2]\n' +
      '                                 [--dimension 512] [--json out.json] [--compare previous.json] [--keep DIR]\n' +
      '                                 [--intrinsic-dims 100: degrees of freedom of the faces; = --dimension: isotropic]\n' +
      '                                 [--db-faces N: also stream N trusted faces out of PostgreSQL (DATABASE_URL)]\n' +
      '                                 [--expansion-add 128: HNSW efConstruction] [--queries 300: recall@10 queries]\n' +
      "                                 [--incremental-expansion-add 128,64: efConstruction of the incremental build's\n" +
      "                                  insertions; each value is built from the same parent; default: the parent's]\n" +
      '                                 [--construction int8: encoding the graph links are chosen with (INDEX_BUILD_CONSTRUCTION);\n' +
      '                                  float16 is the slower reference]\n' +
      "                                 [--construction-cache on: the incremental build starts from the full build's kept\n" +
      '                                  int8 graph (as the cloud does); off: it quantises the parent file; off,on,off,on\n' +
      '                                  runs one incremental build per value, from the same parent, to compare]\n' +
      '                                 [--keep DIR --reuse-full: take the full build an earlier run with the same\n' +
      '                                  settings kept in DIR instead of building it again]\n' +
      'example: bench/index-build/main.ts --faces 50000 --json bench-50k.json\n',
  );
  process.exit(0);
}
const FACES = Number(values.faces);
const CAP = Number(values.cap);
const MIN_FACES = Number(values['min-faces']);
const INCREMENT = Number(values.increment);
const THREADS = Number(values.threads);
const DIM = Number(values.dimension);
/**
 * Faces are drawn in this many dimensions and rotated into DIM (SyntheticFaceSpace.intrinsicDimension): 100 gives
 * strangers the distance spread the shipped embedder shows on real photos (0.10, bench/accuracy); DIM is isotropic
 * noise, the hardest case for the graph (the figures before 2026-12-07).
 */
const INTRINSIC = Math.min(Number(values['intrinsic-dims']), DIM);
const intrinsic =
  INTRINSIC < DIM ? new IntrinsicEmbedding(INTRINSIC, DIM, mixSeed(Number(values.seed), 11)) : null;
const SEED = Number(values.seed);
const EXPANSION_ADD = Number(values['expansion-add']);
const INCREMENTAL_EXPANSION_ADD: (number | undefined)[] = values['incremental-expansion-add']
  ? values['incremental-expansion-add'].split(',').map(Number)
  : [undefined];
const QUERIES = Number(values.queries);
if (values.construction !== 'int8' && values.construction !== 'float16') {
  process.stderr.write(`--construction is int8 or float16, got "${values.construction}"\n`);
  process.exit(2);
}
const CONSTRUCTION: 'int8' | 'float16' = values.construction;
const CACHE_MODES = values['construction-cache'].split(',');
if (!CACHE_MODES.every((mode) => mode === 'on' || mode === 'off')) {
  process.stderr.write(`--construction-cache takes on / off values, got "${values['construction-cache']}"\n`);
  process.exit(2);
}
const progress = (m: string) => process.stderr.write(`[bench:index-build] ${m}\n`);

/**
 * Trusted faces per performer, shaped like the trainer seed (58% of performers with 1–3 faces) with a long
 * tail past the cap: 1 (30%), 2–3 (28%), 4–5 (14%), 6–10 (14%), 11–40 (14%).
 */
function faceCount(random: () => number): number {
  const r = random();
  if (r < 0.3) return 1;
  if (r < 0.58) return 2 + Math.floor(random() * 2);
  if (r < 0.72) return 4 + Math.floor(random() * 2);
  if (r < 0.86) return 6 + Math.floor(random() * 5);
  return 11 + Math.floor(random() * 30);
}

/** A pool of gaussian noise vectors: faces are centre + σ·noise, cheap enough not to dominate the timings. */
const NOISE_POOL = 8192;
const noise: Float32Array[] = [];
{
  const random = seededRandom(mixSeed(SEED, 7));
  for (let i = 0; i < NOISE_POOL; i++) {
    const z = Float32Array.from({ length: INTRINSIC }, () => gaussian(random));
    noise.push(intrinsic ? intrinsic.map(z) : z);
  }
}

interface SyntheticPerformer {
  uuid: string;
  centre: Float32Array;
  faces: number;
}

function performerUuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function makePerformers(totalFaces: number, first: number, seed: number): SyntheticPerformer[] {
  const random = seededRandom(seed);
  const out: SyntheticPerformer[] = [];
  let faces = 0;
  for (let n = first; faces < totalFaces; n++) {
    const count = Math.min(faceCount(random), totalFaces - faces);
    const centre = randomUnitVector(INTRINSIC, random);
    out.push({ uuid: performerUuid(n), centre: intrinsic ? intrinsic.map(centre) : centre, faces: count });
    faces += count;
  }
  return out;
}

/**
 * Face k of a performer: deterministic, so the incremental build sees the very same faces again. Centres and noise
 * are stored already rotated into DIM (the rotation is linear and keeps lengths), so a face costs a few DIM
 * operations. Its noise is the mean of three pool vectors picked by three hashes (scaled back to unit variance):
 * 8,192³ combinations, so faces of different performers do not share one noise vector. With a single pool vector
 * per face, ≈ 120 faces of unrelated performers shared each one and formed false clusters that trapped the graph
 * search (recall@1 0.30 at 1M faces).
 */
function faceVector(p: SyntheticPerformer, n: number, k: number): Float32Array {
  const za = noise[(n * 7919 + k * 104729) % NOISE_POOL]!;
  const zb = noise[(n * 104723 + k * 7907 + 1) % NOISE_POOL]!;
  const zc = noise[(n * 31337 + k * 65537 + 2) % NOISE_POOL]!;
  // σ keeps the same distances in any number of dimensions; / √3 makes the sum of three unit-variance noises one.
  const sigma = (0.035 * Math.sqrt(512 / INTRINSIC)) / Math.sqrt(3);
  const v = new Float32Array(DIM);
  let norm = 0;
  for (let i = 0; i < DIM; i++) {
    v[i] = p.centre[i]! + sigma * (za[i]! + zb[i]! + zc[i]!);
    norm += v[i]! * v[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIM; i++) v[i]! /= norm;
  return v;
}

/** Database-like face ids: performer n's face k. */
const faceId = (n: number, k: number) => n * 1000 + k;

async function* source(
  performers: readonly SyntheticPerformer[],
  skip: ReadonlySet<number>,
  only: readonly string[] | null,
): AsyncGenerator<PerformerFaces> {
  const wanted = only === null ? null : new Set(only);
  for (const [n, p] of performers.entries()) {
    if (wanted && !wanted.has(p.uuid)) continue;
    const faces: PerformerFaces['faces'] = [];
    for (let k = 0; k < p.faces; k++) {
      const id = faceId(n, k);
      if (!skip.has(id)) faces.push({ faceId: id, vector: faceVector(p, n, k) });
    }
    yield { performerId: p.uuid, faces };
  }
}

function metaOf(performers: readonly SyntheticPerformer[], renamed = new Set<number>()) {
  const meta = new Map<string, BuildPerformerMeta>();
  performers.forEach((p, n) =>
    meta.set(p.uuid, {
      name: renamed.has(n) ? `Performer ${n} (renamed)` : `Performer ${n}`,
      primarySource: 'stashdb',
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: p.uuid }],
    }),
  );
  return meta;
}

/**
 * Graph search (default ef) against exact search, for new faces of random performers: the nearest face found
 * (recall@1), the nearest performer agreeing (what identification uses), and recall@10. On this synthetic data
 * most of a query's 10 nearest faces beyond its own performer's are near-ties among unrelated faces, so
 * recall@10 is pessimistic; the first two are the figures that matter.
 */
async function measureRecall(
  dir: string,
  performers: readonly SyntheticPerformer[],
): Promise<{ recallAt1: number; samePerformer: number; recallAt10: number }> {
  const index = await FaceIndex.open(dir, { threads: THREADS });
  try {
    const random = seededRandom(mixSeed(SEED, 9));
    let top1 = 0;
    let performer = 0;
    let found = 0;
    let wanted = 0;
    const queries = Array.from({ length: QUERIES }, (_, q) => {
      const n = Math.floor(random() * performers.length);
      return faceVector(performers[n]!, n, 500 + q);
    });
    // One pass over the stored vectors for all queries (one exactSearch per query decodes them every time).
    const exactHits = index.exactSearchBatch(queries, 10);
    for (let q = 0; q < QUERIES; q++) {
      const exact = exactHits[q]!;
      const approx = index.search(queries[q]!, 10);
      if (approx[0]?.faceId === exact[0]?.faceId) top1++;
      if (approx[0]?.performerId === exact[0]?.performerId) performer++;
      const truth = new Set(exact.map((h) => h.faceId));
      for (const hit of approx) if (truth.has(hit.faceId)) found++;
      wanted += truth.size;
    }
    return {
      recallAt1: +(top1 / QUERIES).toFixed(4),
      samePerformer: +(performer / QUERIES).toFixed(4),
      recallAt10: +(found / wanted).toFixed(4),
    };
  } finally {
    index.close();
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** What the incremental builds and the report need of the full build; kept as JSON beside it with --keep. */
interface FullRun {
  when: string;
  params: Record<string, unknown>;
  full: IndexBuildOutput;
  fullMs: number;
  fullCpu: NodeJS.CpuUsage;
  signMs: number;
  fullBytes: number;
  recall: Awaited<ReturnType<typeof measureRecall>>;
  performerIds: [string, number][];
}

/** The full build an earlier --keep run left, if it was built with `params` and its files are still there. */
function readKeptFull(statePath: string, params: Record<string, unknown>): FullRun | undefined {
  let run: FullRun;
  try {
    run = JSON.parse(readFileSync(statePath, 'utf8')) as FullRun;
  } catch {
    return undefined;
  }
  const sameSettings = JSON.stringify(run.params) === JSON.stringify(params);
  const root = dirname(statePath);
  return sameSettings &&
    existsSync(join(root, 'bench-1', 'manifest.json')) &&
    existsSync(join(root, 'construction-cache.bench-1'))
    ? run
    : undefined;
}

async function main() {
  const root = values.keep ?? (await mkdtemp(join(tmpdir(), 'bench-index-build-')));
  const cacheDir = join(root, 'construction-cache');
  const model = { name: 'bench-model', version: '1', dimension: DIM };
  const key = generateSigningJwk();
  const performers = makePerformers(FACES, 0, mixSeed(SEED, 1));
  progress(
    `${FACES} trusted faces of ${performers.length} performers, cap ${CAP}, min-faces ${MIN_FACES}, ${THREADS} threads`,
  );

  // Full build from scratch.
  const performerIds = new Map<string, number>();
  let lastReport = 0;
  const onProgress = (phase: string, done: number, total: number) => {
    if (Date.now() - lastReport < 5_000) return;
    lastReport = Date.now();
    progress(`  ${phase} ${done}/${total} (rss ${mb(process.memoryUsage().rss)} MB)`);
  };
  // Each incremental build with the cache takes the full build's entry out of it: a copy is kept to put back.
  const cacheCopy = join(root, 'construction-cache.bench-1');
  const statePath = join(root, 'bench-1.state.json');
  const params = { FACES, CAP, MIN_FACES, SEED, DIM, INTRINSIC, THREADS, EXPANSION_ADD, CONSTRUCTION };
  let t: number;
  let cpu: NodeJS.CpuUsage;
  let fullRun: FullRun;
  const kept = values['reuse-full'] && values.keep ? readKeptFull(statePath, params) : undefined;
  if (kept) {
    fullRun = kept;
    for (const [uuid, id] of kept.performerIds) performerIds.set(uuid, id);
    progress(`reusing the full build kept in ${root} (built ${kept.when})`);
  } else {
    if (values['reuse-full']) progress(`no full build with these settings kept in ${root}: building it`);
    await rm(join(root, 'bench-1'), { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
    t = performance.now();
    cpu = process.cpuUsage();
    const built: IndexBuildOutput = await buildIndexVersion({
      model,
      indexVersion: 'bench-1',
      outDir: join(root, 'bench-1'),
      parent: null,
      rebuild: false,
      performers: metaOf(performers),
      faces: (only) => source(performers, new Set(), only),
      performerIds,
      presentFaces: new Map(),
      maxFacesPerPerformer: CAP,
      minFaces: MIN_FACES,
      threads: THREADS,
      expansionAdd: EXPANSION_ADD,
      constructionStorage: CONSTRUCTION,
      constructionCache: cacheDir,
      onProgress,
    });
    const fullMs = performance.now() - t;
    await rm(cacheCopy, { recursive: true, force: true });
    await cp(cacheDir, cacheCopy, { recursive: true });
    const fullCpu = process.cpuUsage(cpu);
    t = performance.now();
    const jws = await signManifest(built.manifest!, {
      kid: key.kid,
      privateJwk: { kty: 'OKP', crv: 'Ed25519', x: key.x, d: key.d },
    });
    await verifyManifestJws(jws, [
      { kty: 'OKP', crv: 'Ed25519', x: key.x, kid: key.kid, alg: 'EdDSA', use: 'sig' },
    ]);
    const signMs = performance.now() - t;
    const fullBytes = await dirSize(join(root, 'bench-1'));
    const recall = await measureRecall(join(root, 'bench-1'), performers);
    fullRun = {
      when: new Date().toISOString(),
      params,
      full: built,
      fullMs,
      fullCpu,
      signMs,
      fullBytes,
      recall,
      performerIds: [...performerIds],
    };
    if (values.keep) writeFileSync(statePath, JSON.stringify(fullRun));
  }
  const { full, fullMs, fullCpu, signMs, fullBytes, recall } = fullRun;
  const buckets = faceCountBuckets(full.faceCounts);
  progress(`full build ${(fullMs / 1000).toFixed(1)} s: ${full.faces} faces indexed, ${mb(fullBytes)} MB`);

  // Incremental: +INCREMENT new faces (half to new performers, half to existing ones), 0.5% removed, 1% renamed.
  const present = new Map<number, number>();
  full.newFaceIds.forEach((id, i) => present.set(id, full.newIndexFaceIds[i]!));
  const extra = Math.round(FACES * INCREMENT);
  const grown = performers.map((p) => ({ ...p }));
  const random = seededRandom(mixSeed(SEED, 3));
  for (let i = 0; i < extra / 2; i++) grown[Math.floor(random() * grown.length)]!.faces++;
  grown.push(...makePerformers(extra - Math.floor(extra / 2), performers.length, mixSeed(SEED, 4)));
  const removed = new Set<number>();
  for (const id of present.keys()) if (random() < 0.005) removed.add(id);
  const renamed = new Set<number>();
  for (let n = 0; n < performers.length; n++) if (random() < 0.01) renamed.add(n);
  const incrementals = [];
  const variants = INCREMENTAL_EXPANSION_ADD.flatMap((expansionAdd) =>
    CACHE_MODES.map((cache, run) => ({ expansionAdd, cache: cache === 'on', run })),
  );
  for (const { expansionAdd: incrementalExpansionAdd, cache, run } of variants) {
    const name = `bench-2${incrementalExpansionAdd ? `-ef${incrementalExpansionAdd}` : ''}-cache-${cache ? 'on' : 'off'}-${run}`;
    await rm(cacheDir, { recursive: true, force: true });
    if (cache) await cp(cacheCopy, cacheDir, { recursive: true });
    await rm(join(root, name), { recursive: true, force: true }); // left by an earlier --keep run
    t = performance.now();
    cpu = process.cpuUsage();
    const inc = await buildIndexVersion({
      model,
      indexVersion: name,
      outDir: join(root, name),
      parent: { dir: join(root, 'bench-1'), version: 'bench-1' },
      rebuild: false,
      performers: metaOf(grown, renamed),
      faces: (only) => source(grown, removed, only),
      // What the repository's trustedFaceIds answers: ids only, so unchanged performers' vectors are not read.
      trustedFaceIds: new Map(
        grown.map((p, n) => [
          p.uuid,
          Array.from({ length: p.faces }, (_, k) => faceId(n, k)).filter((id) => !removed.has(id)),
        ]),
      ),
      // Each incremental build starts from the full build's mapping (a build adds its new performers to it).
      performerIds: new Map(performerIds),
      presentFaces: present,
      maxFacesPerPerformer: CAP,
      minFaces: MIN_FACES,
      threads: THREADS,
      constructionStorage: CONSTRUCTION,
      ...(incrementalExpansionAdd ? { incrementalExpansionAdd } : {}),
      ...(cache ? { constructionCache: cacheDir } : {}),
      onProgress,
    });
    const incMs = performance.now() - t;
    const incCpu = process.cpuUsage(cpu);
    t = performance.now();
    await signManifest(inc.manifest!, {
      kid: key.kid,
      privateJwk: { kty: 'OKP', crv: 'Ed25519', x: key.x, d: key.d },
    });
    const deltaFile = join(root, `${name}.delta`);
    await rm(deltaFile, { force: true });
    await writeIndexDelta(join(root, 'bench-1'), join(root, name), deltaFile);
    const deltaMs = performance.now() - t;
    const deltaBytes = (await stat(deltaFile)).size;
    progress(
      `incremental build (efConstruction ${inc.manifest!.ann.expansionAdd}, parent graph from the ${inc.parentGraph}) ` +
        `${(incMs / 1000).toFixed(1)} s (open ${(inc.timings.openMs / 1000).toFixed(1)}, select ` +
        `${(inc.timings.selectMs / 1000).toFixed(1)}, graph + files ${(inc.timings.writeMs / 1000).toFixed(1)} s: ` +
        `load the parent graph ${((inc.timings.write?.loadParentMs ?? 0) / 1000).toFixed(1)}, remove + insert ` +
        `${((inc.timings.write?.insertMs ?? 0) / 1000).toFixed(1)}, files ${((inc.timings.write?.filesMs ?? 0) / 1000).toFixed(1)} s), ` +
        `delta ${(deltaMs / 1000).toFixed(1)} s (${mb(deltaBytes)} MB)`,
    );
    incrementals.push({
      expansionAdd: inc.manifest!.ann.expansionAdd,
      parentGraph: inc.parentGraph,
      changes: inc.changes,
      seconds: +(incMs / 1000).toFixed(2),
      timings: inc.timings,
      cpuSeconds: +((incCpu.user + incCpu.system) / 1e6).toFixed(1),
      deltaSeconds: +(deltaMs / 1000).toFixed(2),
      deltaMb: +(deltaBytes / 1048576).toFixed(1),
      /** Queries of random performers of the parent, and of performers new in this version (all faces inserted now). */
      recall: await measureRecall(join(root, name), performers),
      recallNewPerformers: await measureRecall(join(root, name), grown.slice(performers.length)),
    });
    if (!values.keep) await rm(join(root, name), { recursive: true, force: true });
  }

  let dbRead: DbReadResult | null = null;
  if (Number(values['db-faces']) > 0) {
    progress(`seeding ${values['db-faces']} trusted faces into a fresh database`);
    dbRead = await measureDbRead(Number(values['db-faces']), 5, progress);
    progress(`database read: ${dbRead.facesPerSec} faces/s`);
  }

  const facesPerSec = Math.round(full.faces / (fullMs / 1000));
  const result = {
    when: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? '?',
      memoryGb: Math.round(totalmem() / 2 ** 30),
    },
    input: {
      trustedFaces: FACES,
      performers: performers.length,
      cap: CAP,
      minFaces: MIN_FACES,
      dimension: DIM,
      intrinsicDimension: INTRINSIC,
      threads: THREADS,
      construction: CONSTRUCTION,
    },
    full: {
      /** When --reuse-full took the full build an earlier run kept: its time. */
      reusedFrom: kept ? kept.when : null,
      faces: full.faces,
      performers: full.performers,
      seconds: +(fullMs / 1000).toFixed(2),
      facesPerSec,
      timings: full.timings,
      /** CPU seconds of this process (user + system): what a dedicated machine needs, whatever else runs here. */
      cpuSeconds: +((fullCpu.user + fullCpu.system) / 1e6).toFixed(1),
      signMs: Math.round(signMs),
      sizeMb: mb(fullBytes),
      expansionAdd: EXPANSION_ADD,
      recall,
      buckets,
      bucketPercent: bucketPercentages(buckets),
    },
    /** The first of `incrementals` (the one --compare reads). */
    incremental: incrementals[0]!,
    incrementals,
    dbRead,
    peakRssMb: peakRssMb(),
    /** Linear extrapolation at the measured wall-clock rate (HNSW insertion grows ≈ log n per face: optimistic). */
    extrapolated1MFacesMinutes: +(1_000_000 / facesPerSec / 60).toFixed(1),
    /**
     * The same from CPU time, as if the cores were this build's alone: selection runs on one thread, graph
     * insertion on `threads` (both scaled linearly to 1M faces; HNSW's log n growth comes on top).
     */
    extrapolated1MFacesMinutesDedicatedCores: +(
      (((fullCpu.user + fullCpu.system) / 1e6 / full.faces) * 1_000_000) /
      Math.min(cpus().length, THREADS) /
      60
    ).toFixed(1),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (values.compare) {
    const prev = JSON.parse(readFileSync(values.compare, 'utf8')) as typeof result;
    const delta = (a: number, b: number) =>
      `${a} → ${b} (${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%)`;
    process.stdout.write(
      `compared with ${prev.when}:\n  full s ${delta(prev.full.seconds, result.full.seconds)}\n` +
        `  faces/s ${delta(prev.full.facesPerSec, result.full.facesPerSec)}\n` +
        `  incremental s ${delta(prev.incremental.seconds, result.incremental.seconds)}\n` +
        `  peak RSS MB ${delta(prev.peakRssMb, result.peakRssMb)}\n`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
  if (!values.keep) await rm(root, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
