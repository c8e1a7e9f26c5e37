/**
 * `faces.u32`: entry i is the performer id of face i (the key of its vector in the ANN graph), Uint32
 * little-endian; REMOVED_FACE (0xFFFFFFFF) marks a face removed in this or an earlier version. Face ids are
 * never reused within an index family, so a face id means the same face in every version built from a parent.
 */
import { REMOVED_FACE } from './constants.js';

/** A growable Uint32 face table. */
export class FaceTable {
  private data: Uint32Array;
  private count: number;

  constructor(initial?: Uint32Array) {
    this.data = initial ? Uint32Array.from(initial) : new Uint32Array(1024);
    this.count = initial?.length ?? 0;
  }

  /** Face ids allocated so far (removed ones included): the next face gets this id. */
  get length(): number {
    return this.count;
  }

  performerOf(faceId: number): number | undefined {
    if (!Number.isInteger(faceId) || faceId < 0 || faceId >= this.count) return undefined;
    const performer = this.data[faceId]!;
    return performer === REMOVED_FACE ? undefined : performer;
  }

  append(performerId: number): number {
    if (this.count === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.count] = performerId;
    return this.count++;
  }

  markRemoved(faceId: number): void {
    this.data[faceId] = REMOVED_FACE;
  }

  /** Little-endian bytes of the table, as stored. */
  toBytes(): Buffer {
    const view = this.data.subarray(0, this.count);
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }

  /** The table entries (a view, not a copy). */
  view(): Uint32Array {
    return this.data.subarray(0, this.count);
  }
}

/** Face table bytes → Uint32Array, copying when the buffer is not 4-byte aligned. */
export function faceTableFromBytes(bytes: Buffer): Uint32Array {
  if (bytes.length % 4 !== 0)
    throw new RangeError(`a face table has a multiple of 4 bytes; this one has ${bytes.length}`);
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return new Uint32Array(Uint8Array.from(bytes).buffer);
}
