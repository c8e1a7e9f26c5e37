import { createHash } from 'node:crypto';
import type pg from 'pg';
import { float16ToFloat32, toHalf } from '@stash-sense/vectors';

/**
 * pgvector's binary wire format (vector_recv): int16 dimension, int16 unused, float4 values, all
 * big-endian. Sent as a binary parameter, a vector costs no float-to-text formatting or parsing —
 * measured 15× cheaper than text literals for 100 × 512-d inserts (docs/benchmarks.md).
 */
export function vectorToBinary(v: Float32Array): Buffer {
  const buf = Buffer.allocUnsafe(4 + 4 * v.length);
  buf.writeInt16BE(v.length, 0);
  buf.writeInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) buf.writeFloatBE(v[i]!, 4 + 4 * i);
  return buf;
}

/**
 * pgvector's halfvec wire format (halfvec_recv): int16 dimension, int16 unused, IEEE binary16 values, all
 * big-endian. Faces are stored as halfvec (migration 20261207000000_faces_halfvec): half the bytes of a vector
 * to send, write and log, and what clients send anyway (float16 embeddings) and what indexes store.
 */
export function halfvecToBinary(v: Float32Array): Buffer {
  const buf = Buffer.allocUnsafe(4 + 2 * v.length);
  buf.writeInt16BE(v.length, 0);
  buf.writeInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) {
    const half = toHalf(v[i]!);
    buf[4 + 2 * i] = half >>> 8;
    buf[5 + 2 * i] = half & 0xff;
  }
  return buf;
}

/** Inverse of {@link halfvecToBinary}: the bytes of `halfvec_send(…)` as float32 values (exact). */
export function halfvecFromSend(bytes: Buffer): Float32Array {
  const dim = bytes.readInt16BE(0);
  if (bytes.length < 4 + 2 * dim) throw new RangeError(`halfvec of ${dim} values in ${bytes.length} bytes`);
  const bits = new Uint16Array(dim);
  for (let i = 0; i < dim; i++) bits[i] = (bytes[4 + 2 * i]! << 8) | bytes[5 + 2 * i]!;
  return float16ToFloat32(bits);
}

/** Runs `fn` in one transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Builds `($1, $2, …), ($n, …)` placeholders for a multi-row insert; `casts` per column, e.g. '::uuid'. */
export function valuesPlaceholders(rows: number, casts: readonly string[], offset = 0): string {
  const width = casts.length;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    out.push(`(${casts.map((cast, c) => `$${offset + r * width + c + 1}${cast}`).join(', ')})`);
  }
  return out.join(', ');
}

export const UNIQUE_VIOLATION = '23505';

const statementNames = new Map<string, string>();

/**
 * A query as a named (server-side prepared) statement: PostgreSQL parses and plans it once per connection
 * instead of on every call, and the client sends only the values after the first. For the statements every
 * contribution runs: a 100-face insert costs the PostgreSQL backend ≈ 40% less CPU prepared (measured on 2 cores,
 * docs/benchmarks.md). The name is derived from the text, so two texts never share a name. Repositories go through
 * `PgPoolService.prepared`, which honours DATABASE_PREPARED_STATEMENTS.
 */
export function namedStatement(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ss_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}
