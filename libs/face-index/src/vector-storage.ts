/**
 * Storage encodings of the index vectors (docs/index-format.md, "Vectors"):
 * - float16: IEEE-754 half precision of the unit vector. Distances stay within ≈1e-3 of float32, and the ANN
 *   benchmark finds the same recall as float32.
 * - int8: the unit vector scaled so its largest |component| becomes 127, then rounded. Cosine distance does not
 *   depend on a vector's length, so the per-vector scale needs no storing. A 512-d unit vector has components of
 *   ≈0.04, so usearch's own float→int8 cast (x·127 truncated toward zero) would keep only ≈3 bits of each; the
 *   max-abs scale keeps ≈7.
 */
import { float32ToFloat16, fromHalf, isFiniteVector, l2Norm, l2Normalize } from '@stash-sense/vectors';
import type { FaceIndexStorage } from '@stash-sense/contracts';

export type StoredRow = Uint16Array | Int8Array;

/** Bytes one stored vector takes. */
export function bytesPerVector(storage: FaceIndexStorage, dimension: number): number {
  return storage === 'float16' ? dimension * 2 : dimension;
}

/** int8 with per-vector max-abs scaling, rounded to nearest (halves away from zero). A zero vector stays zero. */
export function quantizeInt8MaxAbs(v: ArrayLike<number>): Int8Array {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  const out = new Int8Array(v.length);
  if (max === 0) return out;
  const scale = 127 / max;
  // Round half away from zero, so v and −v quantise symmetrically.
  for (let i = 0; i < v.length; i++) out[i] = Math.sign(v[i]!) * Math.round(Math.abs(v[i]!) * scale);
  return out;
}

/**
 * float16 rows (little-endian bytes) → int8 rows, each quantised as `quantizeInt8MaxAbs` quantises its decoded
 * values. Works on the half bits: |x| orders like its low 15 bits, so the row maximum is found without decoding
 * (this runs over every stored vector when an incremental build converts its parent: ≈ 3 ns a value here).
 */
export function halfRowsToInt8(
  bytes: Uint8Array,
  rows: number,
  dimension: number,
  out = new Int8Array(rows * dimension),
): Int8Array {
  const table = halfToFloatTable();
  const n = rows * dimension;
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice(0, 2 * n);
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  for (let r = 0; r < rows; r++) {
    const base = r * dimension;
    let maxBits = 0;
    for (let i = 0; i < dimension; i++) {
      const magnitude = halves[base + i]! & 0x7fff;
      if (magnitude > maxBits) maxBits = magnitude;
    }
    if (maxBits === 0) {
      out.fill(0, base, base + dimension);
      continue;
    }
    const scale = 127 / table[maxBits]!;
    for (let i = 0; i < dimension; i++) {
      const half = halves[base + i]!;
      // Round half away from zero, as quantizeInt8MaxAbs does.
      const q = (table[half & 0x7fff]! * scale + 0.5) | 0;
      out[base + i] = half & 0x8000 ? -q : q;
    }
  }
  return out;
}

let halfTable: Float32Array | undefined;

/** float16 bits → float32, through a 65,536-entry table (256 KiB, built once). */
export function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = fromHalf(bits);
  }
  return halfTable;
}

/**
 * Throws the RangeError naming `what` for an embedding no index can store: wrong dimension, NaN or Infinity, zero.
 * Returns its L2 norm (l2Norm).
 */
export function checkEmbedding(embedding: ArrayLike<number>, dimension: number, what: string): number {
  if (embedding.length !== dimension) {
    throw new RangeError(
      `${what} has ${embedding.length} dimensions; this index holds ${dimension}-d embeddings of its model`,
    );
  }
  if (!isFiniteVector(embedding)) throw new RangeError(`${what} contains NaN or Infinity`);
  const norm = l2Norm(embedding);
  // Also a vector so large that its squares overflow: l2Normalize cannot scale it either.
  if (!Number.isFinite(norm) || norm === 0)
    throw new RangeError(`${what} is a zero vector; it has no direction to compare`);
  return norm;
}

/**
 * Checks an embedding (checkEmbedding), normalises it to unit length and encodes it for storage.
 * `what` names the vector in error messages.
 */
export function encodeEmbedding(
  embedding: ArrayLike<number>,
  dimension: number,
  storage: FaceIndexStorage,
  what: string,
): StoredRow {
  checkEmbedding(embedding, dimension, what);
  const unit = l2Normalize(embedding);
  return storage === 'float16' ? float32ToFloat16(unit) : quantizeInt8MaxAbs(unit);
}

/**
 * Rows of stored vectors in fixed-size chunks: no single huge allocation while a large index is assembled.
 * Rows hold exactly the bytes the usearch file stores (little-endian halves, or int8).
 */
export class StoredRows {
  private readonly chunks: Uint8Array[] = [];
  private count = 0;
  private readonly width: number;
  /** pushEmbeddings' normalised row, and its view of the last chunk's halves. */
  private scratch: Float32Array | undefined;
  private chunkHalves: Uint16Array | undefined;

  constructor(
    readonly storage: FaceIndexStorage,
    readonly dimension: number,
    private readonly rowsPerChunk = 8192,
  ) {
    this.width = bytesPerVector(storage, dimension);
  }

  get length(): number {
    return this.count;
  }

  /**
   * encodeEmbedding + push for each of `embeddings`, all checked first (an invalid one adds none; `what(i)` names
   * embedding i in the error). A float32 embedding of a float16 store is normalised into a scratch row and its
   * halves are written straight into the chunk: the same bytes without the intermediate rows, ≈ 8–11 → 5 µs per
   * embedding, which an index build of ≈ 1M faces notices.
   */
  pushEmbeddings(embeddings: readonly ArrayLike<number>[], what: (index: number) => string): void {
    const d = this.dimension;
    const norms = embeddings.map((embedding, i) => checkEmbedding(embedding, d, what(i)));
    embeddings.forEach((embedding, i) => {
      if (this.storage !== 'float16' || !(embedding instanceof Float32Array)) {
        this.push(encodeEmbedding(embedding, d, this.storage, what(i)));
        return;
      }
      const unit = (this.scratch ??= new Float32Array(d));
      const norm = norms[i]!; // l2Normalize divides by the same l2Norm
      for (let k = 0; k < d; k++) unit[k] = embedding[k]! / norm;
      const chunk = this.chunkForNextRow();
      const halves = (this.chunkHalves =
        this.chunkHalves?.buffer === chunk.buffer
          ? this.chunkHalves
          : new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2));
      float32ToFloat16(unit, halves, (this.count % this.rowsPerChunk) * d);
      this.count++;
    });
  }

  push(row: StoredRow): void {
    if (row.length !== this.dimension)
      throw new RangeError(`row has ${row.length} values, expected ${this.dimension}`);
    this.pushBytes(new Uint8Array(row.buffer, row.byteOffset, this.width), 1);
  }

  /** Appends `rows` rows of raw stored bytes (as found in a usearch file of the same storage). */
  pushBytes(bytes: Uint8Array, rows: number): void {
    if (bytes.length < rows * this.width)
      throw new RangeError(`${bytes.length} bytes cannot hold ${rows} rows of ${this.width}`);
    for (let r = 0; r < rows; r++) {
      this.chunkForNextRow().set(
        bytes.subarray(r * this.width, (r + 1) * this.width),
        (this.count % this.rowsPerChunk) * this.width,
      );
      this.count++;
    }
  }

  /** The chunk the next row goes into, a new one when the last is full (the row is `count % rowsPerChunk` in it). */
  private chunkForNextRow(): Uint8Array {
    if (this.count % this.rowsPerChunk === 0)
      this.chunks.push(new Uint8Array(this.rowsPerChunk * this.width));
    return this.chunks[this.chunks.length - 1]!;
  }

  /** Copies the stored bytes of rows [first, first + count) to `out` from byte `at`. */
  copyRowsTo(first: number, count: number, out: Uint8Array, at: number): void {
    if (
      !Number.isInteger(first) ||
      !Number.isInteger(count) ||
      first < 0 ||
      count < 0 ||
      first + count > this.count
    )
      throw new RangeError(`rows ${first}..${first + count - 1} out of range 0..${this.count - 1}`);
    for (let done = 0; done < count;) {
      const index = first + done;
      const inChunk = index % this.rowsPerChunk;
      const take = Math.min(count - done, this.rowsPerChunk - inChunk);
      const chunk = this.chunks[Math.floor(index / this.rowsPerChunk)]!;
      out.set(chunk.subarray(inChunk * this.width, (inChunk + take) * this.width), at + done * this.width);
      done += take;
    }
  }

  row(index: number): StoredRow {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`row ${index} out of range 0..${this.count - 1}`);
    }
    const chunk = this.chunks[Math.floor(index / this.rowsPerChunk)]!;
    const offset = chunk.byteOffset + (index % this.rowsPerChunk) * this.width;
    return this.storage === 'float16'
      ? new Uint16Array(chunk.buffer, offset, this.dimension)
      : new Int8Array(chunk.buffer, offset, this.dimension);
  }

  /**
   * The given rows as one matrix in the form a graph of encoding `as` takes: Float32Array for float16 (usearch
   * converts back to half precision exactly, since every half is a float), Int8Array for int8. float16 rows
   * handed to an int8 graph are quantised as `encodeEmbedding` would (max-abs).
   */
  block(indices: readonly number[], as: FaceIndexStorage = this.storage): Float32Array | Int8Array {
    const d = this.dimension;
    if (as !== this.storage) {
      if (as !== 'int8') throw new RangeError(`${this.storage} rows cannot be handed to a ${as} graph`);
      const out = new Int8Array(indices.length * d);
      indices.forEach((index, r) => {
        const row = this.row(index);
        halfRowsToInt8(
          new Uint8Array(row.buffer, row.byteOffset, this.width),
          1,
          d,
          out.subarray(r * d, (r + 1) * d),
        );
      });
      return out;
    }
    if (this.storage === 'float16') {
      const table = halfToFloatTable();
      const out = new Float32Array(indices.length * d);
      indices.forEach((index, r) => {
        const row = this.row(index) as Uint16Array;
        const base = r * d;
        for (let i = 0; i < d; i++) out[base + i] = table[row[i]!]!;
      });
      return out;
    }
    const out = new Int8Array(indices.length * d);
    indices.forEach((index, r) => out.set(this.row(index), r * d));
    return out;
  }
}

/** Stored bytes of `rows` vectors → float32 values (int8 rows keep their scale: cosine ignores it). */
export function decodeStoredBytes(
  bytes: Uint8Array,
  rows: number,
  storage: FaceIndexStorage,
  dimension: number,
  out = new Float32Array(rows * dimension),
): Float32Array {
  const n = rows * dimension;
  if (storage === 'float16') {
    const table = halfToFloatTable();
    for (let i = 0; i < n; i++) out[i] = table[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
  } else {
    for (let i = 0; i < n; i++) out[i] = (bytes[i]! << 24) >> 24;
  }
  return out;
}
