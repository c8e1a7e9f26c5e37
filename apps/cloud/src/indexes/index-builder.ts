// The build itself, without Nest or a database (docs/index-distribution.md): trusted faces in, grouped by
// performer, a face index version out. The build service feeds it from PostgreSQL; bench/index-build feeds
// it synthetic faces. Ids are stable: performers keep the ids the caller maps them to, faces present in the
// parent keep theirs, new faces get fresh ids from the writer (never reused).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceIndexStorage, IndexChanges, IndexManifest } from '@stash-sense/contracts';
import { FACE_INDEX_FILES, FaceIndexWriter, REMOVED_FACE } from '@stash-sense/face-index';
import { selectDiverse } from './diversity.rules.js';

export interface BuildPerformerMeta {
  name: string;
  disambiguation?: string | null;
  primarySource?: string | null;
  /** Every stash-box id: endpoint = the stash-box GraphQL URL. */
  stashIds: { endpoint: string; stashId: string }[];
}

/** All trusted faces of one performer (the source groups them; performers in any order, each once). */
export interface PerformerFaces {
  performerId: string;
  faces: { faceId: number; vector: Float32Array }[];
}

export interface IndexBuildInput {
  model: { name: string; version: string; dimension: number };
  indexVersion: string;
  /** Where the new version is written (must not exist). */
  outDir: string;
  /** The version this one continues (ids, graph); null for the first build of a model. */
  parent: { dir: string; version: string } | null;
  /** Build a fresh graph from the parent's vectors (a "full" build that still keeps every id). */
  rebuild: boolean;
  performers: ReadonlyMap<string, BuildPerformerMeta>;
  /** Trusted faces with vectors: of every performer (null), or only of the given ones. */
  faces: (performers: readonly string[] | null) => AsyncIterable<PerformerFaces>;
  /**
   * Ids (no vectors) of every trusted face per performer. With a parent, a performer whose trusted faces agree
   * with what the parent holds keeps its faces without its vectors being read; only the others are streamed.
   * Omitted: every face is read.
   */
  trustedFaceIds?: ReadonlyMap<string, readonly number[]>;
  /** Performer uuid → index performer id, as persisted; new performers are added to it. */
  performerIds: Map<string, number>;
  /** Database face id → index face id, for the faces present in the parent. */
  presentFaces: ReadonlyMap<number, number>;
  maxFacesPerPerformer: number;
  minFaces: number;
  threads: number;
  /** HNSW efConstruction of a new graph (create, or a rebuild); default the library's (128). */
  expansionAdd?: number;
  /** HNSW efConstruction for faces inserted into the parent's graph (an incremental build); default the parent's. */
  incrementalExpansionAdd?: number;
  /** Encoding the graph links are chosen with (full and incremental builds); default the library's (int8). */
  constructionStorage?: FaceIndexStorage;
  /**
   * Folder where each build keeps its int8 construction graph for the next incremental build, which then skips
   * quantising the parent's file (libs/face-index construction-cache.ts). Omitted: nothing is kept.
   */
  constructionCache?: string;
  /** Build anyway when nothing changed (a requested full build). */
  force?: boolean;
  onProgress?: (phase: 'select' | 'graph', done: number, total: number) => void;
}

export interface IndexBuildOutput {
  status: 'built' | 'unchanged';
  manifest: IndexManifest | null;
  performers: number;
  faces: number;
  /** Faces per performer present in the new version. */
  faceCounts: number[];
  changes: IndexChanges;
  /** New face ids: newFaceIds[i] (database) → newIndexFaceIds[i] (index). */
  newFaceIds: number[];
  newIndexFaceIds: number[];
  newPerformerIds: { performerId: string; indexPerformerId: number }[];
  /** Face ids of the parent's face table: ids at or above it belong to no ancestor of this version. */
  parentFaceIdCount: number;
  /**
   * Milliseconds: opening the parent, reading + selecting + encoding faces, graph insertion + files (and of the
   * last: loading the parent's graph, removing + inserting faces, writing + hashing the files).
   */
  timings: {
    openMs: number;
    selectMs: number;
    writeMs: number;
    write?: { loadParentMs: number; insertMs: number; filesMs: number };
  };
  /** Where an incremental build's parent graph came from (null: no parent graph was loaded). */
  parentGraph: 'construction cache' | 'parent file' | null;
}

function recordKey(meta: {
  name: string;
  disambiguation?: string | null;
  primarySource?: string | null;
  stashIds: { endpoint: string; stashId: string }[];
}): string {
  return JSON.stringify([
    meta.name,
    meta.disambiguation ?? null,
    meta.primarySource ?? null,
    [...meta.stashIds]
      .map((s) => `${s.endpoint} ${s.stashId}`)
      .sort()
      .join('\n'),
  ]);
}

function performerRecord(meta: BuildPerformerMeta) {
  return {
    name: meta.name.slice(0, 512) || 'unknown',
    stashIds: [...meta.stashIds]
      .sort((a, b) => (a.endpoint + a.stashId < b.endpoint + b.stashId ? -1 : 1))
      .slice(0, 64),
    ...(meta.primarySource ? { primarySource: meta.primarySource.slice(0, 64) } : {}),
    ...(meta.disambiguation ? { disambiguation: meta.disambiguation.slice(0, 512) } : {}),
  };
}

/** The face table of an index folder (entry i = performer id of face i, REMOVED_FACE when removed). */
export async function readFaceTable(dir: string): Promise<Uint32Array> {
  const bytes = await readFile(join(dir, FACE_INDEX_FILES.faceTable));
  const table = new Uint32Array(bytes.byteLength / 4);
  new Uint8Array(table.buffer).set(bytes);
  return table;
}

export async function buildIndexVersion(input: IndexBuildInput): Promise<IndexBuildOutput> {
  const { parent } = input;
  const t0 = performance.now();
  const writer = parent
    ? await FaceIndexWriter.fromParent(parent.dir, {
        threads: input.threads,
        ...(input.constructionStorage ? { constructionStorage: input.constructionStorage } : {}),
        rebuild: input.rebuild && (input.expansionAdd ? { expansionAdd: input.expansionAdd } : true),
        ...(input.constructionCache ? { constructionCache: input.constructionCache } : {}),
        ...(!input.rebuild && input.incrementalExpansionAdd
          ? { expansionAdd: input.incrementalExpansionAdd }
          : {}),
      })
    : FaceIndexWriter.create({
        model: { ...input.model, metric: 'cosine' },
        storage: 'float16',
        threads: input.threads,
        ...(input.constructionStorage ? { constructionStorage: input.constructionStorage } : {}),
        ...(input.expansionAdd ? { expansionAdd: input.expansionAdd } : {}),
      });
  const parentTable = parent ? await readFaceTable(parent.dir) : new Uint32Array(0);
  const parentPerformers = new Map<number, string>();
  for (const id of writer.performerIds()) parentPerformers.set(id, recordKey(writer.getPerformer(id)!));

  let nextPerformerId = 0;
  for (const id of input.performerIds.values()) nextPerformerId = Math.max(nextPerformerId, id + 1);
  for (const id of parentPerformers.keys()) nextPerformerId = Math.max(nextPerformerId, id + 1);

  const changes: IndexChanges = {
    facesAdded: 0,
    facesRemoved: 0,
    performersAdded: 0,
    performersRemoved: 0,
    performersChanged: 0,
  };
  const t1 = performance.now();
  const visited = new Set<number>();
  const toRemove: number[] = [];
  const newFaceIds: number[] = [];
  const newIndexFaceIds: number[] = [];
  const newPerformerIds: IndexBuildOutput['newPerformerIds'] = [];
  const wanted = new Set<number>();
  let performersSeen = 0;

  // Performers of the parent whose record this build changes (each performer is upserted once).
  const updated = new Set<number>();
  const upsertRecord = (indexPerformerId: number, meta: BuildPerformerMeta) => {
    wanted.add(indexPerformerId);
    const record = performerRecord(meta);
    const before = parentPerformers.get(indexPerformerId);
    if (before === undefined) {
      if (!writer.getPerformer(indexPerformerId)) writer.addPerformer({ id: indexPerformerId, ...record });
    } else if (!updated.has(indexPerformerId) && before !== recordKey(record)) {
      updated.add(indexPerformerId);
      // Optional fields the record no longer has are cleared explicitly.
      writer.updatePerformer(indexPerformerId, {
        disambiguation: undefined,
        primarySource: undefined,
        ...record,
      });
    }
  };

  // Performers whose faces cannot change this time: the parent holds exactly their trusted faces (or as many
  // as the cap allows, all still trusted), or none while they have fewer than min-faces. Their vectors are not
  // read; their records are still refreshed.
  let only: string[] | null = null;
  if (parent && input.trustedFaceIds) {
    const uuidOf = new Map<number, string>();
    for (const [uuid, id] of input.performerIds) uuidOf.set(id, uuid);
    const presentBy = new Map<string, number[]>();
    for (const [faceId, indexFaceId] of input.presentFaces) {
      const uuid = uuidOf.get(parentTable[indexFaceId]!);
      if (uuid === undefined) continue;
      let list = presentBy.get(uuid);
      if (!list) presentBy.set(uuid, (list = []));
      list.push(faceId);
    }
    only = [];
    for (const [uuid, trusted] of input.trustedFaceIds) {
      const meta = input.performers.get(uuid);
      if (!meta) continue;
      const present = presentBy.get(uuid) ?? [];
      const trustedSet = new Set(trusted);
      const clean =
        present.every((id) => trustedSet.has(id)) &&
        (present.length === 0
          ? trusted.length < input.minFaces
          : present.length >= input.minFaces &&
            (present.length === trusted.length || present.length === input.maxFacesPerPerformer));
      if (!clean) {
        only.push(uuid);
        continue;
      }
      for (const id of present) visited.add(id);
      if (present.length > 0) upsertRecord(input.performerIds.get(uuid)!, meta);
    }
  }

  for await (const group of input.faces(only)) {
    const meta = input.performers.get(group.performerId);
    if (!meta || group.faces.length === 0) continue;
    let indexPerformerId = input.performerIds.get(group.performerId);
    // Faces the parent holds for this very performer are kept (seeds), unless the cap shrank.
    const seeds: number[] = [];
    group.faces.forEach((face, i) => {
      const indexFaceId = input.presentFaces.get(face.faceId);
      if (indexFaceId === undefined) return;
      visited.add(face.faceId);
      if (indexPerformerId !== undefined && parentTable[indexFaceId] === indexPerformerId) seeds.push(i);
      else toRemove.push(indexFaceId); // moved to another performer: removed here, added anew below
    });
    let chosen = selectDiverse(
      group.faces.map((f) => f.vector),
      input.maxFacesPerPerformer,
      seeds,
    );
    if (chosen.length < input.minFaces) chosen = [];
    const chosenSet = new Set(chosen);
    for (const i of seeds)
      if (!chosenSet.has(i)) toRemove.push(input.presentFaces.get(group.faces[i]!.faceId)!);
    input.onProgress?.('select', ++performersSeen, input.performers.size);
    if (chosen.length === 0) continue;

    if (indexPerformerId === undefined) {
      indexPerformerId = nextPerformerId++;
      input.performerIds.set(group.performerId, indexPerformerId);
      newPerformerIds.push({ performerId: group.performerId, indexPerformerId });
    }
    upsertRecord(indexPerformerId, meta);
    const seedSet = new Set(seeds);
    const added = chosen.filter((i) => !seedSet.has(i));
    if (added.length > 0) {
      const ids = writer.addFaces(
        indexPerformerId,
        added.map((i) => group.faces[i]!.vector),
      );
      added.forEach((i, k) => {
        newFaceIds.push(group.faces[i]!.faceId);
        newIndexFaceIds.push(ids[k]!);
      });
      changes.facesAdded += ids.length;
    }
  }
  // Faces of the parent that are no longer trusted (or were deleted): out.
  for (const [faceId, indexFaceId] of input.presentFaces)
    if (!visited.has(faceId)) toRemove.push(indexFaceId);
  // Faces of the parent that no mapping names (should not happen): out as well, rather than unremovable.
  const mapped = new Set(input.presentFaces.values());
  for (let id = 0; id < parentTable.length; id++)
    if (parentTable[id] !== REMOVED_FACE && !mapped.has(id)) toRemove.push(id);
  changes.facesRemoved = writer.removeFaces(toRemove);

  for (const id of writer.performerIds()) {
    if (!wanted.has(id) || writer.getPerformer(id)!.faceCount === 0) {
      writer.removePerformer(id);
    }
  }
  const faceCounts: number[] = [];
  for (const id of writer.performerIds()) {
    faceCounts.push(writer.getPerformer(id)!.faceCount);
    if (!parentPerformers.has(id)) changes.performersAdded++;
    else if (updated.has(id)) changes.performersChanged++;
  }
  for (const id of parentPerformers.keys()) if (!writer.getPerformer(id)) changes.performersRemoved++;

  const counts = writer.counts;
  const t2 = performance.now();
  const timings: IndexBuildOutput['timings'] = {
    openMs: Math.round(t1 - t0),
    selectMs: Math.round(t2 - t1),
    writeMs: 0,
  };
  const base = {
    performers: counts.performers,
    faces: counts.faces,
    faceCounts,
    changes,
    newFaceIds,
    newIndexFaceIds,
    newPerformerIds,
    parentFaceIdCount: parentTable.length,
    timings,
    parentGraph: null,
  };
  const unchanged = parent !== null && !input.force && Object.values(changes).every((v) => v === 0);
  if (unchanged) return { status: 'unchanged', manifest: null, ...base };
  const manifest = await writer.write(input.outDir, {
    indexVersion: input.indexVersion,
    onProgress: (done, total) => input.onProgress?.('graph', done, total),
    ...(input.constructionCache ? { constructionCache: input.constructionCache } : {}),
  });
  timings.writeMs = Math.round(performance.now() - t2);
  if (writer.lastWriteTimings) timings.write = writer.lastWriteTimings;
  return { status: 'built', manifest, ...base, parentGraph: writer.parentGraphLoadedFrom ?? null };
}
