/**
 * `performers.jsonl`: one performer per line, ascending id, each line a JSON object whose first member is "id".
 * The reader only scans line starts when an index opens (≈30 MB and a few tens of ms for 200k performers)
 * and parses a line when that performer is first asked for, so opening does not pay for parsing every record.
 */
import { type FaceIndexPerformer, FaceIndexPerformerSchema } from '@stash-sense/contracts';
import { FaceIndexError } from './errors.js';

export type PerformerRecord = FaceIndexPerformer;

/** One line (without newline): "id" first, then the other members in schema order, absent options left out. */
export function serializePerformer(p: PerformerRecord): string {
  const ordered: Record<string, unknown> = {
    id: p.id,
    name: p.name,
    stashIds: p.stashIds.map((s) => ({ endpoint: s.endpoint, stashId: s.stashId })),
    faceCount: p.faceCount,
  };
  for (const key of ['primarySource', 'country', 'imageUrl', 'disambiguation'] as const) {
    if (p[key] !== undefined) ordered[key] = p[key];
  }
  return JSON.stringify(ordered);
}

const NEWLINE = 0x0a;
const ID_PREFIX = Buffer.from('{"id":');

/**
 * A ReadonlyMap over the lines of a performers.jsonl buffer. `get`/`has` binary-search the ids found by the
 * scan and parse (and validate) a line on first use; iterating parses everything.
 */
export class LazyPerformerMap implements ReadonlyMap<number, PerformerRecord> {
  private readonly ids: Uint32Array;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly parsed = new Map<number, PerformerRecord>();

  constructor(
    private readonly text: Buffer,
    private readonly where: string,
  ) {
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    let start = 0;
    let line = 0;
    while (start < text.length) {
      let end = text.indexOf(NEWLINE, start);
      if (end === -1) end = text.length;
      line++;
      if (end > start) {
        const id = this.scanId(start, end, line);
        const previous = ids[ids.length - 1];
        if (previous !== undefined && id <= previous) {
          throw this.invalid(line, `performer ids must be unique and ascending; ${id} follows ${previous}`);
        }
        ids.push(id);
        starts.push(start);
        ends.push(end);
      }
      start = end + 1;
    }
    this.ids = Uint32Array.from(ids);
    this.starts = Float64Array.from(starts);
    this.ends = Float64Array.from(ends);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: number): boolean {
    return this.position(id) >= 0;
  }

  get(id: number): PerformerRecord | undefined {
    const cached = this.parsed.get(id);
    if (cached) return cached;
    const at = this.position(id);
    return at < 0 ? undefined : this.parseAt(at);
  }

  /** Every performer id, ascending (no parsing). */
  idList(): Uint32Array {
    return this.ids;
  }

  *entries(): MapIterator<[number, PerformerRecord]> {
    for (let i = 0; i < this.ids.length; i++) yield [this.ids[i]!, this.parseAt(i)];
  }

  *keys(): MapIterator<number> {
    yield* this.ids;
  }

  *values(): MapIterator<PerformerRecord> {
    for (let i = 0; i < this.ids.length; i++) yield this.parseAt(i);
  }

  [Symbol.iterator](): MapIterator<[number, PerformerRecord]> {
    return this.entries();
  }

  forEach(
    callback: (value: PerformerRecord, key: number, map: ReadonlyMap<number, PerformerRecord>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  private position(id: number): number {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.ids[mid]!;
      if (value === id) return mid;
      if (value < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private parseAt(at: number): PerformerRecord {
    const id = this.ids[at]!;
    const cached = this.parsed.get(id);
    if (cached) return cached;
    const line = this.text.toString('utf8', this.starts[at]!, this.ends[at]!);
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw this.invalid(
        undefined,
        `the record of performer ${id} is not valid JSON (${(error as Error).message})`,
      );
    }
    const result = FaceIndexPerformerSchema.safeParse(raw);
    if (!result.success) {
      const issues = result.error.issues
        .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw this.invalid(undefined, `the record of performer ${id} does not fit the schema (${issues})`);
    }
    if (result.data.id !== id)
      throw this.invalid(undefined, `a record starts with id ${id} but holds id ${result.data.id}`);
    const record = Object.freeze({
      ...result.data,
      stashIds: Object.freeze(result.data.stashIds),
    }) as PerformerRecord;
    this.parsed.set(id, record);
    return record;
  }

  /** Reads the id of a line without parsing it: the fast path for lines starting `{"id":<digits>`. */
  private scanId(start: number, end: number, line: number): number {
    if (
      end - start > ID_PREFIX.length &&
      this.text.compare(ID_PREFIX, 0, ID_PREFIX.length, start, start + ID_PREFIX.length) === 0
    ) {
      let id = 0;
      let digits = 0;
      let at = start + ID_PREFIX.length;
      while (at < end) {
        const c = this.text[at]!;
        if (c < 0x30 || c > 0x39) break;
        id = id * 10 + (c - 0x30);
        digits++;
        at++;
      }
      const next = this.text[at];
      if (digits > 0 && digits <= 10 && (next === 0x2c || next === 0x7d) && id <= 0xfffffffe) return id;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(this.text.toString('utf8', start, end));
    } catch (error) {
      throw this.invalid(line, `not valid JSON (${(error as Error).message})`);
    }
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xfffffffe) {
      throw this.invalid(line, 'a performer record needs an integer "id" from 0 to 4294967294');
    }
    return id;
  }

  private invalid(line: number | undefined, message: string): FaceIndexError {
    return new FaceIndexError(
      'data_invalid',
      `${this.where}: performers.jsonl${line !== undefined ? ` line ${line}` : ''}: ${message}; the index is damaged — pull or build it again`,
    );
  }
}
