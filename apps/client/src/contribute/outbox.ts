// The durable local outbox of contributions: an append-only JSON Lines journal. Every change is one line written
// with a single write and fsync'd before the caller goes on, so a killed process loses at most the line it was
// writing; that torn last line is dropped (and cut off the file) on the next open. Compaction writes the live state
// to a temporary file, fsyncs it and renames it over the journal (atomic on POSIX), then fsyncs the folder.
// One writer at a time (a pid lock file; a dead holder is taken over); readers (the sidecar) need no lock.
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ContributionReceipt, ContributionRequest, ContributionStatus } from '@stash-sense/contracts';

export const OUTBOX_ENV = 'STASH_SENSE_OUTBOX';

/** `$STASH_SENSE_OUTBOX`, else `$XDG_DATA_HOME/stash-sense/contributions-outbox.jsonl` (~/.local/share when unset). */
export function defaultOutboxPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const explicit = env[OUTBOX_ENV]?.trim();
  if (explicit) return explicit;
  const dataHome = env.XDG_DATA_HOME?.trim() || join(home, '.local', 'share');
  return join(dataHome, 'stash-sense', 'contributions-outbox.jsonl');
}

/** Which scene an entry is for: the stash-box scene, and the Stash scene and file when known (`--all`). */
export interface OutboxScene {
  endpoint: string;
  stashId: string;
  localSceneId?: string;
  file?: string;
}

export interface CloudStatus {
  contributionId: string;
  performerStashId: string;
  status: ContributionStatus;
  statusReason: string | null;
}

export type OutboxRecord =
  | {
      t: 'enqueue';
      id: string;
      at: string;
      scene: OutboxScene;
      walkKey: string | null;
      idempotencyKey: string;
      performers: string[];
      /** The request to send; dropped by compaction once the entry is sent or failed. */
      request: ContributionRequest | null;
    }
  | { t: 'retry'; id: string; at: string; attempts: number; error: string; nextAttemptAt: string }
  | { t: 'sent'; id: string; at: string; attempts: number; receipt: ContributionReceipt }
  | { t: 'failed'; id: string; at: string; attempts: number; status: number | null; reason: string }
  | { t: 'cloud'; id: string; at: string; statuses: CloudStatus[] }
  | { t: 'skip'; at: string; walkKey: string; scene: OutboxScene; reason: string }
  | { t: 'clear'; at: string };

export type OutboxState = 'queued' | 'sent' | 'failed';

export interface OutboxEntry {
  id: string;
  scene: OutboxScene;
  walkKey: string | null;
  idempotencyKey: string;
  performers: string[];
  request: ContributionRequest | null;
  state: OutboxState;
  enqueuedAt: string;
  updatedAt: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  /** HTTP status and reason of a permanent failure. */
  failure: { status: number | null; reason: string } | null;
  receipt: ContributionReceipt | null;
  /** Per-performer statuses, from the receipt and later from GET /v1/me/contributions. */
  cloud: CloudStatus[];
}

export interface SkippedScene {
  walkKey: string;
  scene: OutboxScene;
  reason: string;
  at: string;
}

export interface OutboxSnapshot {
  entries: Map<string, OutboxEntry>;
  skipped: Map<string, SkippedScene>;
  /** Lines read (valid ones). */
  records: number;
  /** Complete lines that were not valid records (skipped), and whether a torn last line was dropped. */
  corruptLines: number;
  tornTail: boolean;
  /** Byte length of the valid prefix (everything up to the last complete line). */
  validBytes: number;
}

export class OutboxBusyError extends Error {
  override name = 'OutboxBusyError';
}

const RECORD_TYPES = new Set(['enqueue', 'retry', 'sent', 'failed', 'cloud', 'skip', 'clear']);

/** Folds journal records into the state (pure; the order of lines is the order of events). */
export function applyRecord(snapshot: Pick<OutboxSnapshot, 'entries' | 'skipped'>, r: OutboxRecord): void {
  if (r.t === 'clear') {
    snapshot.entries.clear();
    snapshot.skipped.clear();
    return;
  }
  if (r.t === 'skip') {
    snapshot.skipped.set(r.walkKey, { walkKey: r.walkKey, scene: r.scene, reason: r.reason, at: r.at });
    return;
  }
  if (r.t === 'enqueue') {
    snapshot.entries.set(r.id, {
      id: r.id,
      scene: r.scene,
      walkKey: r.walkKey,
      idempotencyKey: r.idempotencyKey,
      performers: r.performers,
      request: r.request,
      state: 'queued',
      enqueuedAt: r.at,
      updatedAt: r.at,
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      failure: null,
      receipt: null,
      cloud: [],
    });
    return;
  }
  const entry = snapshot.entries.get(r.id);
  if (!entry) return; // cleared or compacted away
  entry.updatedAt = r.at;
  switch (r.t) {
    case 'retry':
      entry.attempts = r.attempts;
      entry.lastError = r.error;
      entry.nextAttemptAt = r.nextAttemptAt;
      break;
    case 'sent':
      entry.state = 'sent';
      entry.attempts = r.attempts;
      entry.receipt = r.receipt;
      entry.nextAttemptAt = null;
      entry.cloud = r.receipt.contributions.map((c) => ({
        contributionId: c.id,
        performerStashId: c.performerStashId,
        status: c.status,
        statusReason: c.statusReason,
      }));
      break;
    case 'failed':
      entry.state = 'failed';
      entry.attempts = r.attempts;
      entry.failure = { status: r.status, reason: r.reason };
      entry.nextAttemptAt = null;
      break;
    case 'cloud':
      entry.cloud = r.statuses;
      break;
  }
}

/** Parses a journal's text: every complete line that is a record; a last line without its newline is torn. */
export function parseJournal(text: string): OutboxSnapshot {
  const snapshot: OutboxSnapshot = {
    entries: new Map(),
    skipped: new Map(),
    records: 0,
    corruptLines: 0,
    tornTail: false,
    validBytes: 0,
  };
  let offset = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    if (end === -1) {
      snapshot.tornTail = true;
      break;
    }
    const line = text.slice(offset, end);
    offset = end + 1;
    snapshot.validBytes += Buffer.byteLength(line) + 1;
    if (!line.trim()) continue;
    let record: OutboxRecord;
    try {
      record = JSON.parse(line) as OutboxRecord;
    } catch {
      snapshot.corruptLines++;
      continue;
    }
    if (!record || typeof record !== 'object' || !RECORD_TYPES.has(record.t)) {
      snapshot.corruptLines++;
      continue;
    }
    snapshot.records++;
    applyRecord(snapshot, record);
  }
  return snapshot;
}

/** Reads the journal without taking the lock (the sidecar, `contributions status` while a writer runs). */
export function readOutbox(path: string): OutboxSnapshot {
  if (!existsSync(path)) return parseJournal('');
  return parseJournal(readFileSync(path, 'utf8'));
}

export interface OutboxOptions {
  now?: () => Date;
  /** Compact when the journal holds more than this many records per live entry (and at least `compactMinRecords`). */
  compactRatio?: number;
  compactMinRecords?: number;
  /**
   * Compact when the request bodies of sent or failed entries take more than this many bytes (default 8 MiB,
   * about 90 scenes of 60 float16 faces): the journal of a whole library stays small, and the sidecar reads it fast.
   */
  compactDeadBytes?: number;
}

/** The outbox opened for writing (holds the lock until close()). */
export class Outbox {
  private fd: number;
  private snapshot: OutboxSnapshot;
  private recordCount: number;
  private readonly now: () => Date;
  private closed = false;
  /** Bytes of request bodies in the journal whose entry is sent or failed: what compaction would free. */
  private deadBytes = 0;

  private constructor(
    readonly path: string,
    private readonly options: OutboxOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    mkdirSync(dirname(path), { recursive: true });
    acquireLock(`${path}.lock`);
    try {
      this.snapshot = readOutbox(path);
      // Cut a torn last line (or trailing garbage) off, so the next append starts on a fresh line.
      if (existsSync(path) && statSync(path).size !== this.snapshot.validBytes) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, this.snapshot.validBytes);
        fsyncSync(fd);
        closeSync(fd);
      }
      this.fd = openSync(path, 'a');
      this.recordCount = this.snapshot.records;
      for (const e of this.snapshot.entries.values())
        if (e.state !== 'queued' && e.request) this.deadBytes += JSON.stringify(e.request).length;
    } catch (error) {
      releaseLock(`${path}.lock`);
      throw error;
    }
  }

  static open(path: string, options: OutboxOptions = {}): Outbox {
    return new Outbox(path, options);
  }

  /** What the last open found: records read, corrupt lines skipped, whether a torn last line was dropped. */
  get recovery() {
    return { corruptLines: this.snapshot.corruptLines, tornTail: this.snapshot.tornTail };
  }

  entries(): OutboxEntry[] {
    return [...this.snapshot.entries.values()];
  }

  get(id: string): OutboxEntry | undefined {
    return this.snapshot.entries.get(id);
  }

  skipped(): SkippedScene[] {
    return [...this.snapshot.skipped.values()];
  }

  /** Whether a walk key (scene × file × model × credits) was already handled: queued, sent, failed or skipped. */
  hasWalkKey(walkKey: string): boolean {
    if (this.snapshot.skipped.has(walkKey)) return true;
    for (const e of this.snapshot.entries.values()) if (e.walkKey === walkKey) return true;
    return false;
  }

  enqueue(request: ContributionRequest, scene: OutboxScene, walkKey: string | null = null): OutboxEntry {
    const id = randomUUID();
    this.append({
      t: 'enqueue',
      id,
      at: this.stamp(),
      scene,
      walkKey,
      idempotencyKey: request.idempotencyKey,
      performers: request.performers.map((p) => p.stashId),
      request,
    });
    return this.snapshot.entries.get(id)!;
  }

  skip(walkKey: string, scene: OutboxScene, reason: string): void {
    this.append({ t: 'skip', at: this.stamp(), walkKey, scene, reason });
  }

  recordRetry(id: string, attempts: number, error: string, nextAttemptAt: Date): void {
    this.append({
      t: 'retry',
      id,
      at: this.stamp(),
      attempts,
      error,
      nextAttemptAt: nextAttemptAt.toISOString(),
    });
  }

  recordSent(id: string, attempts: number, receipt: ContributionReceipt): void {
    this.append({ t: 'sent', id, at: this.stamp(), attempts, receipt });
  }

  recordFailed(id: string, attempts: number, status: number | null, reason: string): void {
    this.append({ t: 'failed', id, at: this.stamp(), attempts, status, reason });
  }

  recordCloud(id: string, statuses: CloudStatus[]): void {
    this.append({ t: 'cloud', id, at: this.stamp(), statuses });
  }

  /** Forgets everything (after a withdrawal) and compacts the journal to nothing. */
  clear(): void {
    this.append({ t: 'clear', at: this.stamp() });
    this.compact();
  }

  /** Rewrites the journal as its live state: temp file, fsync, rename over, fsync the folder. */
  compact(): void {
    const lines: string[] = [];
    for (const s of this.snapshot.skipped.values())
      lines.push(
        JSON.stringify({ t: 'skip', at: s.at, walkKey: s.walkKey, scene: s.scene, reason: s.reason }),
      );
    for (const e of this.snapshot.entries.values())
      lines.push(...entryRecords(e).map((r) => JSON.stringify(r)));
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      if (lines.length) writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    fsyncDir(dirname(this.path));
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.recordCount = lines.length;
    this.deadBytes = 0;
    // Sent and failed entries no longer carry their request after compaction.
    for (const e of this.snapshot.entries.values()) if (e.state !== 'queued') e.request = null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    releaseLock(`${this.path}.lock`);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private append(record: OutboxRecord): void {
    if (this.closed) throw new Error('the outbox is closed');
    // One write per record, then fsync: a crash leaves at most this line torn.
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
    this.recordCount++;
    if (record.t === 'sent' || record.t === 'failed') {
      const request = this.snapshot.entries.get(record.id)?.request;
      if (request) this.deadBytes += JSON.stringify(request).length;
    }
    applyRecord(this.snapshot, record);
    const live = this.snapshot.entries.size + this.snapshot.skipped.size;
    if (
      record.t !== 'clear' &&
      ((this.recordCount >= (this.options.compactMinRecords ?? 1000) &&
        this.recordCount > (this.options.compactRatio ?? 4) * live) ||
        this.deadBytes > (this.options.compactDeadBytes ?? 8 * 1024 * 1024))
    )
      this.compact();
  }
}

/** The records that rebuild one entry's state (the request only while it still has to be sent). */
function entryRecords(e: OutboxEntry): OutboxRecord[] {
  const records: OutboxRecord[] = [
    {
      t: 'enqueue',
      id: e.id,
      at: e.enqueuedAt,
      scene: e.scene,
      walkKey: e.walkKey,
      idempotencyKey: e.idempotencyKey,
      performers: e.performers,
      request: e.state === 'queued' ? e.request : null,
    },
  ];
  if (e.state === 'sent' && e.receipt)
    records.push({ t: 'sent', id: e.id, at: e.updatedAt, attempts: e.attempts, receipt: e.receipt });
  else if (e.state === 'failed' && e.failure)
    records.push({
      t: 'failed',
      id: e.id,
      at: e.updatedAt,
      attempts: e.attempts,
      status: e.failure.status,
      reason: e.failure.reason,
    });
  else if (e.attempts > 0 && e.nextAttemptAt)
    records.push({
      t: 'retry',
      id: e.id,
      at: e.updatedAt,
      attempts: e.attempts,
      error: e.lastError ?? '',
      nextAttemptAt: e.nextAttemptAt,
    });
  if (e.cloud.length && e.state === 'sent')
    records.push({ t: 'cloud', id: e.id, at: e.updatedAt, statuses: e.cloud });
  return records;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems do not allow fsync on a directory; the rename itself is still atomic
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquireLock(lockPath: string): void {
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: number;
    try {
      holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    } catch {
      continue; // released in between
    }
    if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder))
      throw new OutboxBusyError(
        `the contribution outbox ${lockPath.replace(/\.lock$/, '')} is in use by process ${holder}; wait for it to finish`,
      );
    try {
      unlinkSync(lockPath); // a dead holder (killed) or a garbled lock: take it over
    } catch {
      // someone else took it over first
    }
  }
  throw new OutboxBusyError(`could not lock the contribution outbox (${lockPath})`);
}

function releaseLock(lockPath: string): void {
  try {
    if (Number.parseInt(readFileSync(lockPath, 'utf8'), 10) === process.pid) unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
