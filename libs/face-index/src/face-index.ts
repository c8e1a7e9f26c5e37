/**
 * Reading a face index directory: the ANN graph is memory-mapped (usearch `view`), the face table is read
 * whole (4 bytes a face), performer records are parsed on first use. A 1M-face index opens in well under a
 * second (docs/benchmarks.md); `verify: true` adds the sha256 check of every file.
 */
import { closeSync, openSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { IndexManifest } from '@stash-sense/contracts';
import { isFiniteVector } from '@stash-sense/vectors';
import { AnnGraph, type AnnSettings, scalarKindCodeOf } from './ann.js';
import { FACE_INDEX_DEFAULTS, FACE_INDEX_FILES, REMOVED_FACE } from './constants.js';
import { FaceIndexError } from './errors.js';
import { type ExactHit, exactSearchStored } from './exact-search.js';
import { faceTableFromBytes } from './face-table.js';
import { readManifest, verifyIndexFiles } from './manifest.js';
import { LazyPerformerMap, type PerformerRecord } from './performers-file.js';
import {
  installedUsearchVersion,
  readSlotKeys,
  readUsearchLayout,
  USEARCH_METRIC_COS,
  type UsearchFileLayout,
} from './usearch-file.js';
import { quantizeInt8MaxAbs } from './vector-storage.js';

export interface FaceHit {
  faceId: number;
  performerId: number;
  /** Cosine distance 1 − cos θ between the query and the stored face. */
  distance: number;
}

export interface PerformerHit {
  performer: PerformerRecord;
  /** Smallest distance between the query and any face of the performer among the face hits examined. */
  distance: number;
  /** Faces of this performer among the face hits examined. */
  faceHits: number;
}

export interface OpenFaceIndexOptions {
  /** Check the sha256 of every file against the manifest first (reads every byte). Default false. */
  verify?: boolean;
  /** Threads for batch and exact searches. Single searches use one thread. Default 2. */
  threads?: number;
  /** Refuse an index of another embedding model (name, version, dimension) than the caller's. */
  expectModel?: { name?: string; version?: string; dimension?: number };
}

export interface SearchOptions {
  /** HNSW ef for this query (candidates explored); default the manifest's `ann.expansionSearch`. */
  expansion?: number;
}

/** Views kept per distinct expansion value (each is a separate usearch handle on the same mapped file). */
const MAX_CACHED_VIEWS = 4;

export class FaceIndex {
  private readonly views = new Map<number, AnnGraph>();
  private slotKeys: Float64Array | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    private readonly performerMap: LazyPerformerMap,
    private readonly faceTable: Uint32Array,
    private readonly settings: AnnSettings,
    private readonly threads: number,
    defaultView: AnnGraph,
  ) {
    this.views.set(settings.expansionSearch, defaultView);
  }

  /**
   * Opens an index directory. Clear FaceIndexErrors for: no or invalid manifest, an unknown format version,
   * missing or wrongly sized files, a model other than `expectModel`, a graph whose dimension, metric or
   * storage differ from the manifest, and a graph written by an incompatible usearch.
   */
  static async open(dir: string, options: OpenFaceIndexOptions = {}): Promise<FaceIndex> {
    const parts = await loadIndexParts(dir, options);
    const view = viewAnn(
      join(dir, FACE_INDEX_FILES.ann),
      parts.settings,
      parts.settings.expansionSearch,
      dir,
    );
    return new FaceIndex(
      dir,
      parts.manifest,
      parts.performers,
      parts.faceTable,
      parts.settings,
      options.threads ?? FACE_INDEX_DEFAULTS.threads,
      view,
    );
  }

  get performers(): ReadonlyMap<number, PerformerRecord> {
    return this.performerMap;
  }

  get dimension(): number {
    return this.settings.dimension;
  }

  /** Faces present in the index. */
  get faceCount(): number {
    return this.manifest.counts.faces;
  }

  /** Performer of a face id; undefined for unknown or removed faces. */
  performerOfFace(faceId: number): number | undefined {
    const performer = this.faceTable[faceId];
    return performer === undefined || performer === REMOVED_FACE ? undefined : performer;
  }

  /** Face ids of a performer (a scan of the face table). */
  facesOfPerformer(performerId: number): number[] {
    const faces: number[] = [];
    for (let i = 0; i < this.faceTable.length; i++) if (this.faceTable[i] === performerId) faces.push(i);
    return faces;
  }

  /** The k nearest faces by the HNSW graph, nearest first. */
  search(query: Float32Array, k: number, options: SearchOptions = {}): FaceHit[] {
    this.assertOpen();
    this.checkQuery(query);
    checkK(k);
    const wanted = Math.min(k, this.faceCount);
    if (wanted === 0) return [];
    const view = this.viewFor(options.expansion ?? this.settings.expansionSearch);
    const result = view.search(this.toQuery(query), wanted, 1);
    const hits: FaceHit[] = [];
    const found = Number(result.counts[0]!);
    for (let i = 0; i < found; i++) {
      const faceId = Number(result.keys[i]!);
      const performerId = this.performerOfFace(faceId);
      if (performerId !== undefined) hits.push({ faceId, performerId, distance: result.distances[i]! });
    }
    return hits;
  }

  /**
   * The k nearest performers: face hits grouped by performer, each at its nearest face. Fetches
   * `faceHitsPerPerformer`·k face hits and doubles that (up to `maxFaceHits`) while fewer than k distinct
   * performers turn up. Ties are broken by performer id, so equal input gives equal output.
   */
  searchPerformers(query: Float32Array, k: number, options: SearchOptions = {}): PerformerHit[] {
    checkK(k);
    let fetch = Math.min(this.faceCount, Math.max(k * FACE_INDEX_DEFAULTS.faceHitsPerPerformer, k));
    for (;;) {
      // usearch explores max(expansion, fetch) candidates by itself, so the same view serves every fetch size.
      const hits = this.search(query, fetch, options);
      const byPerformer = new Map<number, { distance: number; faceHits: number }>();
      for (const hit of hits) {
        const entry = byPerformer.get(hit.performerId);
        if (!entry) byPerformer.set(hit.performerId, { distance: hit.distance, faceHits: 1 });
        else {
          entry.faceHits++;
          if (hit.distance < entry.distance) entry.distance = hit.distance;
        }
      }
      const exhausted = fetch >= this.faceCount || fetch >= FACE_INDEX_DEFAULTS.maxFaceHits;
      if (byPerformer.size >= k || exhausted) {
        const ranked: PerformerHit[] = [];
        for (const [performerId, entry] of byPerformer) {
          const performer = this.performerMap.get(performerId);
          if (!performer) {
            throw new FaceIndexError(
              'data_invalid',
              `${this.dir}: face table names performer ${performerId}, which performers.jsonl lacks`,
            );
          }
          ranked.push({ performer, distance: entry.distance, faceHits: entry.faceHits });
        }
        ranked.sort((a, b) => a.distance - b.distance || a.performer.id - b.performer.id);
        return ranked.slice(0, k);
      }
      fetch = Math.min(this.faceCount, FACE_INDEX_DEFAULTS.maxFaceHits, fetch * 2);
    }
  }

  /** Graph searches of many queries at once, spread over the `threads` given at open. */
  searchBatch(queries: readonly Float32Array[], k: number, options: SearchOptions = {}): FaceHit[][] {
    this.assertOpen();
    checkK(k);
    if (queries.length === 0) return [];
    const wanted = Math.min(k, this.faceCount);
    if (wanted === 0) return queries.map(() => []);
    queries.forEach((q) => this.checkQuery(q));
    const view = this.viewFor(options.expansion ?? this.settings.expansionSearch);
    const d = this.dimension;
    const matrix =
      this.settings.storage === 'int8'
        ? new Int8Array(queries.length * d)
        : new Float32Array(queries.length * d);
    queries.forEach((q, i) => matrix.set(this.toQuery(q), i * d));
    const result = view.search(matrix, wanted, this.threads);
    const out: FaceHit[][] = [];
    for (let qi = 0; qi < queries.length; qi++) {
      const hits: FaceHit[] = [];
      const count = Number(result.counts[qi]!);
      for (let j = 0; j < count; j++) {
        const at = qi * wanted + j;
        const faceId = Number(result.keys[at]!);
        const performerId = this.performerOfFace(faceId);
        if (performerId !== undefined) hits.push({ faceId, performerId, distance: result.distances[at]! });
      }
      out.push(hits);
    }
    return out;
  }

  /** Exact k nearest faces by brute force over the stored vectors (for recall measurements; O(faces)). */
  exactSearch(query: Float32Array, k: number): FaceHit[] {
    return this.exactSearchBatch([query], k)[0]!;
  }

  exactSearchBatch(queries: readonly Float32Array[], k: number): FaceHit[][] {
    this.assertOpen();
    checkK(k);
    queries.forEach((q) => this.checkQuery(q));
    const fd = openSync(join(this.dir, FACE_INDEX_FILES.ann), 'r');
    try {
      const layout = readUsearchLayout(fd);
      this.slotKeys ??= readSlotKeys(fd, layout);
      const results = exactSearchStored({
        fd,
        layout,
        slotKeys: this.slotKeys,
        storage: this.settings.storage,
        dimension: this.dimension,
        queries,
        k,
        threads: this.threads,
        blockRows: FACE_INDEX_DEFAULTS.exactSearchBlock,
      });
      return results.map((hits) =>
        hits.map((hit: ExactHit) => ({ ...hit, performerId: this.performerOfFace(hit.faceId)! })),
      );
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Drops the graph handles; later calls throw. The mapping itself is released when the garbage collector
   * frees the handles (usearch's JS binding has no explicit unmap), so the files may be replaced at once.
   */
  close(): void {
    this.views.clear();
    this.closed = true;
  }

  private viewFor(expansion: number): AnnGraph {
    if (!Number.isInteger(expansion) || expansion < 1)
      throw new RangeError(`expansion must be a positive integer, got ${expansion}`);
    let view = this.views.get(expansion);
    if (!view) {
      if (this.views.size >= MAX_CACHED_VIEWS) {
        for (const key of this.views.keys()) {
          if (key !== this.settings.expansionSearch) {
            this.views.delete(key);
            break;
          }
        }
      }
      view = viewAnn(join(this.dir, FACE_INDEX_FILES.ann), this.settings, expansion, this.dir);
      this.views.set(expansion, view);
    }
    return view;
  }

  private toQuery(query: Float32Array): Float32Array | Int8Array {
    // int8 graphs compare int8 queries: quantise the same way the stored vectors were.
    return this.settings.storage === 'int8' ? quantizeInt8MaxAbs(query) : query;
  }

  private checkQuery(query: Float32Array): void {
    if (!(query instanceof Float32Array)) throw new TypeError('a query embedding must be a Float32Array');
    if (query.length !== this.dimension) {
      throw new FaceIndexError(
        'dimension_mismatch',
        `the query has ${query.length} dimensions but this index holds ${this.dimension}-d embeddings of ${this.manifest.model.name} ${this.manifest.model.version}; embed with that model`,
      );
    }
    if (!isFiniteVector(query)) throw new RangeError('the query embedding contains NaN or Infinity');
  }

  private assertOpen(): void {
    if (this.closed)
      throw new FaceIndexError('closed', `the face index at ${this.dir} was closed; open it again`);
  }
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
}

function checkExpectedModel(
  dir: string,
  manifest: IndexManifest,
  expected: OpenFaceIndexOptions['expectModel'],
): void {
  if (!expected) return;
  const { model } = manifest;
  if (expected.dimension !== undefined && expected.dimension !== model.dimension) {
    throw new FaceIndexError(
      'dimension_mismatch',
      `${dir} holds ${model.dimension}-d embeddings (${model.name} ${model.version}) but the embedder makes ${expected.dimension}-d ones; use an index built for your model`,
    );
  }
  if (
    (expected.name !== undefined && expected.name !== model.name) ||
    (expected.version !== undefined && expected.version !== model.version)
  ) {
    throw new FaceIndexError(
      'model_mismatch',
      `${dir} was built for ${model.name} ${model.version}, not ${expected.name ?? model.name} ${expected.version ?? model.version}; embeddings of different models cannot be compared — use an index built for your model`,
    );
  }
}

function readLayout(path: string, dir: string): UsearchFileLayout {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readUsearchLayout(fd);
  } catch (error) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: ${FACE_INDEX_FILES.ann} is not a readable usearch index (${(error as Error).message}); pull or build the index again`,
      {
        cause: error,
      },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function checkLayout(dir: string, manifest: IndexManifest, layout: UsearchFileLayout): void {
  const installed = installedUsearchVersion();
  if (layout.version.major !== Number(installed.split('.')[0])) {
    throw new FaceIndexError(
      'ann_incompatible',
      `${dir}: the graph was written by usearch ${layout.version.major}.${layout.version.minor}.${layout.version.patch}, this software has usearch ${installed}; pull an index built for this version`,
    );
  }
  if (layout.dimensions !== manifest.model.dimension) {
    throw new FaceIndexError(
      'dimension_mismatch',
      `${dir}: the graph holds ${layout.dimensions}-d vectors but the manifest's model has ${manifest.model.dimension}; the index is inconsistent — pull or build it again`,
    );
  }
  if (layout.metricKind !== USEARCH_METRIC_COS) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: the graph does not use the cosine metric; pull or build the index again`,
    );
  }
  if (layout.scalarKind !== scalarKindCodeOf(manifest.storage)) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: the graph's vectors are not stored as ${manifest.storage}, as the manifest says; pull or build the index again`,
    );
  }
  if (layout.countPresent !== manifest.counts.faces) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: the graph holds ${layout.countPresent} vectors but the manifest counts ${manifest.counts.faces} faces; pull or build the index again`,
    );
  }
}

function viewAnn(path: string, settings: AnnSettings, expansion: number, dir: string): AnnGraph {
  const index = new AnnGraph(settings, expansion);
  try {
    index.view(path);
  } catch (error) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: usearch cannot map ${FACE_INDEX_FILES.ann} (${(error as Error).message}); pull or build the index again`,
      {
        cause: error,
      },
    );
  }
  return index;
}

export interface IndexParts {
  manifest: IndexManifest;
  performers: LazyPerformerMap;
  faceTable: Uint32Array;
  settings: AnnSettings;
  layout: UsearchFileLayout;
}

/**
 * Reads and cross-checks everything of an index directory except the graph itself: manifest, file sizes (or
 * sha256 with `verify`), the graph file's header, the face table and the performer lines.
 */
export async function loadIndexParts(
  dir: string,
  options: Pick<OpenFaceIndexOptions, 'verify' | 'expectModel'> = {},
): Promise<IndexParts> {
  if (endianness() !== 'LE')
    throw new FaceIndexError(
      'format_unsupported',
      'face indexes are little-endian; this machine is big-endian',
    );
  const manifest = await readManifest(dir);
  checkExpectedModel(dir, manifest, options.expectModel);
  for (const name of [FACE_INDEX_FILES.performers, FACE_INDEX_FILES.faceTable, FACE_INDEX_FILES.ann]) {
    if (!manifest.files.some((f) => f.name === name)) {
      throw new FaceIndexError(
        'manifest_invalid',
        `${dir}: manifest.json does not list ${name}; the index is incomplete — pull or build it again`,
      );
    }
  }
  if (options.verify) {
    await verifyIndexFiles(dir, manifest);
  } else {
    for (const file of manifest.files) {
      const size = await stat(join(dir, file.name)).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined)
        throw new FaceIndexError(
          'file_missing',
          `${dir}: ${file.name} is missing; pull or build the index again`,
        );
      if (size !== file.size) {
        throw new FaceIndexError(
          'file_mismatch',
          `${dir}: ${file.name} has ${size} bytes but the manifest says ${file.size}; the download is incomplete — pull the index again`,
        );
      }
    }
  }

  const layout = readLayout(join(dir, FACE_INDEX_FILES.ann), dir);
  checkLayout(dir, manifest, layout);

  const tableBytes = await readFile(join(dir, FACE_INDEX_FILES.faceTable));
  let faceTable: Uint32Array;
  try {
    faceTable = faceTableFromBytes(tableBytes);
  } catch (error) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: ${FACE_INDEX_FILES.faceTable}: ${(error as Error).message}; pull or build the index again`,
    );
  }
  let present = 0;
  for (let i = 0; i < faceTable.length; i++) if (faceTable[i] !== REMOVED_FACE) present++;
  if (present !== manifest.counts.faces) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: the face table lists ${present} faces but the manifest counts ${manifest.counts.faces}; pull or build the index again`,
    );
  }

  const performers = new LazyPerformerMap(await readFile(join(dir, FACE_INDEX_FILES.performers)), dir);
  if (performers.size !== manifest.counts.performers) {
    throw new FaceIndexError(
      'data_invalid',
      `${dir}: performers.jsonl holds ${performers.size} performers but the manifest counts ${manifest.counts.performers}; pull or build the index again`,
    );
  }

  const settings: AnnSettings = {
    dimension: manifest.model.dimension,
    storage: manifest.storage,
    connectivity: manifest.ann.connectivity,
    expansionAdd: manifest.ann.expansionAdd,
    expansionSearch: manifest.ann.expansionSearch,
  };
  return { manifest, performers, faceTable, settings, layout };
}
