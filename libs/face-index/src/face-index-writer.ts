/**
 * Building face index versions: from scratch (`create`), or incrementally from a parent version
 * (`fromParent`: the parent's graph is loaded and only new vectors are inserted; removed faces are deleted
 * from the graph). `write` builds into a hidden temporary folder beside the target and renames it into place,
 * so a reader never sees a half-written index and a failed write leaves nothing behind.
 */
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  FACE_INDEX_MAX_PERFORMER_ID,
  type FaceIndexModel,
  FaceIndexModelSchema,
  FaceIndexPerformerSchema,
  type FaceIndexStorage,
  FaceIndexVersionSchema,
  type IndexManifest,
  IndexManifestSchema,
} from '@stash-sense/contracts';
import { AnnGraph, type AnnSettings, scalarKindCodeOf, toKeys } from './ann.js';
import {
  type CachedGraph,
  claimCachedGraph,
  findCachedGraph,
  keepConstructionGraph,
} from './construction-cache.js';
import {
  FACE_INDEX_DEFAULTS,
  FACE_INDEX_FILES,
  FACE_INDEX_FORMAT_VERSION,
  REMOVED_FACE,
} from './constants.js';
import { FaceIndexError } from './errors.js';
import { FaceTable } from './face-table.js';
import { loadIndexParts } from './face-index.js';
import { hashFile, serializeManifest } from './manifest.js';
import { type PerformerRecord, serializePerformer } from './performers-file.js';
import {
  freeUsearchKeysInPlace,
  installedUsearchVersion,
  readSlotKeys,
  readUsearchLayout,
  readVectorBytes,
  rewriteUsearchVectors,
  type RowsOfSlots,
  type UsearchFileLayout,
  UsearchFileError,
  withUsearchFile,
} from './usearch-file.js';
import {
  bytesPerVector,
  decodeStoredBytes,
  encodeEmbedding,
  halfRowsToInt8,
  StoredRows,
} from './vector-storage.js';
import { syncPath, writeSynced } from './synced-fs.js';

export interface FaceIndexWriterOptions {
  model: FaceIndexModel;
  /** Vector storage: 'float16' (default; recall as float32) or 'int8' (half the size). */
  storage?: FaceIndexStorage;
  /** HNSW M. Default 16 (RECIPES). */
  connectivity?: number;
  /** HNSW efConstruction. Default 128 (RECIPES). */
  expansionAdd?: number;
  /** Default query ef recorded in the manifest. Default 64 (ANN benchmark). */
  expansionSearch?: number;
  /**
   * Encoding of the vectors the graph links are chosen with while inserting: the storage itself, or 'int8' for
   * a float16 index (inserts about twice as fast; the file still stores and searches float16). Default:
   * FACE_INDEX_DEFAULTS.constructionStorage for float16, 'int8' for int8.
   */
  constructionStorage?: FaceIndexStorage;
  /** Threads for inserting vectors. Default 2. */
  threads?: number;
}

export interface FromParentOptions {
  threads?: number;
  /** Check the parent's files against its manifest's sha256 first. Default false. */
  verify?: boolean;
  /** Query ef to record in the new manifest. Default: the parent's. */
  expansionSearch?: number;
  /**
   * HNSW efConstruction for the faces this version inserts into the parent's graph (the manifest records it).
   * Default: the parent's. A rebuild takes its own (`rebuild.expansionAdd`).
   */
  expansionAdd?: number;
  /**
   * Encoding the faces this version inserts are linked with (see FaceIndexWriterOptions). Default: the parent's
   * (its manifest's `ann.constructionStorage`, else its storage); 'int8' when the storage becomes int8.
   */
  constructionStorage?: FaceIndexStorage;
  /**
   * Build a fresh graph from the parent's stored vectors instead of extending the parent's graph: drops the
   * slots of removed faces and may change storage or HNSW settings. Face and performer ids are kept.
   */
  rebuild?: boolean | { storage?: FaceIndexStorage; connectivity?: number; expansionAdd?: number };
  /**
   * Folder of construction graphs kept by earlier writes (`WriteMeta.constructionCache`): when it holds the parent's,
   * a converting writer loads that instead of quantising the parent's file (construction-cache.ts).
   */
  constructionCache?: string;
}

export interface WriteMeta {
  indexVersion: string;
  /** Default: the parent's indexVersion for `fromParent` writers, null otherwise. */
  parentVersion?: string | null;
  /** Default: now. */
  createdAt?: Date;
  /** Replace an existing index at the target. Default false: an existing target is an error. */
  overwrite?: boolean;
  /** Vectors inserted into the graph so far, of `total` to insert in this write. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Folder to keep this version's construction graph in (a float16 index built on int8 links), for the next
   * incremental build (`FromParentOptions.constructionCache`). Keeping it is best effort: when it fails, the write
   * still succeeds and the next build converts the file as without a cache.
   */
  constructionCache?: string;
}

/** Milliseconds of a write: loading the parent's graph, removing and inserting faces, writing and hashing the files. */
export interface WriteTimings {
  loadParentMs: number;
  insertMs: number;
  filesMs: number;
}

export type NewPerformer = Omit<PerformerRecord, 'faceCount' | 'id'> & { id?: number };
export type PerformerPatch = Partial<Omit<PerformerRecord, 'faceCount' | 'id'>>;

const FACE_PENDING = 1;
const FACE_IN_GRAPH = 2;

export class FaceIndexWriter {
  private readonly performers = new Map<number, Omit<PerformerRecord, 'faceCount'>>();
  private readonly faceCounts = new Map<number, number>();
  private faceState: Uint8Array;
  private pending: StoredRows;
  private pendingFaceIds: number[] = [];
  /** Pending rows [0, pendingInserted) are in the graph already (a failed write resumes after them). */
  private pendingInserted = 0;
  private readonly removeFromGraph = new Set<number>();
  private nextPerformerId = 0;
  private writing = false;
  /**
   * The parent's graph file when the graph was loaded from a converted copy (constructionStorage ≠ storage):
   * the stored vectors of the parent's faces are read from it when the file is written.
   */
  private parentAnn: { path: string; fileSize: number } | undefined;
  /** The parent's graph file while it waits for the first write to load it. */
  private unloadedParentGraph: string | undefined;
  /** The parent's construction graph kept in a cache (loaded instead of converting unloadedParentGraph). */
  private cachedParentGraph: CachedGraph | undefined;
  private parentGraphSource: 'construction cache' | 'parent file' | undefined;
  private timings: WriteTimings | undefined;

  private constructor(
    private readonly model: FaceIndexModel,
    private readonly settings: AnnSettings,
    /** Encoding of the in-memory graph's vectors: settings.storage, or int8 under a float16 index. */
    private readonly construction: FaceIndexStorage,
    private readonly threads: number,
    private readonly faceTable: FaceTable,
    private graph: AnnGraph | undefined,
    private readonly parentVersion: string | null,
  ) {
    this.pending = new StoredRows(settings.storage, settings.dimension);
    this.faceState = new Uint8Array(Math.max(1024, faceTable.length));
  }

  /** Whether the graph is built on int8 copies of float16 vectors (pending rows are then kept for the file). */
  private get converting(): boolean {
    return this.construction !== this.settings.storage;
  }

  static create(options: FaceIndexWriterOptions): FaceIndexWriter {
    const model = FaceIndexModelSchema.safeParse(options.model);
    if (!model.success) {
      const issues = model.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
      );
      throw new RangeError(
        `the model must be { name, version, dimension, metric: 'cosine' } (${issues.join('; ')})`,
      );
    }
    const settings: AnnSettings = {
      dimension: model.data.dimension,
      storage: storageOf(options.storage ?? FACE_INDEX_DEFAULTS.storage),
      connectivity: positiveInt('connectivity', options.connectivity ?? FACE_INDEX_DEFAULTS.connectivity, 2),
      expansionAdd: positiveInt('expansionAdd', options.expansionAdd ?? FACE_INDEX_DEFAULTS.expansionAdd),
      expansionSearch: positiveInt(
        'expansionSearch',
        options.expansionSearch ?? FACE_INDEX_DEFAULTS.expansionSearch,
      ),
    };
    return new FaceIndexWriter(
      model.data,
      settings,
      constructionOf(
        settings.storage,
        options.constructionStorage ?? FACE_INDEX_DEFAULTS.constructionStorage,
      ),
      threadCount(options.threads),
      new FaceTable(),
      undefined,
      null,
    );
  }

  /**
   * Starts the next version from an existing one: performers, face ids and (unless `rebuild`) the graph
   * itself are taken over; `write` then inserts only the faces added since.
   */
  static async fromParent(parentDir: string, options: FromParentOptions = {}): Promise<FaceIndexWriter> {
    const parts = await loadIndexParts(parentDir, { verify: options.verify });
    const { manifest } = parts;
    const rebuild = options.rebuild === true ? {} : options.rebuild || undefined;
    const settings: AnnSettings = {
      ...parts.settings,
      expansionSearch: positiveInt(
        'expansionSearch',
        options.expansionSearch ?? parts.settings.expansionSearch,
      ),
      ...(!rebuild && {
        expansionAdd: positiveInt('expansionAdd', options.expansionAdd ?? parts.settings.expansionAdd),
      }),
      ...(rebuild && {
        storage: storageOf(rebuild.storage ?? parts.settings.storage),
        connectivity: positiveInt('connectivity', rebuild.connectivity ?? parts.settings.connectivity, 2),
        expansionAdd: positiveInt('expansionAdd', rebuild.expansionAdd ?? parts.settings.expansionAdd),
      }),
    };
    const inherited =
      settings.storage === manifest.storage
        ? (manifest.ann.constructionStorage ?? manifest.storage)
        : settings.storage;
    const construction = constructionOf(settings.storage, options.constructionStorage ?? inherited);
    const annPath = join(parentDir, FACE_INDEX_FILES.ann);
    let graph: AnnGraph | undefined;
    let parentAnn: FaceIndexWriter['parentAnn'];
    if (!rebuild) {
      graph = new AnnGraph({ ...settings, storage: construction });
      // The graph is loaded by the first write (loadParentGraph), so that the faces removed by then can be freed
      // in the file it loads. Its header is checked now, so that a damaged parent is reported here.
      let header: { present: number; dimensions: number; fileSize: number };
      try {
        header = withUsearchFile(annPath, (_fd, layout) => ({
          present: layout.countPresent,
          dimensions: layout.dimensions,
          fileSize: layout.fileSize,
        }));
      } catch (error) {
        throw new FaceIndexError(
          'data_invalid',
          `${parentDir}: usearch cannot load ${FACE_INDEX_FILES.ann} (${(error as Error).message})`,
          { cause: error },
        );
      }
      if (header.dimensions !== settings.dimension) {
        throw new FaceIndexError(
          'data_invalid',
          `${parentDir}: the graph holds ${header.dimensions}-d vectors, the manifest's model ${settings.dimension}`,
        );
      }
      if (header.present !== manifest.counts.faces) {
        throw new FaceIndexError(
          'data_invalid',
          `${parentDir}: the graph holds ${header.present} vectors, the manifest counts ${manifest.counts.faces}`,
        );
      }
      if (construction !== settings.storage) parentAnn = { path: annPath, fileSize: header.fileSize };
    }
    const writer = new FaceIndexWriter(
      manifest.model,
      settings,
      construction,
      threadCount(options.threads),
      new FaceTable(parts.faceTable),
      graph,
      manifest.indexVersion,
    );
    writer.parentAnn = parentAnn;
    if (graph) writer.unloadedParentGraph = annPath;
    if (graph && parentAnn && options.constructionCache)
      writer.cachedParentGraph = await findCachedGraph(options.constructionCache, manifest, construction);
    for (const performer of parts.performers.values()) {
      const { faceCount: _faceCount, ...record } = performer;
      writer.performers.set(record.id, record);
      writer.faceCounts.set(record.id, 0);
      writer.nextPerformerId = Math.max(writer.nextPerformerId, record.id + 1);
    }
    const table = parts.faceTable;
    for (let faceId = 0; faceId < table.length; faceId++) {
      const performerId = table[faceId]!;
      if (performerId === REMOVED_FACE) continue;
      if (!writer.performers.has(performerId)) {
        throw new FaceIndexError(
          'data_invalid',
          `${parentDir}: face ${faceId} belongs to performer ${performerId}, who is not in performers.jsonl`,
        );
      }
      writer.faceCounts.set(performerId, writer.faceCounts.get(performerId)! + 1);
      if (graph) writer.setFaceState(faceId, FACE_IN_GRAPH);
    }
    for (const [id, record] of parts.performers) {
      if (writer.faceCounts.get(id) !== record.faceCount) {
        throw new FaceIndexError(
          'data_invalid',
          `${parentDir}: performer ${id} claims ${record.faceCount} faces, the face table has ${writer.faceCounts.get(id)}`,
        );
      }
    }
    if (!graph) writer.queueParentVectors(annPath, manifest.storage, parts.faceTable);
    return writer;
  }

  /**
   * Where the parent's graph came from, once a write has loaded it: its construction graph kept in the cache
   * (`FromParentOptions.constructionCache`), or the parent's own file (converted when the construction differs).
   */
  get parentGraphLoadedFrom(): 'construction cache' | 'parent file' | undefined {
    return this.parentGraphSource;
  }

  /** Where the last successful write's time went (undefined before one). */
  get lastWriteTimings(): WriteTimings | undefined {
    return this.timings;
  }

  /** Faces and performers the next write will contain. */
  get counts(): { performers: number; faces: number } {
    let faces = 0;
    for (const count of this.faceCounts.values()) faces += count;
    return { performers: this.performers.size, faces };
  }

  /** Faces waiting to be inserted into the graph by the next write. */
  get pendingFaces(): number {
    let count = 0;
    for (let i = this.pendingInserted; i < this.pendingFaceIds.length; i++) {
      if (this.faceTable.performerOf(this.pendingFaceIds[i]!) !== undefined) count++;
    }
    return count;
  }

  /** Adds a performer with no faces yet; returns its id (the given one, or the next free one). */
  addPerformer(performer: NewPerformer): number {
    const id = performer.id ?? this.nextPerformerId;
    if (!Number.isInteger(id) || id < 0 || id > FACE_INDEX_MAX_PERFORMER_ID) {
      throw new RangeError(`performer id ${id} is outside 0..${FACE_INDEX_MAX_PERFORMER_ID}`);
    }
    if (this.performers.has(id))
      throw new RangeError(`performer id ${id} exists already; use updatePerformer to change it`);
    const record = this.validated({ ...performer, id, faceCount: 0 });
    const { faceCount: _faceCount, ...stored } = record;
    this.performers.set(id, stored);
    this.faceCounts.set(id, 0);
    this.nextPerformerId = Math.max(this.nextPerformerId, id + 1);
    return id;
  }

  updatePerformer(id: number, patch: PerformerPatch): void {
    const current = this.requirePerformer(id);
    const record = this.validated({ ...current, ...patch, id, faceCount: this.faceCounts.get(id)! });
    const { faceCount: _faceCount, ...stored } = record;
    this.performers.set(id, stored);
  }

  getPerformer(id: number): PerformerRecord | undefined {
    const record = this.performers.get(id);
    return record && { ...record, faceCount: this.faceCounts.get(id)! };
  }

  /** Performer ids, ascending. */
  performerIds(): number[] {
    return [...this.performers.keys()].sort((a, b) => a - b);
  }

  /**
   * Adds face embeddings of a performer (any length; they are normalised to unit length and encoded for
   * storage now). Returns the new face ids, which stay the same in every later version.
   */
  addFaces(performerId: number, embeddings: readonly ArrayLike<number>[]): number[] {
    this.requirePerformer(performerId);
    // Every embedding is checked before any is added (an invalid one adds none).
    this.pending.pushEmbeddings(embeddings, (i) => `embedding ${i} of performer ${performerId}`);
    return embeddings.map(() => {
      const faceId = this.faceTable.append(performerId);
      if (faceId >= REMOVED_FACE) throw new RangeError('a face index holds at most 4294967295 face ids');
      this.pendingFaceIds.push(faceId);
      this.setFaceState(faceId, FACE_PENDING);
      this.faceCounts.set(performerId, this.faceCounts.get(performerId)! + 1);
      return faceId;
    });
  }

  /** Removes faces (withdrawn data); unknown or already removed ids are skipped. Returns how many were removed. */
  removeFaces(faceIds: Iterable<number>): number {
    let removed = 0;
    for (const faceId of faceIds) {
      const performerId = this.faceTable.performerOf(faceId);
      if (performerId === undefined) continue;
      if (this.faceState[faceId] === FACE_IN_GRAPH) this.removeFromGraph.add(faceId);
      this.faceState[faceId] = 0;
      this.faceTable.markRemoved(faceId);
      this.faceCounts.set(performerId, this.faceCounts.get(performerId)! - 1);
      removed++;
    }
    return removed;
  }

  /** Removes every face of a performer and keeps the record (with faceCount 0). Returns the faces removed. */
  removePerformerFaces(performerId: number): number {
    this.requirePerformer(performerId);
    return this.removeFaces(this.faceIdsOf(performerId));
  }

  /** Removes a performer and all their faces. */
  removePerformer(performerId: number): number {
    const removed = this.removePerformerFaces(performerId);
    this.performers.delete(performerId);
    this.faceCounts.delete(performerId);
    return removed;
  }

  /** Face ids of a performer present in the next version. */
  faceIdsOf(performerId: number): number[] {
    const table = this.faceTable.view();
    const ids: number[] = [];
    for (let i = 0; i < table.length; i++) if (table[i] === performerId) ids.push(i);
    return ids;
  }

  /**
   * Writes the index to `dir`: inserts pending vectors into the graph (reporting progress), writes the files
   * into a temporary sibling folder, fsyncs them and renames the folder to `dir`. The writer stays usable:
   * add more and write the next version, or call `write` again after a failure (work done is kept).
   */
  async write(dir: string, meta: WriteMeta): Promise<IndexManifest> {
    if (this.writing) throw new Error('a write of this FaceIndexWriter is already running');
    const indexVersion = FaceIndexVersionSchema.safeParse(meta.indexVersion);
    if (!indexVersion.success)
      throw new RangeError(`indexVersion "${meta.indexVersion}": ${indexVersion.error.issues[0]?.message}`);
    const target = resolve(dir);
    const overwrite = meta.overwrite ?? false;
    if (!overwrite && (await exists(target))) {
      throw new FaceIndexError(
        'target_exists',
        `${target} exists already; write each version to a new folder, or pass overwrite: true`,
      );
    }
    this.writing = true;
    await mkdir(dirname(target), { recursive: true });
    const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
    try {
      const started = performance.now();
      const loadParentMs = await this.buildGraph(meta.onProgress);
      const graphDone = performance.now();
      const manifest = await this.writeFiles(temp, meta, indexVersion.data);
      this.timings = {
        loadParentMs: Math.round(loadParentMs),
        insertMs: Math.round(graphDone - started - loadParentMs),
        filesMs: Math.round(performance.now() - graphDone),
      };
      await syncPath(temp);
      if (await exists(target)) {
        const old = `${temp}.replaced`;
        await rename(target, old);
        await rename(temp, target);
        await rm(old, { recursive: true, force: true });
      } else {
        await rename(temp, target);
      }
      await syncPath(dirname(target));
      return manifest;
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    } finally {
      this.writing = false;
    }
  }

  /**
   * Loads the parent's graph with the faces removed since `fromParent` already removed: freed in a temporary copy
   * of the file (also the int8 copy a converting writer needs) — the state usearch's remove leaves, which at 1M faces
   * costs seconds per thousand removals (rewriteUsearchVectors).
   */
  private async loadParentGraph(graph: AnnGraph, annPath: string): Promise<void> {
    try {
      if (await loadCachedGraph(graph, this.cachedParentGraph, this.removeFromGraph)) {
        this.parentGraphSource = 'construction cache';
      } else {
        await loadGraphFile(graph, annPath, this.settings.storage, this.construction, this.removeFromGraph);
        this.parentGraphSource = 'parent file';
      }
    } catch (error) {
      // Not the parent's fault: the temporary copy could not be written (loadGraphFile says where).
      if (error instanceof ScratchCopyError) throw error;
      throw new FaceIndexError(
        'data_invalid',
        `${annPath}: usearch cannot load the parent's graph (${(error as Error).message})`,
        { cause: error },
      );
    }
    this.removeFromGraph.clear();
    this.unloadedParentGraph = undefined;
    this.cachedParentGraph = undefined;
  }

  /** Builds the graph; returns the milliseconds spent loading the parent's graph. */
  private async buildGraph(onProgress: WriteMeta['onProgress']): Promise<number> {
    this.graph ??= new AnnGraph({ ...this.settings, storage: this.construction });
    const graph = this.graph;
    const loadStarted = performance.now();
    if (this.unloadedParentGraph) await this.loadParentGraph(graph, this.unloadedParentGraph);
    const loadParentMs = performance.now() - loadStarted;
    if (this.removeFromGraph.size > 0) {
      const ids = [...this.removeFromGraph];
      graph.remove(toKeys(ids));
      this.removeFromGraph.clear();
    }
    const total = this.pendingFaces;
    let done = 0;
    onProgress?.(0, total);
    const batch = FACE_INDEX_DEFAULTS.addBatchSize;
    while (this.pendingInserted < this.pendingFaceIds.length) {
      const end = Math.min(this.pendingInserted + batch, this.pendingFaceIds.length);
      const rows: number[] = [];
      for (let i = this.pendingInserted; i < end; i++)
        if (this.faceState[this.pendingFaceIds[i]!] === FACE_PENDING) rows.push(i);
      if (rows.length > 0) {
        const vectors = this.pending.block(rows, this.construction);
        graph.add(toKeys(rows.map((i) => this.pendingFaceIds[i]!)), vectors, this.threads);
        for (const i of rows) this.faceState[this.pendingFaceIds[i]!] = FACE_IN_GRAPH;
        done += rows.length;
      }
      this.pendingInserted = end;
      onProgress?.(done, total);
      // Let timers and I/O run between batches (each batch blocks the event loop while usearch inserts).
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
    }
    if (!this.converting) {
      this.pending = new StoredRows(this.settings.storage, this.settings.dimension);
      this.pendingFaceIds = [];
      this.pendingInserted = 0;
    }
    const expected = this.counts.faces;
    if (graph.size !== expected) {
      throw new FaceIndexError(
        'data_invalid',
        `internal error: the graph holds ${graph.size} vectors but ${expected} faces are present`,
      );
    }
    return loadParentMs;
  }

  private async writeFiles(temp: string, meta: WriteMeta, indexVersion: string): Promise<IndexManifest> {
    const annPath = join(temp, FACE_INDEX_FILES.ann);
    const graphPath = join(temp, `.${FACE_INDEX_FILES.ann}.${this.construction}`);
    let graphDigest: { sha256: string; size: number } | undefined;
    let annDigest: { sha256: string; size: number } | undefined;
    if (this.converting) {
      this.graph!.save(graphPath);
      ({ graph: graphDigest, ann: annDigest } = await this.writeStoredVectors(graphPath, annPath));
    } else {
      this.graph!.save(annPath);
      await syncPath(annPath);
    }

    const tableBytes = this.faceTable.toBytes();
    await writeSynced(join(temp, FACE_INDEX_FILES.faceTable), [tableBytes]);

    const lines: Buffer[] = [];
    let chunk: string[] = [];
    for (const id of this.performerIds()) {
      chunk.push(serializePerformer({ ...this.performers.get(id)!, faceCount: this.faceCounts.get(id)! }));
      if (chunk.length === 4096) {
        lines.push(Buffer.from(`${chunk.join('\n')}\n`));
        chunk = [];
      }
    }
    if (chunk.length > 0) lines.push(Buffer.from(`${chunk.join('\n')}\n`));
    await writeSynced(join(temp, FACE_INDEX_FILES.performers), lines);

    const files = [];
    for (const name of [
      FACE_INDEX_FILES.ann,
      FACE_INDEX_FILES.faceTable,
      FACE_INDEX_FILES.performers,
    ].sort()) {
      // The rewritten graph file was hashed as it was written.
      const digest =
        name === FACE_INDEX_FILES.ann && annDigest ? annDigest : await hashFile(join(temp, name));
      files.push({ name, ...digest });
    }
    if (this.converting) {
      const ann = files.find((file) => file.name === FACE_INDEX_FILES.ann)!;
      if (meta.constructionCache && graphDigest) {
        await keepConstructionGraph(meta.constructionCache, graphPath, graphDigest, {
          indexVersion,
          model: this.model,
          storage: this.settings.storage,
          construction: this.construction,
          ann: { sha256: ann.sha256, size: ann.size },
        }).catch(() => undefined); // best effort (WriteMeta.constructionCache); the folder is removed below if left
      }
      await rm(graphPath, { force: true });
    }
    const counts = this.counts;
    const manifest = IndexManifestSchema.parse({
      formatVersion: FACE_INDEX_FORMAT_VERSION,
      indexVersion,
      createdAt: (meta.createdAt ?? new Date()).toISOString(),
      parentVersion: meta.parentVersion === undefined ? this.parentVersion : meta.parentVersion,
      model: this.model,
      storage: this.settings.storage,
      counts,
      ann: {
        library: 'usearch',
        version: installedUsearchVersion(),
        connectivity: this.settings.connectivity,
        expansionAdd: this.settings.expansionAdd,
        expansionSearch: this.settings.expansionSearch,
        constructionStorage: this.construction,
      },
      files,
    });
    await writeSynced(join(temp, FACE_INDEX_FILES.manifest), [Buffer.from(serializeManifest(manifest))]);
    return manifest;
  }

  /**
   * Writes the graph saved at `graphPath` (int8 vectors) to `annPath` with the stored float16 vector of each
   * slot's face: from the rows added to this writer, else from the parent's file. A removed slot keeps its int8
   * vector, widened: the graph still walks through it. Returns the sha256 and size of the saved graph file and of
   * the written one.
   */
  private async writeStoredVectors(
    graphPath: string,
    annPath: string,
  ): Promise<{ graph?: { sha256: string; size: number }; ann?: { sha256: string; size: number } }> {
    const { storage, dimension: d } = this.settings;
    const width = bytesPerVector(storage, d);
    const pendingRowOf = new Int32Array(this.faceTable.length).fill(-1);
    this.pendingFaceIds.forEach((faceId, row) => {
      if (faceId < pendingRowOf.length) pendingRowOf[faceId] = row;
    });
    const parent = this.parentAnn && openParentVectors(this.parentAnn, this.faceTable.length);
    try {
      const decoded = new Float32Array(d);
      const sourceWidth = bytesPerVector(this.construction, d);
      let outBuffer = new Uint8Array(0); // reused from block to block (RowsOfSlots)
      const rowsOf: RowsOfSlots = (start, count, slotKeys, sourceRows) => {
        if (outBuffer.length < count * width) outBuffer = new Uint8Array(count * width);
        const out = outBuffer.subarray(0, count * width);
        // Runs of slots whose vectors lie one after another in their source (in a full build every slot, in an
        // incremental one the parent's slots) are copied at once: per-row views cost ≈ 3 s at 1M faces.
        const pendingRow = (faceId: number) => (faceId >= 0 ? (pendingRowOf[faceId] ?? -1) : -1);
        for (let r = 0; r < count;) {
          const faceId = slotKeys[start + r]!;
          const row = pendingRow(faceId);
          if (row >= 0) {
            let run = 1;
            while (r + run < count && pendingRow(slotKeys[start + r + run]!) === row + run) run++;
            this.pending.copyRowsTo(row, run, out, r * width);
            r += run;
          } else if (faceId >= 0) {
            const slot = parent?.slotOf(faceId) ?? -1;
            if (slot < 0) {
              throw new FaceIndexError(
                'data_invalid',
                `internal error: no stored vector for face ${faceId} in graph slot ${start + r}`,
              );
            }
            let run = 1;
            while (r + run < count) {
              const next = slotKeys[start + r + run]!;
              if (next < 0 || pendingRow(next) >= 0 || parent!.slotOf(next) !== slot + run) break;
              run++;
            }
            parent!.copySlotsTo(slot, run, out, r * width);
            r += run;
          } else {
            const raw = sourceRows.subarray(r * sourceWidth, (r + 1) * sourceWidth);
            const half = encodeEmbedding(
              decodeStoredBytes(raw, 1, this.construction, d, decoded),
              d,
              storage,
              `removed graph slot ${start + r}`,
            );
            out.set(new Uint8Array(half.buffer, half.byteOffset, width), r * width);
            r++;
          }
        }
        return out;
      };
      // The saved graph is hashed as it is read, for the construction cache (WriteMeta.constructionCache), and the
      // written file as it is written, for the manifest: neither is read again.
      const { source, target } = await rewriteUsearchVectors(
        graphPath,
        annPath,
        { scalarKind: scalarKindCodeOf(storage), bytesPerVector: width },
        rowsOf,
        { hashSource: true, hashTarget: true },
      );
      return { graph: source, ann: target };
    } finally {
      parent?.close();
    }
  }

  /** `rebuild`: queue the parent's live vectors (converted when the storage changes) for a fresh graph. */
  private queueParentVectors(annPath: string, parentStorage: FaceIndexStorage, table: Uint32Array): void {
    withUsearchFile(annPath, (fd, layout) => {
      const slotKeys = readSlotKeys(fd, layout);
      const d = this.settings.dimension;
      const decoded = new Float32Array(d);
      let queued = 0;
      const readBuffer = Buffer.allocUnsafe(FACE_INDEX_DEFAULTS.exactSearchBlock * layout.bytesPerVector);
      for (let start = 0; start < layout.rows; start += FACE_INDEX_DEFAULTS.exactSearchBlock) {
        const count = Math.min(FACE_INDEX_DEFAULTS.exactSearchBlock, layout.rows - start);
        const bytes = readVectorBytes(fd, layout, start, count, readBuffer);
        for (let r = 0; r < count; r++) {
          const faceId = slotKeys[start + r]!;
          if (faceId < 0 || table[faceId] === undefined || table[faceId] === REMOVED_FACE) continue;
          const raw = bytes.subarray(r * layout.bytesPerVector, (r + 1) * layout.bytesPerVector);
          if (parentStorage === this.settings.storage) this.pending.pushBytes(raw, 1);
          else
            this.pending.push(
              encodeEmbedding(
                decodeStoredBytes(raw, 1, parentStorage, d, decoded),
                d,
                this.settings.storage,
                `face ${faceId}`,
              ),
            );
          this.pendingFaceIds.push(faceId);
          this.setFaceState(faceId, FACE_PENDING);
          queued++;
        }
      }
      if (queued !== this.counts.faces) {
        throw new FaceIndexError(
          'data_invalid',
          `${annPath}: the graph holds ${queued} live vectors of present faces, the face table ${this.counts.faces}`,
        );
      }
    });
  }

  private setFaceState(faceId: number, state: number): void {
    if (faceId >= this.faceState.length) {
      const grown = new Uint8Array(Math.max(this.faceState.length * 2, faceId + 1));
      grown.set(this.faceState);
      this.faceState = grown;
    }
    this.faceState[faceId] = state;
  }

  private requirePerformer(id: number): Omit<PerformerRecord, 'faceCount'> {
    const record = this.performers.get(id);
    if (!record) throw new RangeError(`no performer with id ${id}; add it with addPerformer first`);
    return record;
  }

  private validated(record: PerformerRecord): PerformerRecord {
    const result = FaceIndexPerformerSchema.safeParse(record);
    if (!result.success) {
      const issues = result.error.issues
        .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new RangeError(`performer ${record.id} (${JSON.stringify(record.name)}) is not valid: ${issues}`);
    }
    return result.data;
  }
}

/** The construction encoding for `storage`: the storage itself, or int8 under float16 (never wider than stored). */
function constructionOf(storage: FaceIndexStorage, requested: string | undefined): FaceIndexStorage {
  const construction = storageOf(requested ?? storage);
  if (storage === 'int8' && construction !== 'int8')
    throw new RangeError(`an int8 index cannot be built on ${construction} vectors; it stores int8 only`);
  return construction;
}

/** The temporary copy of a parent's graph could not be written (disk full, no temp folder…). */
class ScratchCopyError extends Error {
  constructor(folder: string, construction: FaceIndexStorage, cause: unknown) {
    super(
      `cannot write the temporary ${construction} copy of the parent's graph in ${folder} (${(cause as Error).message}); ` +
        'free space there or point TMPDIR elsewhere',
      { cause },
    );
    this.name = 'ScratchCopyError';
  }
}

/**
 * Loads the parent's graph file into `graph` with `freeKeys` removed and its vectors in the graph's encoding: the
 * file itself when nothing changes, else a temporary copy (rewriteUsearchVectors). A converting writer's
 * `writeStoredVectors` reads the parent's stored vectors from its file again later rather than holding them in
 * memory (≈ 1 GB at 1M faces) while the graph grows.
 */
async function loadGraphFile(
  graph: AnnGraph,
  annPath: string,
  storage: FaceIndexStorage,
  construction: FaceIndexStorage,
  freeKeys: ReadonlySet<number>,
): Promise<void> {
  const converting = construction !== storage;
  if (converting && (storage !== 'float16' || construction !== 'int8'))
    throw new RangeError(`cannot build a ${storage} index on ${construction} vectors`);
  if (!converting && freeKeys.size === 0) {
    graph.load(annPath);
    return;
  }
  const d = graph.settings.dimension;
  const temp = await mkdtemp(join(tmpdir(), 'stash-sense-graph-')).catch((error: unknown) => {
    throw new ScratchCopyError(tmpdir(), construction, error);
  });
  try {
    const copy = join(temp, FACE_INDEX_FILES.ann);
    let int8Rows = new Int8Array(0); // reused from block to block (RowsOfSlots)
    await rewriteUsearchVectors(
      annPath,
      copy,
      { scalarKind: scalarKindCodeOf(construction), bytesPerVector: bytesPerVector(construction, d) },
      (_start, count, _keys, sourceRows) => {
        if (!converting) return sourceRows;
        if (int8Rows.length < count * d) int8Rows = new Int8Array(count * d);
        const int8 = halfRowsToInt8(sourceRows, count, d, int8Rows.subarray(0, count * d));
        return new Uint8Array(int8.buffer, int8.byteOffset, int8.byteLength);
      },
      // A scratch copy, read back at once and deleted: no need to wait for the disk.
      { sync: false, freeKeys },
    ).catch((error: unknown) => {
      // A damaged parent is the parent's problem (reported as such by the caller); anything else is the temp folder's.
      if (error instanceof UsearchFileError) throw error;
      throw new ScratchCopyError(temp, construction, error);
    });
    graph.load(copy);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Loads the parent's construction graph from the cache with `freeKeys` freed in it (construction-cache.ts). False when
 * there is none to load or it cannot be loaded: the caller then converts the parent's file.
 */
async function loadCachedGraph(
  graph: AnnGraph,
  cached: CachedGraph | undefined,
  freeKeys: ReadonlySet<number>,
): Promise<boolean> {
  const claimed = cached && (await claimCachedGraph(cached));
  if (!claimed) return false;
  try {
    freeUsearchKeysInPlace(claimed, freeKeys);
    graph.load(claimed);
    return true;
  } catch {
    return false; // not what the entry promised: convert the parent's file instead
  } finally {
    await rm(claimed, { force: true });
  }
}

/** Stored vectors of the parent's faces by face id, read in blocks of slots (slots follow face order mostly). */
function openParentVectors(
  parent: { path: string; fileSize: number },
  faceIds: number,
): {
  slotOf(faceId: number): number;
  copySlotsTo(slot: number, count: number, out: Uint8Array, at: number): void;
  close(): void;
} {
  const fd = openSync(parent.path, 'r');
  try {
    const layout: UsearchFileLayout = readUsearchLayout(fd);
    if (layout.fileSize !== parent.fileSize) {
      throw new FaceIndexError(
        'data_invalid',
        `${parent.path} changed while this version was built (${parent.fileSize} → ${layout.fileSize} bytes)`,
      );
    }
    const slotOf = new Int32Array(faceIds).fill(-1);
    readSlotKeys(fd, layout).forEach((faceId, slot) => {
      if (faceId >= 0 && faceId < faceIds) slotOf[faceId] = slot;
    });
    const blockRows = FACE_INDEX_DEFAULTS.exactSearchBlock;
    const width = layout.bytesPerVector;
    let blockStart = -1;
    let block: Buffer = Buffer.alloc(0);
    let blockBuffer: Buffer | undefined; // one for every block read
    return {
      /** The parent's slot of a face, -1 when it has none. */
      slotOf: (faceId) => (faceId >= 0 && faceId < faceIds ? slotOf[faceId]! : -1),
      /** Copies the stored bytes of slots [slot, slot + count) to `out` from byte `at`. */
      copySlotsTo(slot, count, out, at) {
        for (let done = 0; done < count;) {
          const s = slot + done;
          if (blockStart < 0 || s < blockStart || s >= blockStart + blockRows) {
            blockStart = s - (s % blockRows);
            blockBuffer ??= Buffer.allocUnsafe(blockRows * width);
            block = readVectorBytes(
              fd,
              layout,
              blockStart,
              Math.min(blockRows, layout.rows - blockStart),
              blockBuffer,
            );
          }
          const take = Math.min(count - done, blockStart + blockRows - s);
          const from = (s - blockStart) * width;
          out.set(block.subarray(from, from + take * width), at + done * width);
          done += take;
        }
      },
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

function storageOf(storage: string): FaceIndexStorage {
  if (storage !== 'float16' && storage !== 'int8')
    throw new RangeError(`storage is 'float16' or 'int8', not '${storage}'`);
  return storage;
}

function threadCount(threads: number | undefined): number {
  return positiveInt('threads', threads ?? FACE_INDEX_DEFAULTS.threads);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
