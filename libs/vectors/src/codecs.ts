/**
 * Binary codecs for embeddings: IEEE-754 half precision, little-endian base64 (the wire format of
 * contributions) and symmetric int8 quantisation (index storage).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE-754 binary16 bits, round-to-nearest-even, with subnormals, ±Inf and NaN. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  return sign | roundedNormalHalf(e, mant);
}

/**
 * The magnitude bits of a half whose exponent `e` (rebased to 15) is in 1..30, rounded to nearest-even from the
 * float32 mantissa: without a branch, since the dropped 13 bits of embedding values are random and a branch on
 * them mispredicts half the time (≈ 3× slower over a 512-d vector). Rounding may carry into the exponent; 0x7c00
 * (infinity) is then the correct result.
 */
function roundedNormalHalf(e: number, mant: number): number {
  const half = (e << 10) | (mant >>> 13);
  // rem + 0xfff + lsb reaches 0x2000 exactly when rem > 0x1000, or rem = 0x1000 and the kept bits are odd.
  return half + (((mant & 0x1fff) + 0xfff + (half & 1)) >>> 13);
}

/** IEEE-754 binary16 bits → number. */
export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** float32 values → binary16 bits (toHalf), into `out` from index `at` (default: a new array). Returns `out`. */
export function float32ToFloat16(
  v: ArrayLike<number>,
  out: Uint16Array = new Uint16Array(v.length),
  at = 0,
): Uint16Array {
  if (at < 0 || at + v.length > out.length)
    throw new RangeError(`${v.length} halves do not fit ${out.length} from index ${at}`);
  if (v instanceof Float32Array) {
    // Straight from the float32 bits (a cloud index build encodes ≈ 1M vectors): toHalf for the rare values
    // outside the normal half range.
    const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
    for (let i = 0; i < bits.length; i++) {
      const x = bits[i]!;
      const e = ((x >>> 23) & 0xff) - 112; // float32 exponent bias 127, half 15
      out[at + i] =
        e > 0 && e < 0x1f ? ((x >>> 16) & 0x8000) | roundedNormalHalf(e, x & 0x7fffff) : toHalf(v[i]!);
    }
    return out;
  }
  for (let i = 0; i < v.length; i++) out[at + i] = toHalf(v[i]!);
  return out;
}

/**
 * Every binary16 value as float32 (256 KiB, built on first use). Decoding a contribution's float16 embeddings
 * through fromHalf (a power of two per value) took ≈ 3.7 ms of a 100-face request; a table lookup is exact
 * (every half is a float32) and several times cheaper.
 */
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(0x10000);
    for (let bits = 0; bits < 0x10000; bits++) halfTable[bits] = fromHalf(bits);
  }
  return halfTable;
}

export function float16ToFloat32(v: ArrayLike<number>): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = table[v[i]! & 0xffff]!;
  return out;
}

export type EmbeddingEncoding = 'float32' | 'float16';

/** Little-endian base64 of a vector, as contributions carry it. */
export function encodeEmbedding(v: ArrayLike<number>, encoding: EmbeddingEncoding): string {
  if (encoding === 'float32') {
    const buf = Buffer.alloc(v.length * 4);
    for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
    return buf.toString('base64');
  }
  const buf = Buffer.alloc(v.length * 2);
  for (let i = 0; i < v.length; i++) buf.writeUInt16LE(toHalf(v[i]!), i * 2);
  return buf.toString('base64');
}

/** Inverse of {@link encodeEmbedding}. Throws when the byte length does not fit the encoding. */
export function decodeEmbedding(base64: string, encoding: EmbeddingEncoding): Float32Array {
  const buf = Buffer.from(base64, 'base64');
  const width = encoding === 'float32' ? 4 : 2;
  if (buf.length % width !== 0)
    throw new RangeError(`byte length ${buf.length} is not a multiple of ${width}`);
  const out = new Float32Array(buf.length / width);
  if (encoding === 'float32') {
    for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
    return out;
  }
  const table = halfToFloatTable();
  for (let i = 0; i < out.length; i++) out[i] = table[buf[2 * i]! | (buf[2 * i + 1]! << 8)]!;
  return out;
}

/**
 * Symmetric int8 quantisation of a unit vector: q = round(x · 127). Unit vectors have |x| ≤ 1, so a
 * fixed scale keeps dot products comparable across vectors without a per-vector scale.
 */
export function quantizeInt8(v: ArrayLike<number>): Int8Array {
  const out = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(-127, Math.min(127, Math.round(v[i]! * 127)));
  return out;
}

export function dequantizeInt8(v: ArrayLike<number>): Float32Array {
  return Float32Array.from(v as ArrayLike<number>, (x) => x / 127);
}
