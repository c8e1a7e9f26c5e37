// ANN part of the client speed benchmark: build, size, open time, query latency and recall of the face index
// (libs/face-index: usearch HNSW, memory-mapped) on synthetic, embedding-like vectors.
//
//   node --conditions=source --import @swc-node/register/esm-register bench/client-speed/ann.ts \
//     [--sizes 100000,1000000] [--dims 512] [--queries 200] [--k 10] [--storage float16|int8] [--construction int8|float16] \
//     [--expansions 32,64,128,256] [--threads 2] [--intrinsic-dims 100] [--cache .cache/bench] [--rebuild] [--json out.json] \
//     [--compare previous.json]
//
// Data: SyntheticFaceSpace (libs/face-index/src/synthetic.ts) — performers are cluster centres in look-alike
// groups of 20, --faces-per-performer faces each (default 20) = centre + noise (same-performer faces ≈0.40 apart, look-alikes ≈0.79,
// strangers ≈1.0, cosine distance), drawn in --intrinsic-dims dimensions (default 100, where strangers' distances
// spread as the real embedder's do) and rotated into --dims. Queries are fresh faces (not in the index) of random
// performers.
// Recall@k is measured twice: against exact search over the stored vectors (FaceIndex.exactSearch: the graph's
// own error) and against exact search over the original float32 vectors (graph + storage quantisation).
// Built indexes and ground truth are cached under --cache, so reruns only measure. Latency is one query at a
// time on one thread, after a warm-up pass; build uses --threads. Run it niced on a shared machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { exactSearch, MetricKind } from 'usearch';
import type { FaceIndexStorage } from '@stash-sense/contracts';
import { FaceIndex, FaceIndexWriter, SyntheticFaceSpace } from '@stash-sense/face-index';

export interface AnnBenchmarkOptions {
  sizes: number[];
  dims: number;
  queries: number;
  k: number;
  storage?: FaceIndexStorage;
  /** Encoding the graph links are chosen with (FaceIndexWriter `constructionStorage`). Default int8. */
  construction?: FaceIndexStorage;
  /** Query expansions (HNSW ef) to measure. Default [32, 64, 128, 256]. */
  expansions?: number[];
  connectivity?: number;
  expansionAdd?: number;
  /** Threads for building the graph. Default 2. */
  threads?: number;
  facesPerPerformer?: number;
  seed?: number;
  /**
   * Degrees of freedom of the synthetic faces (SyntheticFaceSpace.intrinsicDimension). Default 100: strangers'
   * distances then spread like the shipped embedder's on the fixture photos (0.099, bench/accuracy). `dims` gives
   * isotropic noise, the worst case for the graph.
   */
  intrinsicDims?: number;
  /** Folder for built indexes and ground truth. Default <repo>/.cache/bench. */
  cacheDir?: string;
  /** Build again even when a cached index exists. */
  rebuild?: boolean;
  /**
   * Also time an incremental version: a parent with the first 95% of the performers (built once, cached), then
   * FaceIndexWriter.fromParent + the remaining 5% + write. Costs a second full build per size the first time.
   */
  incremental?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface AnnExpansionResult {
  expansion: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Recall@k against exact search over the stored vectors. */
  recall: number;
  /** Recall@k against exact search over the original float32 vectors. */
  recallFloat32: number;
  /**
   * Of the exact top-k faces that belong to the query's own performer, the share the graph returned: the part of
   * recall@k identification depends on (the rest of the top k are look-alikes and strangers). null if none.
   */
  recallOwnPerformer: number | null;
}

export interface AnnSizeResult {
  faces: number;
  performers: number;
  dims: number;
  storage: FaceIndexStorage;
  construction: FaceIndexStorage;
  connectivity: number;
  expansionAdd: number;
  /** Seconds to insert every vector and write the index; from the cache record when `cached`. */
  buildSec: number;
  buildThreads: number;
  cached: boolean;
  indexBytes: number;
  /** FaceIndex.open (manifest, face table, performer scan, usearch view): first open, and median of 5. */
  openFirstMs: number;
  openMedianMs: number;
  /**
   * Open right after dropping the index files from the page cache (`dd iflag=nocache`, Linux), then one search:
   * what the first identification after a reboot costs. null when the cache could not be dropped.
   */
  openColdMs: number | null;
  firstSearchColdMs: number | null;
  /** searchPerformers(query, 5) at the default expansion — what identification calls per face. */
  performerSearchP50Ms: number;
  exactSearchMsPerQuery: number;
  expansions: AnnExpansionResult[];
  /** With `incremental`: the +5% version built from a 95% parent, against the full build above. */
  incremental: {
    parentFaces: number;
    addedFaces: number;
    parentBuildSec: number;
    /** fromParent (checks, usearch load of the parent graph) + inserting the new faces + writing. */
    incrementalSec: number;
    loadParentSec: number;
  } | null;
}

export interface AnnBenchmarkResult {
  kind: 'ann';
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; loadAverage1m: number };
  settings: Required<Omit<AnnBenchmarkOptions, 'log' | 'rebuild' | 'cacheDir' | 'incremental'>>;
  results: AnnSizeResult[];
}

const DEFAULTS = {
  storage: 'float16' as FaceIndexStorage,
  construction: 'int8' as FaceIndexStorage,
  expansions: [32, 64, 128, 256],
  connectivity: 16,
  expansionAdd: 128,
  threads: 2,
  // The cloud's index keeps up to 20 faces per performer (INDEX_MAX_FACES_PER_PERFORMER): a 1M-face index is
  // ≈ 50,000 well-covered performers. With 5, ranks 6–10 of every query are near-tied strangers (docs/benchmarks.md).
  facesPerPerformer: 20,
  seed: 1,
  intrinsicDims: 100,
};

const repoRoot = resolve(import.meta.dirname, '../..');

export async function runAnnBenchmark(options: AnnBenchmarkOptions): Promise<AnnBenchmarkResult> {
  const settings = {
    sizes: options.sizes,
    dims: options.dims,
    queries: options.queries,
    k: options.k,
    storage: options.storage ?? DEFAULTS.storage,
    construction: options.construction ?? DEFAULTS.construction,
    expansions: options.expansions ?? DEFAULTS.expansions,
    connectivity: options.connectivity ?? DEFAULTS.connectivity,
    expansionAdd: options.expansionAdd ?? DEFAULTS.expansionAdd,
    threads: options.threads ?? DEFAULTS.threads,
    facesPerPerformer: options.facesPerPerformer ?? DEFAULTS.facesPerPerformer,
    seed: options.seed ?? DEFAULTS.seed,
    intrinsicDims: Math.min(options.intrinsicDims ?? DEFAULTS.intrinsicDims, options.dims),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = resolve(options.cacheDir ?? join(repoRoot, '.cache/bench'));
  mkdirSync(cacheDir, { recursive: true });
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
  const results: AnnSizeResult[] = [];
  for (const faces of settings.sizes)
    results.push(
      await benchmarkSize(
        faces,
        settings,
        cacheDir,
        { rebuild: options.rebuild ?? false, incremental: options.incremental ?? false },
        log,
      ),
    );
  return { kind: 'ann', date: new Date().toISOString(), machine, settings, results };
}

type Settings = AnnBenchmarkResult['settings'];

interface BuildRecord {
  buildSec: number;
  threads: number;
}

function addSyntheticPerformers(
  writer: FaceIndexWriter,
  space: SyntheticFaceSpace,
  from: number,
  to: number,
  faces: number,
  facesPerPerformer: number,
): void {
  for (let p = from; p < to; p++) {
    writer.addPerformer({
      id: p,
      name: `Performer ${p}`,
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: `synthetic-${p}` }],
    });
    const count = Math.min(facesPerPerformer, faces - p * facesPerPerformer);
    writer.addFaces(
      p,
      Array.from({ length: count }, (_, f) => space.face(p, f)),
    );
  }
}

async function benchmarkSize(
  faces: number,
  s: Settings,
  cacheDir: string,
  flags: { rebuild: boolean; incremental: boolean },
  log: (line: string) => void,
): Promise<AnnSizeResult> {
  const rebuild = flags.rebuild;
  const performers = Math.ceil(faces / s.facesPerPerformer);
  const space = new SyntheticFaceSpace({
    dimension: s.dims,
    seed: s.seed,
    intrinsicDimension: s.intrinsicDims,
  });
  const faceOf = (i: number) => space.face(Math.floor(i / s.facesPerPerformer), i % s.facesPerPerformer);
  const name = `ann-${faces}-d${s.dims}-${s.storage}${s.construction !== s.storage ? `-c${s.construction}` : ''}-M${s.connectivity}-ef${s.expansionAdd}-fpp${s.facesPerPerformer}-seed${s.seed}${s.intrinsicDims < s.dims ? `-k${s.intrinsicDims}` : ''}`;
  const dir = join(cacheDir, name);
  const recordPath = `${dir}.build.json`;

  let cached = !rebuild && existsSync(join(dir, 'manifest.json')) && existsSync(recordPath);
  let record: BuildRecord;
  if (cached) {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord;
    log(`${name}: using the cached index (built in ${record.buildSec.toFixed(0)} s)`);
  } else {
    log(`${name}: generating ${faces} faces of ${performers} performers…`);
    const writer = FaceIndexWriter.create({
      model: { name: 'synthetic', version: `seed-${s.seed}`, dimension: s.dims, metric: 'cosine' },
      storage: s.storage,
      constructionStorage: s.construction,
      connectivity: s.connectivity,
      expansionAdd: s.expansionAdd,
      threads: s.threads,
    });
    addSyntheticPerformers(writer, space, 0, performers, faces, s.facesPerPerformer);
    log(`${name}: building the graph with ${s.threads} threads…`);
    const started = performance.now();
    let lastLog = started;
    await writer.write(dir, {
      indexVersion: name,
      overwrite: true,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastLog > 15_000 || done === total) {
          lastLog = now;
          log(`  ${done}/${total} vectors, ${((now - started) / 1000).toFixed(0)} s`);
        }
      },
    });
    record = { buildSec: (performance.now() - started) / 1000, threads: s.threads };
    writeFileSync(recordPath, JSON.stringify(record));
    cached = false;
  }

  const queryPerformers = Array.from({ length: s.queries }, (_, q) =>
    Math.floor((((q * 2654435761) % 4294967296) / 4294967296) * performers),
  );
  const queries = queryPerformers.map((performer, q) => space.face(performer, 1000 + q));

  // Cold open: drop the files from the page cache first (best effort), open, search once.
  let openColdMs: number | null = null;
  let firstSearchColdMs: number | null = null;
  if (dropFromPageCache(dir)) {
    let t0 = performance.now();
    const cold = await FaceIndex.open(dir, { threads: s.threads });
    openColdMs = round(performance.now() - t0, 1);
    t0 = performance.now();
    cold.searchPerformers(space.face(0, 999), 5);
    firstSearchColdMs = round(performance.now() - t0, 1);
    cold.close();
  }

  // Warm open: first open, then the median of five.
  let started = performance.now();
  let index = await FaceIndex.open(dir, { threads: s.threads });
  const openFirstMs = performance.now() - started;
  const opens: number[] = [];
  for (let i = 0; i < 5; i++) {
    index.close();
    started = performance.now();
    index = await FaceIndex.open(dir, { threads: s.threads });
    opens.push(performance.now() - started);
  }
  const indexBytes = index.manifest.files.reduce((sum, f) => sum + f.size, 0);

  log(`${name}: exact search over the stored vectors…`);
  started = performance.now();
  const exactStored = index.exactSearchBatch(queries, s.k);
  const exactSearchMsPerQuery = (performance.now() - started) / s.queries;
  const truthStored = exactStored.map((hits) => new Set(hits.map((h) => h.faceId)));
  // The exact top-k faces of the query's own performer: what identification needs the graph to find.
  const truthOwn = exactStored.map(
    (hits, i) =>
      new Set(
        hits.filter((h) => index.performerOfFace(h.faceId) === queryPerformers[i]).map((h) => h.faceId),
      ),
  );
  const ownTotal = truthOwn.reduce((sum, set) => sum + set.size, 0);
  const truthFloat32 = float32Truth(
    join(cacheDir, `${name}.truth-q${s.queries}-k${s.k}.json`),
    faces,
    faceOf,
    queries,
    s,
    log,
  );

  const expansions: AnnExpansionResult[] = [];
  for (const expansion of s.expansions) {
    for (const q of queries) index.search(q, s.k, { expansion }); // warm-up: pages and caches
    const times: number[] = [];
    let hitsStored = 0;
    let hitsFloat32 = 0;
    let hitsOwn = 0;
    queries.forEach((q, i) => {
      const t0 = performance.now();
      const hits = index.search(q, s.k, { expansion });
      times.push(performance.now() - t0);
      for (const hit of hits) {
        if (truthStored[i]!.has(hit.faceId)) hitsStored++;
        if (truthFloat32[i]!.has(hit.faceId)) hitsFloat32++;
        if (truthOwn[i]!.has(hit.faceId)) hitsOwn++;
      }
    });
    const sorted = [...times].sort((a, b) => a - b);
    expansions.push({
      expansion,
      p50Ms: round(percentile(sorted, 0.5), 3),
      p99Ms: round(percentile(sorted, 0.99), 3),
      meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 3),
      recall: round(hitsStored / (s.queries * s.k), 4),
      recallFloat32: round(hitsFloat32 / (s.queries * s.k), 4),
      recallOwnPerformer: ownTotal ? round(hitsOwn / ownTotal, 4) : null,
    });
  }
  for (const q of queries) index.searchPerformers(q, 5);
  const performerTimes = queries.map((q) => {
    const t0 = performance.now();
    index.searchPerformers(q, 5);
    return performance.now() - t0;
  });
  index.close();
  const incremental = flags.incremental
    ? await measureIncremental(faces, performers, s, space, dir, flags.rebuild, log)
    : null;
  const result: AnnSizeResult = {
    faces,
    performers,
    dims: s.dims,
    storage: s.storage,
    construction: s.construction,
    connectivity: s.connectivity,
    expansionAdd: s.expansionAdd,
    buildSec: round(record.buildSec, 1),
    buildThreads: record.threads,
    cached,
    indexBytes,
    openFirstMs: round(openFirstMs, 1),
    openMedianMs: round(
      percentile(
        [...opens].sort((a, b) => a - b),
        0.5,
      ),
      1,
    ),
    openColdMs,
    firstSearchColdMs,
    performerSearchP50Ms: round(
      percentile(
        performerTimes.sort((a, b) => a - b),
        0.5,
      ),
      3,
    ),
    exactSearchMsPerQuery: round(exactSearchMsPerQuery, 1),
    expansions,
    incremental,
  };
  log(formatTable({ results: [result] } as AnnBenchmarkResult));
  return result;
}

async function measureIncremental(
  faces: number,
  performers: number,
  s: Settings,
  space: SyntheticFaceSpace,
  dir: string,
  rebuild: boolean,
  log: (line: string) => void,
): Promise<NonNullable<AnnSizeResult['incremental']>> {
  const parentPerformers = Math.floor(performers * 0.95);
  const parentFaces = Math.min(faces, parentPerformers * s.facesPerPerformer);
  const parentDir = `${dir}-parent95`;
  const recordPath = `${parentDir}.build.json`;
  let parentBuildSec: number;
  if (!rebuild && existsSync(join(parentDir, 'manifest.json')) && existsSync(recordPath)) {
    parentBuildSec = (JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord).buildSec;
  } else {
    log(`  incremental: building the 95% parent (${parentFaces} faces)…`);
    const writer = FaceIndexWriter.create({
      model: { name: 'synthetic', version: `seed-${s.seed}`, dimension: s.dims, metric: 'cosine' },
      storage: s.storage,
      constructionStorage: s.construction,
      connectivity: s.connectivity,
      expansionAdd: s.expansionAdd,
      threads: s.threads,
    });
    addSyntheticPerformers(writer, space, 0, parentPerformers, faces, s.facesPerPerformer);
    const t0 = performance.now();
    await writer.write(parentDir, { indexVersion: 'parent95', overwrite: true });
    parentBuildSec = (performance.now() - t0) / 1000;
    writeFileSync(recordPath, JSON.stringify({ buildSec: parentBuildSec, threads: s.threads }));
  }
  log(`  incremental: +${faces - parentFaces} faces on the parent…`);
  const started = performance.now();
  const child = await FaceIndexWriter.fromParent(parentDir, {
    threads: s.threads,
    constructionStorage: s.construction,
  });
  const loadParentSec = (performance.now() - started) / 1000;
  const generationStarted = performance.now();
  addSyntheticPerformers(child, space, parentPerformers, performers, faces, s.facesPerPerformer);
  const generationSec = (performance.now() - generationStarted) / 1000;
  await child.write(`${dir}-child`, { indexVersion: 'child', overwrite: true });
  const incrementalSec = (performance.now() - started) / 1000 - generationSec;
  return {
    parentFaces,
    addedFaces: faces - parentFaces,
    parentBuildSec: round(parentBuildSec, 1),
    incrementalSec: round(incrementalSec, 1),
    loadParentSec: round(loadParentSec, 1),
  };
}

/** Exact top-k over the original float32 vectors, regenerated block by block; cached as JSON. */
function float32Truth(
  path: string,
  faces: number,
  faceOf: (i: number) => Float32Array,
  queries: Float32Array[],
  s: Settings,
  log: (line: string) => void,
): Set<number>[] {
  if (existsSync(path))
    return (JSON.parse(readFileSync(path, 'utf8')) as number[][]).map((ids) => new Set(ids));
  log(`  float32 ground truth: regenerating ${faces} vectors…`);
  const d = s.dims;
  const queryMatrix = new Float32Array(queries.length * d);
  queries.forEach((q, i) => queryMatrix.set(q, i * d));
  const best: { id: number; distance: number }[][] = queries.map(() => []);
  const block = 65536;
  for (let start = 0; start < faces; start += block) {
    const count = Math.min(block, faces - start);
    const data = new Float32Array(count * d);
    for (let r = 0; r < count; r++) data.set(faceOf(start + r), r * d);
    const wanted = Math.min(s.k, count);
    const result = exactSearch(data, queryMatrix, d, wanted, MetricKind.Cos, s.threads);
    for (let q = 0; q < queries.length; q++) {
      for (let j = 0; j < wanted; j++) {
        const at = q * wanted + j;
        best[q]!.push({ id: start + Number(result.keys[at]!), distance: result.distances[at]! });
      }
      best[q]!.sort((a, b) => a.distance - b.distance || a.id - b.id);
      best[q]!.length = Math.min(best[q]!.length, s.k);
    }
  }
  const ids = best.map((hits) => hits.map((h) => h.id));
  writeFileSync(path, JSON.stringify(ids));
  return ids.map((list) => new Set(list));
}

/** Asks the kernel to drop an index's files from the page cache (GNU dd `iflag=nocache count=0`). */
function dropFromPageCache(dir: string): boolean {
  if (process.platform !== 'linux') return false;
  return readdirSync(dir).every(
    (name) =>
      spawnSync('dd', [`if=${join(dir, name)}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' }).status ===
      0,
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Markdown table: one row per size × expansion. */
export function formatTable(result: Pick<AnnBenchmarkResult, 'results'>): string {
  const lines = [
    '| faces | faces/performer | storage | build | size | open cold / warm | ef | p50 | p99 | recall@k stored | recall@k float32 | own performer | performers k=5 p50 |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.results) {
    for (const e of r.expansions) {
      lines.push(
        `| ${r.faces.toLocaleString('en')} | ${(r.faces / r.performers).toFixed(0)} | ${r.storage}${r.construction !== r.storage ? ` (${r.construction}-built)` : ''} | ${r.buildSec.toFixed(0)} s (${r.buildThreads} thr) | ${mib(r.indexBytes)} | ` +
          `${r.openColdMs === null ? '–' : r.openColdMs.toFixed(0)} / ${r.openMedianMs.toFixed(0)} ms | ${e.expansion} | ${e.p50Ms.toFixed(2)} ms | ${e.p99Ms.toFixed(2)} ms | ` +
          `${e.recall.toFixed(3)} | ${e.recallFloat32.toFixed(3)} | ${e.recallOwnPerformer?.toFixed(3) ?? '–'} | ${r.performerSearchP50Ms.toFixed(2)} ms |`,
      );
    }
  }
  for (const r of result.results) {
    if (r.incremental) {
      lines.push(
        '',
        `${r.faces.toLocaleString('en')} faces, incremental: parent of ${r.incremental.parentFaces.toLocaleString('en')} built in ` +
          `${r.incremental.parentBuildSec.toFixed(0)} s; +${r.incremental.addedFaces.toLocaleString('en')} faces from the parent in ` +
          `${r.incremental.incrementalSec.toFixed(1)} s (of which loading the parent ${r.incremental.loadParentSec.toFixed(1)} s) ` +
          `vs a full build in ${r.buildSec.toFixed(0)} s`,
      );
    }
  }
  return lines.join('\n');
}

/** Differences of `current` from `previous` for the sizes and expansions both measured. */
export function formatComparison(current: AnnBenchmarkResult, previous: AnnBenchmarkResult): string {
  const lines = [
    '| faces | ef | Δ p50 | Δ p99 | Δ recall | Δ open median | Δ build | Δ size |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const signed = (x: number, digits: number, unit = '') => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}${unit}`;
  for (const r of current.results) {
    const p = previous.results.find(
      (x) =>
        x.faces === r.faces &&
        x.storage === r.storage &&
        (x.construction ?? x.storage) === r.construction &&
        x.dims === r.dims,
    );
    if (!p) continue;
    for (const e of r.expansions) {
      const pe = p.expansions.find((x) => x.expansion === e.expansion);
      if (!pe) continue;
      lines.push(
        `| ${r.faces.toLocaleString('en')} | ${e.expansion} | ${signed(e.p50Ms - pe.p50Ms, 3, ' ms')} | ${signed(e.p99Ms - pe.p99Ms, 3, ' ms')} | ` +
          `${signed(e.recall - pe.recall, 4)} | ${signed(r.openMedianMs - p.openMedianMs, 1, ' ms')} | ${signed(r.buildSec - p.buildSec, 0, ' s')} | ` +
          `${signed((r.indexBytes - p.indexBytes) / 2 ** 20, 1, ' MiB')} |`,
      );
    }
  }
  return lines.length > 2 ? lines.join('\n') : 'nothing to compare: no common size/storage/dimension';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100000,1000000' },
      dims: { type: 'string', default: '512' },
      queries: { type: 'string', default: '200' },
      k: { type: 'string', default: '10' },
      storage: { type: 'string', default: 'float16' },
      construction: { type: 'string', default: DEFAULTS.construction },
      expansions: { type: 'string', default: DEFAULTS.expansions.join(',') },
      connectivity: { type: 'string', default: String(DEFAULTS.connectivity) },
      'expansion-add': { type: 'string', default: String(DEFAULTS.expansionAdd) },
      threads: { type: 'string', default: String(DEFAULTS.threads) },
      seed: { type: 'string', default: String(DEFAULTS.seed) },
      'intrinsic-dims': { type: 'string', default: String(DEFAULTS.intrinsicDims) },
      'faces-per-performer': { type: 'string', default: String(DEFAULTS.facesPerPerformer) },
      cache: { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      incremental: { type: 'boolean', default: false },
      json: { type: 'string' },
      compare: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: bench/client-speed/ann.ts [--sizes 100000,1000000] [--dims 512] [--queries 200] [--k 10]\n' +
        '       [--storage float16|int8] [--construction int8|float16] [--expansions 32,64,128,256] [--connectivity 16] [--expansion-add 128]\n' +
        '       [--threads 2] [--seed 1] [--intrinsic-dims 100] [--cache DIR] [--rebuild] [--incremental]\n' +
        '       [--json out.json] [--compare previous.json]\n' +
        "--intrinsic-dims: degrees of freedom of the synthetic faces; 100 matches the embedder's spread on real\n" +
        '  photos, --intrinsic-dims 512 (= --dims) is isotropic noise, the worst case for the graph.\n' +
        'Example (quick): nice -n 10 node --conditions=source --import @swc-node/register/esm-register \\\n' +
        '  bench/client-speed/ann.ts --sizes 100000 --json bench/results/ann.json',
    );
    return;
  }
  const ints = (text: string, what: string) =>
    text.split(',').map((part) => {
      const n = Number(part.replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`--${what} takes positive whole numbers, got "${part}"`);
      return n;
    });
  const storage = values.storage;
  if (storage !== 'float16' && storage !== 'int8')
    throw new Error(`--storage is float16 or int8, got "${storage}"`);
  const construction = values.construction;
  if (construction !== 'float16' && construction !== 'int8')
    throw new Error(`--construction is int8 or float16, got "${construction}"`);
  const result = await runAnnBenchmark({
    sizes: ints(values.sizes, 'sizes'),
    dims: ints(values.dims, 'dims')[0]!,
    queries: ints(values.queries, 'queries')[0]!,
    k: ints(values.k, 'k')[0]!,
    storage,
    construction,
    expansions: ints(values.expansions, 'expansions'),
    connectivity: ints(values.connectivity, 'connectivity')[0]!,
    expansionAdd: ints(values['expansion-add'], 'expansion-add')[0]!,
    threads: ints(values.threads, 'threads')[0]!,
    seed: ints(values.seed, 'seed')[0]!,
    intrinsicDims: ints(values['intrinsic-dims'], 'intrinsic-dims')[0]!,
    facesPerPerformer: ints(values['faces-per-performer'], 'faces-per-performer')[0]!,
    cacheDir: values.cache,
    rebuild: values.rebuild,
    incremental: values.incremental,
  });
  console.log(formatTable(result));
  if (values.compare) {
    const previous = JSON.parse(readFileSync(values.compare, 'utf8')) as AnnBenchmarkResult;
    console.log(
      `\nCompared with ${values.compare} (${previous.date}):\n${formatComparison(result, previous)}`,
    );
  }
  const out = values.json ?? join(repoRoot, 'bench/results', `ann-${result.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`results written to ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
