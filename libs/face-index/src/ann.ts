/**
 * The usearch HNSW graph, through usearch's native binding.
 *
 * Why not usearch's JS `Index` class: it converts every Int8Array to Float32Array before calling the binding,
 * and usearch then re-quantises float → int8 as trunc(127·x/‖x‖). For 512-d unit vectors (components ≈ 0.04)
 * that keeps ≈3 bits per component, and recall@10 on int8 storage drops from 0.99 to 0.93 (measured on 20k
 * clustered vectors, docs/index-format.md). The binding itself takes Int8Array as is, so int8 vectors keep
 * the max-abs quantisation of vector-storage.ts. The binding's API (CompiledIndex: add/search/remove/save/
 * load/view, exactSearch) is the one the JS class wraps in usearch 2.25.3, the version the manifest pins.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { FaceIndexStorage } from '@stash-sense/contracts';
import { USEARCH_SCALAR_KIND } from './usearch-file.js';

export interface AnnSettings {
  dimension: number;
  storage: FaceIndexStorage;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

type Vectors = Float32Array | Int8Array;
type NativeResult = [keys: BigUint64Array, distances: Float32Array, counts: BigUint64Array];

interface NativeIndex {
  add(keys: BigUint64Array, vectors: Vectors, threads: number): void;
  search(vectors: Vectors, k: number, threads: number): NativeResult;
  remove(keys: BigUint64Array): number[];
  size(): number;
  dimensions(): number;
  save(path: string): void;
  load(path: string): void;
  view(path: string): void;
}

interface NativeBinding {
  CompiledIndex: new (
    dimensions: number,
    metric: string,
    quantization: string,
    connectivity: number,
    expansionAdd: number,
    expansionSearch: number,
    multi: boolean,
  ) => NativeIndex;
  exactSearch(
    dataset: Vectors,
    queries: Vectors,
    dimensions: number,
    k: number,
    metric: string,
    threads: number,
  ): NativeResult;
}

let binding: NativeBinding | undefined;

function nativeBinding(): NativeBinding {
  if (!binding) {
    // Resolve node-gyp-build from usearch's own folder (it is usearch's dependency) and load the same
    // prebuilt addon usearch's JS class loads.
    const require = createRequire(import.meta.url);
    const usearchEntry = require.resolve('usearch');
    const fromUsearch = createRequire(usearchEntry);
    const load = fromUsearch('node-gyp-build') as (dir: string) => unknown;
    let dir = dirname(usearchEntry);
    let loaded: unknown;
    for (;;) {
      try {
        loaded = load(dir);
        break;
      } catch (error) {
        const parent = dirname(dir);
        if (parent === dir)
          throw new Error(`cannot load usearch's native addon: ${(error as Error).message}`, {
            cause: error,
          });
        dir = parent;
      }
    }
    const candidate = loaded as Partial<NativeBinding>;
    if (typeof candidate.CompiledIndex !== 'function' || typeof candidate.exactSearch !== 'function') {
      throw new Error(
        'the installed usearch has no CompiledIndex/exactSearch binding; install usearch 2.25.3',
      );
    }
    binding = candidate as NativeBinding;
  }
  return binding;
}

export function scalarNameOf(storage: FaceIndexStorage): 'f16' | 'i8' {
  return storage === 'float16' ? 'f16' : 'i8';
}

/** The scalar kind code usearch writes into its file header for this storage. */
export function scalarKindCodeOf(storage: FaceIndexStorage): number {
  return storage === 'float16' ? USEARCH_SCALAR_KIND.f16 : USEARCH_SCALAR_KIND.i8;
}

export interface AnnResult {
  keys: BigUint64Array;
  distances: Float32Array;
  /** Results found per query (≤ k). Row q of keys/distances starts at q·k. */
  counts: BigUint64Array;
}

/** One cosine HNSW graph, one vector per key. Vectors: Float32Array for float16 storage, Int8Array for int8. */
export class AnnGraph {
  private readonly native: NativeIndex;

  constructor(
    readonly settings: AnnSettings,
    readonly expansionSearch = settings.expansionSearch,
  ) {
    this.native = new (nativeBinding().CompiledIndex)(
      settings.dimension,
      'cos',
      scalarNameOf(settings.storage),
      settings.connectivity,
      settings.expansionAdd,
      expansionSearch,
      false,
    );
  }

  get size(): number {
    return this.native.size();
  }

  add(keys: BigUint64Array, vectors: Vectors, threads: number): void {
    this.checkVectors(vectors, keys.length);
    this.native.add(keys, vectors, threads);
  }

  /** Queries as one row-major matrix of rows·dimension values. */
  search(queries: Vectors, k: number, threads: number): AnnResult {
    this.checkVectors(queries);
    const [keys, distances, counts] = this.native.search(queries, k, threads);
    return { keys, distances, counts };
  }

  /** Removes keys; returns how many each removed (0 or 1). */
  remove(keys: BigUint64Array): number[] {
    return this.native.remove(keys);
  }

  save(path: string): void {
    this.native.save(path);
  }

  /** Loads a saved graph into memory (it can then grow). */
  load(path: string): void {
    this.native.load(path);
  }

  /** Memory-maps a saved graph (read-only). */
  view(path: string): void {
    this.native.view(path);
  }

  private checkVectors(vectors: Vectors, rows?: number): void {
    const expected = this.settings.storage === 'int8' ? Int8Array : Float32Array;
    if (!(vectors instanceof expected)) {
      throw new TypeError(`a ${this.settings.storage} graph takes ${expected.name} vectors`);
    }
    const d = this.settings.dimension;
    if (vectors.length % d !== 0 || (rows !== undefined && vectors.length !== rows * d)) {
      throw new RangeError(`expected ${rows ?? 'whole'} rows of ${d} values, got ${vectors.length} values`);
    }
  }
}

/**
 * Exact cosine k-nearest rows of `dataset` for each query (usearch SIMD brute force). Both arrays must own
 * their ArrayBuffer from byte 0: the binding ignores typed-array offsets here.
 */
export function exactCosineSearch(
  dataset: Float32Array,
  queries: Float32Array,
  dimension: number,
  k: number,
  threads: number,
): AnnResult {
  if (dataset.byteOffset !== 0 || queries.byteOffset !== 0)
    throw new RangeError('exactCosineSearch needs arrays that start their buffer');
  const [keys, distances, counts] = nativeBinding().exactSearch(
    dataset,
    queries,
    dimension,
    k,
    'cos',
    threads,
  );
  return { keys, distances, counts };
}

export function toKeys(ids: ArrayLike<number>): BigUint64Array {
  const keys = new BigUint64Array(ids.length);
  for (let i = 0; i < ids.length; i++) keys[i] = BigInt(ids[i]!);
  return keys;
}
