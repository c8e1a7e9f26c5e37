/**
 * Reads the layout of a file written by usearch 2.x `Index.save()` (index_dense_gt::save_to_stream), so the
 * stored vectors and their keys can be read without loading the graph: the exact search and compaction use it.
 * The layout, little-endian throughout (usearch/include/usearch/index_dense.hpp and index.hpp, 2.25.3):
 *
 *   u32 rows, u32 bytesPerVector            matrix header (32-bit variant, the default of save())
 *   rows × bytesPerVector                   the vectors, in slot order
 *   64-byte head: "usearch" magic, u16 major/minor/patch, u8 metric, u8 scalar, u8 key kind, u8 slot kind,
 *                 u64 present, u64 deleted, u64 dimensions, u8 multi, padding
 *   graph header: u64 size, connectivity, connectivityBase, maxLevel, entrySlot
 *   i16 level × size                        one level per node
 *   nodes: u64 key, i16 level, then per level 0..level: u32 count + slots (connectivityBase on level 0,
 *          connectivity above)
 *
 * A removed vector keeps its slot and node; its key becomes 2^64 − 1 (usearch's "free key").
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

export const USEARCH_SCALAR_KIND = { f16: 12, i8: 23, f32: 11, u64: 14, u32: 15 } as const;
export const USEARCH_METRIC_COS = 'c'.charCodeAt(0);

const MATRIX_HEADER_BYTES = 8;
const HEAD_BYTES = 64;
/** Byte of the 64-byte head that holds the scalar kind of the vectors. */
const SCALAR_KIND_OFFSET = 14;
/** Offsets in the head of the u64 counts of present and deleted (free) slots. */
const PRESENT_COUNT_OFFSET = 17;
const DELETED_COUNT_OFFSET = 25;
const GRAPH_HEADER_BYTES = 40;
const NODE_HEAD_BYTES = 10; // u64 key + i16 level
const NEIGHBOR_COUNT_BYTES = 4;

export interface UsearchFileLayout {
  fileSize: number;
  /** Slots in the file, removed ones included. */
  rows: number;
  bytesPerVector: number;
  vectorsOffset: number;
  version: { major: number; minor: number; patch: number };
  metricKind: number;
  scalarKind: number;
  keyKind: number;
  slotKind: number;
  countPresent: number;
  countDeleted: number;
  dimensions: number;
  multi: boolean;
  graph: {
    size: number;
    connectivity: number;
    connectivityBase: number;
    maxLevel: number;
    entrySlot: number;
  };
  levelsOffset: number;
  nodesOffset: number;
}

export class UsearchFileError extends Error {
  override name = 'UsearchFileError';
}

/** Reads `length` bytes at `position`, into the start of `into` when it is given and large enough. */
function readAt(fd: number, position: number, length: number, into?: Buffer): Buffer {
  const buffer = into && into.length >= length ? into.subarray(0, length) : Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new UsearchFileError(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
  return buffer;
}

function u64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new UsearchFileError(`a size field holds ${value}, too large`);
  return Number(value);
}

/** Parses the headers of an open usearch file and checks that they add up to the file's size. */
export function readUsearchLayout(fd: number): UsearchFileLayout {
  const fileSize = fstatSync(fd).size;
  if (fileSize < MATRIX_HEADER_BYTES + HEAD_BYTES + GRAPH_HEADER_BYTES) {
    throw new UsearchFileError(`the file has only ${fileSize} bytes, too few for a usearch index`);
  }
  const matrix = readAt(fd, 0, MATRIX_HEADER_BYTES);
  const rows = matrix.readUInt32LE(0);
  const bytesPerVector = matrix.readUInt32LE(4);
  const headOffset = MATRIX_HEADER_BYTES + rows * bytesPerVector;
  if (headOffset + HEAD_BYTES + GRAPH_HEADER_BYTES > fileSize) {
    throw new UsearchFileError(
      `the file claims ${rows} vectors of ${bytesPerVector} bytes but has only ${fileSize} bytes`,
    );
  }
  const head = readAt(fd, headOffset, HEAD_BYTES);
  if (head.toString('latin1', 0, 7) !== 'usearch')
    throw new UsearchFileError('the usearch magic string is missing');
  const layout: Omit<UsearchFileLayout, 'graph' | 'levelsOffset' | 'nodesOffset'> = {
    fileSize,
    rows,
    bytesPerVector,
    vectorsOffset: MATRIX_HEADER_BYTES,
    version: { major: head.readUInt16LE(7), minor: head.readUInt16LE(9), patch: head.readUInt16LE(11) },
    metricKind: head.readUInt8(13),
    scalarKind: head.readUInt8(SCALAR_KIND_OFFSET),
    keyKind: head.readUInt8(15),
    slotKind: head.readUInt8(16),
    countPresent: u64(head, PRESENT_COUNT_OFFSET),
    countDeleted: u64(head, DELETED_COUNT_OFFSET),
    dimensions: u64(head, 33),
    multi: head.readUInt8(41) !== 0,
  };
  const graphOffset = headOffset + HEAD_BYTES;
  const graphHeader = readAt(fd, graphOffset, GRAPH_HEADER_BYTES);
  const graph = {
    size: u64(graphHeader, 0),
    connectivity: u64(graphHeader, 8),
    connectivityBase: u64(graphHeader, 16),
    maxLevel: u64(graphHeader, 24),
    entrySlot: u64(graphHeader, 32),
  };
  if (graph.size !== rows && !(graph.size === 0 && rows === 0)) {
    throw new UsearchFileError(`the graph has ${graph.size} nodes but the file holds ${rows} vectors`);
  }
  if (layout.countPresent + layout.countDeleted !== rows) {
    throw new UsearchFileError(
      `present (${layout.countPresent}) + deleted (${layout.countDeleted}) ≠ ${rows} slots`,
    );
  }
  const levelsOffset = graphOffset + GRAPH_HEADER_BYTES;
  return { ...layout, graph, levelsOffset, nodesOffset: levelsOffset + 2 * graph.size };
}

function slotBytes(layout: UsearchFileLayout): number {
  if (layout.slotKind === USEARCH_SCALAR_KIND.u32) return 4;
  if (layout.slotKind === USEARCH_SCALAR_KIND.u64) return 8;
  throw new UsearchFileError(`unsupported slot type ${layout.slotKind}`);
}

/**
 * Key of every slot, in slot order, as numbers; -1 for removed slots. Keys must fit 53 bits (face ids are
 * 32-bit). Reads the level table, then walks the nodes reading 8 bytes each, in 8 MiB windows.
 */
export function readSlotKeys(
  fd: number,
  layout: UsearchFileLayout,
  offsets: Float64Array = nodeOffsets(fd, layout),
): Float64Array {
  if (layout.keyKind !== USEARCH_SCALAR_KIND.u64)
    throw new UsearchFileError(`unsupported key type ${layout.keyKind}`);
  const n = layout.graph.size;
  const keys = new Float64Array(n);
  if (n === 0) return keys;
  const windowBytes = 8 << 20;
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  for (let i = 0; i < n; i++) {
    const offset = offsets[i]!;
    if (offset < windowStart || offset + 8 > windowStart + window.length) {
      windowStart = offset;
      window = readAt(fd, offset, Math.min(windowBytes, layout.fileSize - offset));
    }
    const lo = window.readUInt32LE(offset - windowStart);
    const hi = window.readUInt32LE(offset - windowStart + 4);
    if (lo === 0xffffffff && hi === 0xffffffff) keys[i] = -1;
    else if (hi >= 0x200000) throw new UsearchFileError(`node ${i} has a key beyond 2^53`);
    else keys[i] = hi * 0x100000000 + lo;
  }
  return keys;
}

/** File offset of every node (its u64 key comes first), from the level table; checks that the nodes fill the file. */
function nodeOffsets(fd: number, layout: UsearchFileLayout): Float64Array {
  const n = layout.graph.size;
  const offsets = new Float64Array(n);
  const levels = readAt(fd, layout.levelsOffset, 2 * n);
  const slot = slotBytes(layout);
  const baseBytes = NODE_HEAD_BYTES + NEIGHBOR_COUNT_BYTES + layout.graph.connectivityBase * slot;
  const levelBytes = NEIGHBOR_COUNT_BYTES + layout.graph.connectivity * slot;
  let offset = layout.nodesOffset;
  for (let i = 0; i < n; i++) {
    const level = levels.readInt16LE(2 * i);
    if (level < 0) throw new UsearchFileError(`node ${i} has a negative level`);
    if (offset + NODE_HEAD_BYTES > layout.fileSize)
      throw new UsearchFileError(`node ${i} lies beyond the end of the file`);
    offsets[i] = offset;
    offset += baseBytes + level * levelBytes;
  }
  if (offset !== layout.fileSize) {
    throw new UsearchFileError(`the nodes end at byte ${offset} but the file has ${layout.fileSize} bytes`);
  }
  return offsets;
}

/**
 * Reads the stored bytes of slots [start, start + count), into the start of `into` when it is given and large enough
 * (a reused buffer: a fresh one per block of a 1M-face file costs its page faults every time).
 */
export function readVectorBytes(
  fd: number,
  layout: UsearchFileLayout,
  start: number,
  count: number,
  into?: Buffer,
): Buffer {
  if (start < 0 || start + count > layout.rows)
    throw new RangeError(`slots ${start}..${start + count - 1} out of range`);
  return readAt(
    fd,
    layout.vectorsOffset + start * layout.bytesPerVector,
    count * layout.bytesPerVector,
    into,
  );
}

/** Opens `path`, hands the descriptor and its layout to `use`, and closes it. */
export function withUsearchFile<T>(path: string, use: (fd: number, layout: UsearchFileLayout) => T): T {
  const fd = openSync(path, 'r');
  try {
    return use(fd, readUsearchLayout(fd));
  } finally {
    closeSync(fd);
  }
}

/** The scalar kind and width of the vectors a rewritten usearch file holds. */
export interface UsearchVectorKind {
  scalarKind: number;
  bytesPerVector: number;
}

/**
 * Stored bytes of slots [start, start + count) in the new kind: `count` rows of `bytesPerVector` bytes.
 * `slotKeys` are the source's keys (-1 for removed slots), `sourceRows` the source's stored bytes of these slots.
 * Both `sourceRows` and the returned bytes are used only until the next call: the rows are written before the next
 * block is read, so the callback may return `sourceRows` or reuse one buffer of its own.
 */
export type RowsOfSlots = (
  start: number,
  count: number,
  slotKeys: Float64Array,
  sourceRows: Buffer,
) => Uint8Array;

const REWRITE_BLOCK_ROWS = 16384;
const COPY_BYTES = 8 << 20;

/**
 * Writes a copy of the usearch file at `sourcePath` to `targetPath` (created, never overwritten, fsynced unless
 * `sync: false`) with its vectors in another scalar kind: the head (but its scalar kind), the graph and the keys
 * are copied byte for byte, the vectors come from `rowsOf`. A graph links slots, not values, so the copy is the same graph
 * searched with other distances (what `FaceIndexWriter`'s `constructionStorage` relies on).
 *
 * `freeKeys` are removed on the way: their nodes get usearch's free key and the head's present / deleted counts
 * follow, which is the state `Index.remove` leaves (the node stays linked, its slot is reused by the next add) and
 * what usearch rebuilds from the keys when it loads the file. Removing them after loading costs far more: usearch
 * finds a key by scanning its lookup table from the key's bucket to the next empty one, and with the identity hash
 * of sequential face ids that run is every key above it (4,260 removals from a 1M-face graph took 10.7 s).
 */
export async function rewriteUsearchVectors(
  sourcePath: string,
  targetPath: string,
  kind: UsearchVectorKind,
  rowsOf: RowsOfSlots,
  options: {
    sync?: boolean;
    freeKeys?: ReadonlySet<number>;
    /** Bytes per read and write when copying the graph (8 MiB; tests use small ones to split keys). */
    copyBytes?: number;
    /** Also hash the source file as it is read (its sha256 and size come back; saves reading it again). */
    hashSource?: boolean;
    /** Also hash the target file as it is written (its sha256 and size come back). */
    hashTarget?: boolean;
  } = {},
): Promise<{ source?: { sha256: string; size: number }; target?: { sha256: string; size: number } }> {
  const source = openSync(sourcePath, 'r');
  const target = await open(targetPath, 'wx');
  try {
    const layout = readUsearchLayout(source);
    const sourceHash = options.hashSource ? createHash('sha256') : undefined;
    sourceHash?.update(readAt(source, 0, MATRIX_HEADER_BYTES));
    const targetHash = options.hashTarget ? createHash('sha256') : undefined;
    const sync = options.sync ?? true;
    let written = 0;
    const write = async (bytes: Uint8Array) => {
      targetHash?.update(bytes);
      for (let done = 0; done < bytes.length;) {
        const { bytesWritten } = await target.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
      written += bytes.length;
    };
    const offsets = nodeOffsets(source, layout);
    const slotKeys = readSlotKeys(source, layout, offsets);
    const freed = freedKeyOffsets(offsets, slotKeys, options.freeKeys);
    const matrixHeader = Buffer.alloc(MATRIX_HEADER_BYTES);
    matrixHeader.writeUInt32LE(layout.rows, 0);
    matrixHeader.writeUInt32LE(kind.bytesPerVector, 4);
    await write(matrixHeader);
    let sourceBuffer: Buffer | undefined;
    for (let start = 0; start < layout.rows; start += REWRITE_BLOCK_ROWS) {
      const count = Math.min(REWRITE_BLOCK_ROWS, layout.rows - start);
      // One buffer for every block: the previous block's rows are written (awaited) before it is read into again.
      sourceBuffer ??= Buffer.allocUnsafe(REWRITE_BLOCK_ROWS * layout.bytesPerVector);
      const sourceRows = readVectorBytes(source, layout, start, count, sourceBuffer);
      sourceHash?.update(sourceRows);
      const rows = rowsOf(start, count, slotKeys, sourceRows);
      if (rows.length !== count * kind.bytesPerVector) {
        throw new UsearchFileError(
          `slots ${start}..${start + count - 1}: got ${rows.length} bytes, expected ${count * kind.bytesPerVector}`,
        );
      }
      await write(rows);
    }
    const headOffset = layout.vectorsOffset + layout.rows * layout.bytesPerVector;
    let next = 0; // first of `freed` not yet written
    const copyBytes = Math.max(HEAD_BYTES, options.copyBytes ?? COPY_BYTES);
    let copyBuffer: Buffer | undefined;
    for (let offset = headOffset; offset < layout.fileSize; offset += copyBytes) {
      copyBuffer ??= Buffer.allocUnsafe(copyBytes);
      const chunk = readAt(source, offset, Math.min(copyBytes, layout.fileSize - offset), copyBuffer);
      sourceHash?.update(chunk); // before the changes below
      if (offset === headOffset) {
        chunk.writeUInt8(kind.scalarKind, SCALAR_KIND_OFFSET);
        chunk.writeBigUInt64LE(BigInt(layout.countPresent - freed.length), PRESENT_COUNT_OFFSET);
        chunk.writeBigUInt64LE(BigInt(layout.countDeleted + freed.length), DELETED_COUNT_OFFSET);
      }
      const end = offset + chunk.length;
      // A key can straddle two chunks: fill whatever part of it each one holds.
      while (next < freed.length && freed[next]! < end) {
        const key = freed[next]!;
        chunk.fill(0xff, Math.max(key, offset) - offset, Math.min(key + 8, end) - offset);
        if (key + 8 > end) break;
        next++;
      }
      await write(chunk);
    }
    if (sync) await target.sync();
    return {
      ...(sourceHash ? { source: { sha256: sourceHash.digest('hex'), size: layout.fileSize } } : {}),
      ...(targetHash ? { target: { sha256: targetHash.digest('hex'), size: written } } : {}),
    };
  } finally {
    closeSync(source);
    await target.close();
  }
}

/** Ascending file offsets (from `offsets`, each node's) of the keys in `freeKeys`; each must be a live key. */
function freedKeyOffsets(
  offsets: Float64Array,
  slotKeys: Float64Array,
  freeKeys: ReadonlySet<number> | undefined,
): number[] {
  if (!freeKeys || freeKeys.size === 0) return [];
  const freed: number[] = [];
  slotKeys.forEach((key, slot) => {
    if (key >= 0 && freeKeys.has(key)) freed.push(offsets[slot]!);
  });
  if (freed.length !== freeKeys.size) {
    throw new UsearchFileError(
      `${freeKeys.size - freed.length} of the ${freeKeys.size} keys to remove are not in the file`,
    );
  }
  return freed; // slot order is file order
}

/**
 * Frees `freeKeys` in the usearch file at `path` itself: what rewriteUsearchVectors with `freeKeys` writes, without
 * copying the rest of the file (each freed node's key becomes usearch's free key, the head's present / deleted counts
 * follow). For a file that is about to be loaded and thrown away, such as a cached construction graph; `sync`
 * (default false) fsyncs it.
 */
export function freeUsearchKeysInPlace(
  path: string,
  freeKeys: ReadonlySet<number>,
  options: { sync?: boolean } = {},
): void {
  if (freeKeys.size === 0) return;
  const fd = openSync(path, 'r+');
  try {
    const layout = readUsearchLayout(fd);
    const offsets = nodeOffsets(fd, layout);
    const freed = freedKeyOffsets(offsets, readSlotKeys(fd, layout, offsets), freeKeys);
    const freeKey = Buffer.alloc(8, 0xff);
    for (const offset of freed) writeAll(fd, freeKey, offset);
    const counts = Buffer.alloc(16);
    counts.writeBigUInt64LE(BigInt(layout.countPresent - freed.length), 0);
    counts.writeBigUInt64LE(BigInt(layout.countDeleted + freed.length), 8);
    writeAll(fd, counts, layout.vectorsOffset + layout.rows * layout.bytesPerVector + PRESENT_COUNT_OFFSET);
    if (options.sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buffer: Buffer, position: number): void {
  for (let done = 0; done < buffer.length;)
    done += writeSync(fd, buffer, done, buffer.length - done, position + done);
}

let installedVersion: string | undefined;

/** Version of the installed usearch package (its package.json), e.g. "2.25.3". */
export function installedUsearchVersion(): string {
  if (!installedVersion) {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('usearch'));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === 'usearch' && pkg.version) {
          installedVersion = pkg.version;
          break;
        }
      } catch {
        // not the package root yet
      }
      const parent = dirname(dir);
      if (parent === dir) throw new Error('cannot find the package.json of the installed usearch');
      dir = parent;
    }
  }
  return installedVersion;
}
