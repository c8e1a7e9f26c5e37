/**
 * Index deltas (docs/index-format.md, "Deltas"): what a client that holds version N needs to build version N+1
 * when N+1 was written incrementally from N (`FaceIndexWriter.fromParent`). Instead of replaying the writer
 * (usearch inserts with several threads, so a replay is not byte-identical), a delta is a format-aware binary
 * diff: the faces added (face id, performer id, graph slot and the stored vector bytes exactly as in the child's
 * faces.usearch), the faces removed, the performer lines added/changed/removed, and the graph nodes that
 * changed (XOR against the parent's node of the same slot, so unchanged neighbour slots compress to zeros).
 * Applying it rebuilds the child's files byte for byte, and `applyIndexDelta` then checks every file against
 * the signed manifest the caller expects, so a wrong or tampered delta is refused instead of installed.
 *
 * File: gzip( header JSON line "\n" · blocks ), blocks in the order the apply writes its output:
 *   removed faces      u32 faceId × removedFaces
 *   added faces        (u32 faceId, u32 performerId, u32 slot) × addedFaces, then bytesPerVector × addedFaces
 *   raw rows           (u32 slot, bytesPerVector) × rawRows — any other vector row that differs (rare)
 *   performers         performerUpsertBytes of performers.jsonl lines (exact bytes), u32 id × performersRemoved
 *   graph head         64-byte usearch head + 40-byte graph header of the child
 *   levels             i16 × rows: child levels XOR parent levels (parent's past its end read as 0)
 *   node patches       (u32 slot, u8 kind, u32 length, bytes)…, ended by slot 0xFFFFFFFF;
 *                      kind 0 = XOR with the parent's node of that slot, kind 1 = the whole node
 */
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { type IndexManifest } from '@stash-sense/contracts';
import { FACE_INDEX_FILES, REMOVED_FACE } from './constants.js';
import { FaceIndexError } from './errors.js';
import { readManifest, serializeManifest, verifyIndexFiles } from './manifest.js';
import { readSlotKeys, readUsearchLayout, type UsearchFileLayout } from './usearch-file.js';
import { syncPath, writeSynced } from './synced-fs.js';

export const INDEX_DELTA_TYPE = 'stash-sense-index-delta';
export const INDEX_DELTA_FORMAT_VERSION = 1;

const MATRIX_HEADER_BYTES = 8;
const TAIL_HEADER_BYTES = 64 + 40;
const NODE_HEAD_BYTES = 10;
const END_OF_PATCHES = 0xffffffff;
const MAX_HEADER_BYTES = 1 << 20;
const WINDOW_BYTES = 8 << 20;

/** The first line of a delta (JSON). */
export interface IndexDeltaHeader {
  type: typeof INDEX_DELTA_TYPE;
  formatVersion: number;
  parentVersion: string;
  childVersion: string;
  /** The parent's files as its manifest lists them: apply refuses another parent of the same version name. */
  parentFiles: IndexManifest['files'];
  /** The child's manifest without `files` (those are checked against the signed manifest). */
  child: Omit<IndexManifest, 'files'>;
  faceTableLength: number;
  removedFaces: number;
  addedFaces: number;
  rawRows: number;
  performerUpsertBytes: number;
  performersUpserted: number;
  performersRemoved: number;
  usearch: { rows: number; bytesPerVector: number };
}

export interface IndexDeltaSummary {
  parentVersion: string;
  childVersion: string;
  facesAdded: number;
  facesRemoved: number;
  performersUpserted: number;
  performersRemoved: number;
  /** Graph nodes carried (changed or new). */
  nodePatches: number;
  /** Size of the delta file (gzip). */
  bytes: number;
}

function deltaError(message: string, cause?: unknown): FaceIndexError {
  return new FaceIndexError('data_invalid', message, cause === undefined ? undefined : { cause });
}

/**
 * Writes the delta that turns `parentDir` into `childDir` (a version written by `FaceIndexWriter.fromParent`
 * of that parent, same storage and HNSW settings). Throws FaceIndexError('data_invalid') when the child was not
 * built from the parent (a face id moved, a removed id came back, another model, storage or graph settings).
 */
export async function writeIndexDelta(
  parentDir: string,
  childDir: string,
  outFile: string,
): Promise<IndexDeltaSummary> {
  const parent = await readManifest(parentDir);
  const child = await readManifest(childDir);
  if (
    parent.model.name !== child.model.name ||
    parent.model.version !== child.model.version ||
    parent.model.dimension !== child.model.dimension ||
    parent.storage !== child.storage
  ) {
    throw deltaError(
      `${childDir} (${child.model.name} ${child.model.version}, ${child.storage}) cannot be expressed as a delta of ${parentDir} (${parent.model.name} ${parent.model.version}, ${parent.storage}): publish it as a full download`,
    );
  }

  // Face table.
  const parentTable = await readTable(join(parentDir, FACE_INDEX_FILES.faceTable));
  const childTable = await readTable(join(childDir, FACE_INDEX_FILES.faceTable));
  if (childTable.length < parentTable.length)
    throw deltaError(`${childDir}: the face table is shorter than the parent's; not built from ${parentDir}`);
  const removed: number[] = [];
  for (let i = 0; i < parentTable.length; i++) {
    const was = parentTable[i]!;
    const now = childTable[i]!;
    if (was === now) continue;
    if (now === REMOVED_FACE) removed.push(i);
    else
      throw deltaError(
        `${childDir}: face ${i} belongs to performer ${now}, in the parent to ${was === REMOVED_FACE ? 'nobody (removed)' : was}; not built from ${parentDir}`,
      );
  }
  const addedSlot = new Map<number, number>();
  for (let i = parentTable.length; i < childTable.length; i++)
    if (childTable[i] !== REMOVED_FACE) addedSlot.set(i, -1);

  // Performers.
  const parentLines = await readPerformerLines(join(parentDir, FACE_INDEX_FILES.performers));
  const childLines = await readPerformerLines(join(childDir, FACE_INDEX_FILES.performers));
  const upserts: string[] = [];
  for (const [id, line] of childLines) if (parentLines.get(id) !== line) upserts.push(line);
  const removedPerformers = [...parentLines.keys()].filter((id) => !childLines.has(id));
  const upsertBytes = Buffer.from(upserts.map((l) => `${l}\n`).join(''));

  const parentFd = openSync(join(parentDir, FACE_INDEX_FILES.ann), 'r');
  const childFd = openSync(join(childDir, FACE_INDEX_FILES.ann), 'r');
  const target = resolve(outFile);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.partial-${process.pid}-${Date.now()}`;
  const out = new GzipOut(temp);
  try {
    const p = readUsearchLayout(parentFd);
    const c = readUsearchLayout(childFd);
    if (
      p.bytesPerVector !== c.bytesPerVector ||
      p.graph.connectivity !== c.graph.connectivity ||
      p.graph.connectivityBase !== c.graph.connectivityBase ||
      p.slotKind !== c.slotKind ||
      p.keyKind !== c.keyKind
    ) {
      throw deltaError(
        `${childDir}: the graph has other settings than the parent's (a rebuild); publish it as a full download`,
      );
    }
    const childKeys = readSlotKeys(childFd, c);

    // Vector rows: added faces by slot, other differing rows raw.
    const rawRows: { slot: number; bytes: Buffer }[] = [];
    const addedVectors = new Map<number, Buffer>();
    const parentRows = new FileCursor(parentFd, p.vectorsOffset);
    const childRows = new FileCursor(childFd, c.vectorsOffset);
    for (let s = 0; s < c.rows; s++) {
      const row = childRows.read(c.bytesPerVector);
      const key = childKeys[s]!;
      const parentRow = s < p.rows ? parentRows.read(p.bytesPerVector) : undefined;
      if (key >= 0 && addedSlot.has(key)) {
        if (addedSlot.get(key) !== -1) throw deltaError(`${childDir}: face ${key} is in two graph slots`);
        addedSlot.set(key, s);
        addedVectors.set(key, Buffer.from(row));
      } else if (!parentRow || !parentRow.equals(row)) {
        rawRows.push({ slot: s, bytes: Buffer.from(row) });
      }
    }
    for (const [faceId, slot] of addedSlot)
      if (slot === -1)
        throw deltaError(`${childDir}: face ${faceId} is in the face table but not in the graph`);

    const header: IndexDeltaHeader = {
      type: INDEX_DELTA_TYPE,
      formatVersion: INDEX_DELTA_FORMAT_VERSION,
      parentVersion: parent.indexVersion,
      childVersion: child.indexVersion,
      parentFiles: parent.files,
      child: withoutFiles(child),
      faceTableLength: childTable.length,
      removedFaces: removed.length,
      addedFaces: addedSlot.size,
      rawRows: rawRows.length,
      performerUpsertBytes: upsertBytes.length,
      performersUpserted: upserts.length,
      performersRemoved: removedPerformers.length,
      usearch: { rows: c.rows, bytesPerVector: c.bytesPerVector },
    };
    await out.write(Buffer.from(`${JSON.stringify(header)}\n`));
    await out.write(u32s(removed));
    const added = [...addedSlot.keys()].sort((a, b) => a - b);
    await out.write(u32s(added.flatMap((faceId) => [faceId, childTable[faceId]!, addedSlot.get(faceId)!])));
    for (const faceId of added) await out.write(addedVectors.get(faceId)!);
    for (const row of rawRows) {
      await out.write(u32s([row.slot]));
      await out.write(row.bytes);
    }
    await out.write(upsertBytes);
    await out.write(u32s(removedPerformers));

    // Graph: head, levels (XOR), changed nodes.
    const childTail = new FileCursor(childFd, c.vectorsOffset + c.rows * c.bytesPerVector);
    await out.write(Buffer.from(childTail.read(TAIL_HEADER_BYTES)));
    const parentLevels = readLevels(parentFd, p);
    const childLevels = readLevels(childFd, c);
    const levelsXor = Buffer.alloc(2 * c.rows);
    for (let s = 0; s < c.rows; s++)
      levelsXor.writeUInt16LE((childLevels[s]! ^ (parentLevels[s] ?? 0)) & 0xffff, 2 * s);
    await out.write(levelsXor);
    const parentNodes = new FileCursor(parentFd, p.nodesOffset);
    const childNodes = new FileCursor(childFd, c.nodesOffset);
    let nodePatches = 0;
    for (let s = 0; s < c.rows; s++) {
      const node = childNodes.read(nodeBytes(c, childLevels[s]!));
      const parentNode = s < p.rows ? parentNodes.read(nodeBytes(p, parentLevels[s]!)) : undefined;
      if (parentNode?.equals(node)) continue;
      nodePatches++;
      const head = Buffer.alloc(9);
      head.writeUInt32LE(s, 0);
      if (parentNode && parentNode.length === node.length) {
        const xor = Buffer.alloc(node.length);
        for (let i = 0; i < node.length; i++) xor[i] = node[i]! ^ parentNode[i]!;
        head.writeUInt8(0, 4);
        head.writeUInt32LE(xor.length, 5);
        await out.write(head);
        await out.write(xor);
      } else {
        head.writeUInt8(1, 4);
        head.writeUInt32LE(node.length, 5);
        await out.write(head);
        await out.write(Buffer.from(node));
      }
    }
    await out.write(u32s([END_OF_PATCHES]));
    await out.end();
    await rename(temp, target);
    return {
      parentVersion: parent.indexVersion,
      childVersion: child.indexVersion,
      facesAdded: added.length,
      facesRemoved: removed.length,
      performersUpserted: upserts.length,
      performersRemoved: removedPerformers.length,
      nodePatches,
      bytes: (await stat(target)).size,
    };
  } catch (error) {
    out.destroy();
    await rm(temp, { force: true });
    throw error;
  } finally {
    closeSync(parentFd);
    closeSync(childFd);
  }
}

/** Reads the header line of a delta file. */
export async function readIndexDeltaHeader(deltaFile: string): Promise<IndexDeltaHeader> {
  const reader = new StreamReader(deltaFile);
  try {
    return await readHeader(reader, deltaFile);
  } finally {
    reader.close();
  }
}

/**
 * Builds the child version from `parentDir` and a delta into `outDir` (which must not exist), then checks
 * every file against `expected` — the child's manifest as signed by the cloud — and writes it as manifest.json.
 * Nothing is left at `outDir` unless every file matches. Throws FaceIndexError: 'data_invalid' for a delta that
 * does not fit the parent or `expected`, or is damaged; 'file_mismatch' when a rebuilt file differs from the
 * signed manifest (a tampered delta); 'target_exists' when `outDir` exists.
 */
export async function applyIndexDelta(
  parentDir: string,
  deltaFile: string,
  outDir: string,
  expected: IndexManifest,
): Promise<IndexManifest> {
  const target = resolve(outDir);
  if (await exists(target))
    throw new FaceIndexError('target_exists', `${target} exists already; apply the delta to a new folder`);
  const parent = await readManifest(parentDir);
  await mkdir(dirname(target), { recursive: true });
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  const reader = new StreamReader(deltaFile);
  const parentFd = openSync(join(parentDir, FACE_INDEX_FILES.ann), 'r');
  try {
    const header = await readHeader(reader, deltaFile);
    if (header.parentVersion !== parent.indexVersion)
      throw deltaError(
        `the delta applies to version ${header.parentVersion}, the local index is ${parent.indexVersion}`,
      );
    if (JSON.stringify(header.parentFiles) !== JSON.stringify(parent.files))
      throw deltaError(
        `the delta was made from another ${parent.indexVersion} than the local one (file digests differ)`,
      );
    if (header.childVersion !== expected.indexVersion)
      throw deltaError(`the delta builds ${header.childVersion}, expected ${expected.indexVersion}`);
    if (serializeManifest({ ...header.child, files: [] }) !== serializeManifest({ ...expected, files: [] }))
      throw deltaError(
        `the delta's manifest fields for ${expected.indexVersion} differ from the signed manifest`,
      );

    const p = readUsearchLayout(parentFd);
    const bpv = header.usearch.bytesPerVector;
    if (bpv !== p.bytesPerVector)
      throw deltaError(`the delta stores ${bpv} bytes per vector, the local index ${p.bytesPerVector}`);

    // Faces.
    const removed = readU32s(await reader.read(4 * header.removedFaces));
    const addedTriples = readU32s(await reader.read(12 * header.addedFaces));
    const addedVectors = await reader.read(bpv * header.addedFaces);
    const rowSource = new Map<number, Buffer>();
    const parentTable = await readTable(join(parentDir, FACE_INDEX_FILES.faceTable));
    if (header.faceTableLength < parentTable.length)
      throw deltaError('the delta has a shorter face table than the local index');
    const table = new Uint32Array(header.faceTableLength).fill(REMOVED_FACE);
    table.set(parentTable);
    for (const faceId of removed) {
      if (faceId >= parentTable.length)
        throw deltaError(`the delta removes face ${faceId}, which is unknown`);
      table[faceId] = REMOVED_FACE;
    }
    for (let i = 0; i < header.addedFaces; i++) {
      const [faceId, performerId, slot] = [
        addedTriples[3 * i]!,
        addedTriples[3 * i + 1]!,
        addedTriples[3 * i + 2]!,
      ];
      if (faceId < parentTable.length || faceId >= table.length)
        throw deltaError(`the delta adds face ${faceId} outside the new id range`);
      table[faceId] = performerId;
      rowSource.set(slot, addedVectors.subarray(i * bpv, (i + 1) * bpv));
    }
    for (let i = 0; i < header.rawRows; i++) {
      const slot = (await reader.read(4)).readUInt32LE(0);
      rowSource.set(slot, await reader.read(bpv));
    }
    await writeSynced(join(temp, FACE_INDEX_FILES.faceTable), [
      Buffer.from(table.buffer, table.byteOffset, table.byteLength),
    ]);

    // Performers.
    const upserts = (await reader.read(header.performerUpsertBytes)).toString('utf8');
    const removedPerformers = readU32s(await reader.read(4 * header.performersRemoved));
    const lines = await readPerformerLines(join(parentDir, FACE_INDEX_FILES.performers));
    for (const id of removedPerformers) lines.delete(id);
    for (const line of upserts.split('\n')) if (line) lines.set(performerIdOf(line, 'the delta'), line);
    const ids = [...lines.keys()].sort((a, b) => a - b);
    await writeSynced(join(temp, FACE_INDEX_FILES.performers), [
      Buffer.from(ids.map((id) => `${lines.get(id)!}\n`).join('')),
    ]);

    // Graph.
    const rows = header.usearch.rows;
    const ann = await open(join(temp, FACE_INDEX_FILES.ann), 'wx');
    try {
      const w = new BufferedFileWriter(ann);
      const matrix = Buffer.alloc(MATRIX_HEADER_BYTES);
      matrix.writeUInt32LE(rows, 0);
      matrix.writeUInt32LE(bpv, 4);
      await w.write(matrix);
      const parentRows = new FileCursor(parentFd, p.vectorsOffset);
      for (let s = 0; s < rows; s++) {
        const parentRow = s < p.rows ? parentRows.read(bpv) : undefined;
        const row = rowSource.get(s) ?? parentRow;
        if (!row) throw deltaError(`the delta has no vector for graph slot ${s}`);
        await w.write(row);
      }
      const tail = await reader.read(TAIL_HEADER_BYTES);
      if (Number(tail.readBigUInt64LE(64)) !== rows)
        throw deltaError(`the delta's graph header does not match its ${rows} rows`);
      await w.write(tail);
      const childLayout = {
        ...p,
        graph: {
          ...p.graph,
          connectivity: Number(tail.readBigUInt64LE(72)),
          connectivityBase: Number(tail.readBigUInt64LE(80)),
        },
      };
      const parentLevels = readLevels(parentFd, p);
      const levelsXor = await reader.read(2 * rows);
      const levels = new Int16Array(rows);
      const levelBytes = Buffer.alloc(2 * rows);
      for (let s = 0; s < rows; s++) {
        const level = (levelsXor.readUInt16LE(2 * s) ^ ((parentLevels[s] ?? 0) & 0xffff)) & 0xffff;
        levelBytes.writeUInt16LE(level, 2 * s);
        levels[s] = levelBytes.readInt16LE(2 * s);
        if (levels[s]! < 0) throw deltaError(`the delta gives graph node ${s} a negative level`);
      }
      await w.write(levelBytes);
      const parentNodes = new FileCursor(parentFd, p.nodesOffset);
      let patch = await readPatchHead(reader);
      for (let s = 0; s < rows; s++) {
        const size = nodeBytes(childLayout, levels[s]!);
        const parentNode = s < p.rows ? parentNodes.read(nodeBytes(p, parentLevels[s]!)) : undefined;
        if (patch && patch.slot < s) throw deltaError('the delta’s graph patches are out of order');
        if (patch?.slot === s) {
          const bytes = await reader.read(patch.length);
          if (patch.kind === 0) {
            if (!parentNode || parentNode.length !== bytes.length || bytes.length !== size)
              throw deltaError(`the delta patches graph node ${s} with a wrong size`);
            for (let i = 0; i < bytes.length; i++) bytes[i]! ^= parentNode[i]!;
          } else if (patch.kind !== 1 || bytes.length !== size) {
            throw deltaError(`the delta has a malformed patch of graph node ${s}`);
          }
          await w.write(bytes);
          patch = await readPatchHead(reader);
        } else {
          if (!parentNode || parentNode.length !== size)
            throw deltaError(
              `the delta leaves graph node ${s} unchanged, but the local index has none like it`,
            );
          await w.write(parentNode);
        }
      }
      if (patch) throw deltaError(`the delta patches graph node ${patch.slot}, beyond the ${rows} nodes`);
      if (!(await reader.atEnd())) throw deltaError('the delta has trailing bytes');
      await w.flush();
      await ann.sync();
    } finally {
      await ann.close();
    }

    await verifyIndexFiles(temp, expected);
    await writeSynced(join(temp, FACE_INDEX_FILES.manifest), [Buffer.from(serializeManifest(expected))]);
    await syncPath(temp);
    await rename(temp, target);
    await syncPath(dirname(target));
    return expected;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (error instanceof FaceIndexError) throw error;
    throw deltaError(`${deltaFile}: the delta is damaged (${(error as Error).message})`, error);
  } finally {
    reader.close();
    closeSync(parentFd);
  }
}

// ——— helpers ———

function withoutFiles(manifest: IndexManifest): Omit<IndexManifest, 'files'> {
  const { files: _files, ...rest } = manifest;
  return rest;
}

async function readHeader(reader: StreamReader, where: string): Promise<IndexDeltaHeader> {
  const line = await reader.readLine(MAX_HEADER_BYTES);
  let header: IndexDeltaHeader;
  try {
    header = JSON.parse(line) as IndexDeltaHeader;
  } catch (error) {
    throw deltaError(`${where} is not an index delta (unreadable header)`, error);
  }
  if (header?.type !== INDEX_DELTA_TYPE) throw deltaError(`${where} is not an index delta`);
  if (header.formatVersion !== INDEX_DELTA_FORMAT_VERSION)
    throw deltaError(
      `${where}: delta format ${header.formatVersion} is not understood (this software reads ${INDEX_DELTA_FORMAT_VERSION}); download the full index`,
    );
  const counts = [
    header.faceTableLength,
    header.removedFaces,
    header.addedFaces,
    header.rawRows,
    header.performerUpsertBytes,
    header.performersRemoved,
    header.usearch?.rows,
    header.usearch?.bytesPerVector,
  ];
  if (!counts.every((n) => Number.isSafeInteger(n) && n >= 0 && n < 2 ** 40))
    throw deltaError(`${where}: the delta header has invalid counts`);
  return header;
}

async function readPatchHead(
  reader: StreamReader,
): Promise<{ slot: number; kind: number; length: number } | undefined> {
  const slot = (await reader.read(4)).readUInt32LE(0);
  if (slot === END_OF_PATCHES) return undefined;
  const rest = await reader.read(5);
  return { slot, kind: rest.readUInt8(0), length: rest.readUInt32LE(1) };
}

function nodeBytes(layout: UsearchFileLayout, level: number): number {
  const slot = layout.slotKind === 15 ? 4 : 8;
  return (
    NODE_HEAD_BYTES +
    4 +
    layout.graph.connectivityBase * slot +
    level * (4 + layout.graph.connectivity * slot)
  );
}

function readLevels(fd: number, layout: UsearchFileLayout): Int16Array {
  const bytes = new FileCursor(fd, layout.levelsOffset).read(2 * layout.graph.size);
  const levels = new Int16Array(layout.graph.size);
  for (let i = 0; i < levels.length; i++) levels[i] = bytes.readInt16LE(2 * i);
  return levels;
}

async function readTable(path: string): Promise<Uint32Array> {
  const bytes = await readFile(path);
  if (bytes.length % 4 !== 0) throw deltaError(`${path} is not a face table (size not a multiple of 4)`);
  const table = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < table.length; i++) table[i] = bytes.readUInt32LE(4 * i);
  return table;
}

async function readPerformerLines(path: string): Promise<Map<number, string>> {
  const text = await readFile(path, 'utf8');
  const lines = new Map<number, string>();
  for (const line of text.split('\n')) if (line) lines.set(performerIdOf(line, path), line);
  return lines;
}

function performerIdOf(line: string, where: string): number {
  const match = /^\{"id":(\d+)[,}]/.exec(line);
  if (!match) throw deltaError(`${where}: a performer line does not start with its id`);
  return Number(match[1]);
}

function u32s(values: readonly number[]): Buffer {
  const buffer = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => buffer.writeUInt32LE(v, 4 * i));
  return buffer;
}

function readU32s(buffer: Buffer): number[] {
  const values: number[] = [];
  for (let i = 0; i < buffer.length; i += 4) values.push(buffer.readUInt32LE(i));
  return values;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Sequential reads of a file through an 8 MiB window; a returned buffer is valid until the next read. */
class FileCursor {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    private position: number,
  ) {}

  read(length: number): Buffer {
    const offset = this.position - this.windowStart;
    if (offset < 0 || offset + length > this.window.length) {
      const size = Math.max(length, WINDOW_BYTES);
      if (this.window.length < size) this.window = Buffer.alloc(size);
      let done = 0;
      while (done < size) {
        const n = readSync(this.fd, this.window, done, size - done, this.position + done);
        if (n === 0) break;
        done += n;
      }
      if (done < length) throw deltaError(`unexpected end of file at byte ${this.position + done}`);
      this.windowStart = this.position;
      this.window = this.window.subarray(0, Math.max(done, length));
    }
    const start = this.position - this.windowStart;
    this.position += length;
    return this.window.subarray(start, start + length);
  }
}

/** Reads exact byte counts from a gzip file. */
class StreamReader {
  private readonly stream;
  private readonly iterator: AsyncIterator<Buffer>;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;

  constructor(path: string) {
    this.stream = createReadStream(path).pipe(createGunzip());
    this.iterator = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(length: number): Promise<void> {
    while (this.buffered < length && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }

  async read(length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    await this.fill(length);
    if (this.buffered < length) throw deltaError('the delta is truncated');
    let result: Buffer;
    if (this.chunks[0]!.length >= length) {
      result = Buffer.from(this.chunks[0]!.subarray(0, length));
      this.chunks[0] = this.chunks[0]!.subarray(length);
      if (this.chunks[0].length === 0) this.chunks.shift();
    } else {
      result = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const chunk = this.chunks[0]!;
        const take = Math.min(chunk.length, length - done);
        chunk.copy(result, done, 0, take);
        done += take;
        if (take === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(take);
      }
    }
    this.buffered -= length;
    return result;
  }

  async readLine(max: number): Promise<string> {
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      await this.fill(1);
      if (this.buffered === 0) throw deltaError('the delta is truncated (no header line)');
      const chunk = this.chunks[0]!;
      const nl = chunk.indexOf(0x0a);
      const take = nl === -1 ? chunk.length : nl + 1;
      parts.push(chunk.subarray(0, nl === -1 ? take : nl));
      total += take;
      if (total > max) throw deltaError('the delta header is too long');
      await this.read(take);
      if (nl !== -1) return Buffer.concat(parts).toString('utf8');
    }
  }

  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.buffered === 0;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** gzip output with backpressure, in 1 MiB writes. */
class GzipOut {
  private readonly gzip = createGzip({ level: 6 });
  private readonly done: Promise<void>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(path: string) {
    this.done = pipeline(this.gzip, createWriteStream(path, { flags: 'wx' }));
    this.done.catch(() => undefined);
  }

  async write(bytes: Buffer): Promise<void> {
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.gzip.end();
    await this.done;
  }

  destroy(): void {
    this.gzip.destroy();
  }
}

class BufferedFileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly handle: FileHandle) {}

  async write(bytes: Buffer): Promise<void> {
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= 4 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(chunk);
  }
}
