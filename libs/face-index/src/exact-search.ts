/**
 * Brute-force k-nearest search over the vectors stored in a usearch file: the ground truth for recall
 * measurements and a check that the graph finds what is there. Reads the file block by block (memory stays
 * bounded at any index size), decodes each block to float32 and lets usearch's SIMD `exactSearch` rank it.
 */
import type { FaceIndexStorage } from '@stash-sense/contracts';
import { exactCosineSearch } from './ann.js';
import { decodeStoredBytes } from './vector-storage.js';
import { readVectorBytes, type UsearchFileLayout } from './usearch-file.js';

export interface ExactHit {
  faceId: number;
  distance: number;
}

export interface ExactSearchInput {
  fd: number;
  layout: UsearchFileLayout;
  /** Face id per slot, -1 for removed slots (readSlotKeys). */
  slotKeys: Float64Array;
  storage: FaceIndexStorage;
  dimension: number;
  queries: readonly Float32Array[];
  k: number;
  threads: number;
  blockRows: number;
}

export function exactSearchStored(input: ExactSearchInput): ExactHit[][] {
  const { layout, slotKeys, dimension: d, queries, k } = input;
  const q = queries.length;
  const best: ExactHit[][] = queries.map(() => []);
  if (q === 0 || k <= 0) return best;
  // usearch's exactSearch reads from the start of each array's ArrayBuffer: pass fresh, unshared arrays.
  const queryMatrix = new Float32Array(q * d);
  queries.forEach((query, i) => queryMatrix.set(query, i * d));

  const readBuffer = Buffer.allocUnsafe(input.blockRows * layout.bytesPerVector); // reused: no fresh pages per block
  for (let start = 0; start < layout.rows; start += input.blockRows) {
    const count = Math.min(input.blockRows, layout.rows - start);
    const bytes = readVectorBytes(input.fd, layout, start, count, readBuffer);
    const liveFaceIds: number[] = [];
    for (let r = 0; r < count; r++) if (slotKeys[start + r]! >= 0) liveFaceIds.push(r);
    if (liveFaceIds.length === 0) continue;
    const block = new Float32Array(liveFaceIds.length * d);
    const row = new Float32Array(d);
    liveFaceIds.forEach((r, i) => {
      decodeStoredBytes(
        bytes.subarray(r * layout.bytesPerVector, (r + 1) * layout.bytesPerVector),
        1,
        input.storage,
        d,
        row,
      );
      block.set(row, i * d);
      liveFaceIds[i] = slotKeys[start + r]!;
    });
    const wanted = Math.min(k, liveFaceIds.length);
    const result = exactCosineSearch(block, queryMatrix, d, wanted, input.threads);
    for (let qi = 0; qi < q; qi++) {
      for (let j = 0; j < wanted; j++) {
        const at = qi * wanted + j;
        best[qi]!.push({ faceId: liveFaceIds[Number(result.keys[at]!)]!, distance: result.distances[at]! });
      }
    }
    for (const hits of best) {
      if (hits.length > 4 * k) trim(hits, k);
    }
  }
  for (const hits of best) trim(hits, k);
  return best;
}

function trim(hits: ExactHit[], k: number): void {
  hits.sort((a, b) => a.distance - b.distance || a.faceId - b.faceId);
  hits.length = Math.min(hits.length, k);
}
