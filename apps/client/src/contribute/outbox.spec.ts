import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ContributionReceipt, ContributionRequest } from '@stash-sense/contracts';
import { Outbox, OutboxBusyError, parseJournal, readOutbox } from './outbox.js';
import { findSceneStatus, sceneStatuses } from './outbox-status.js';

const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `outbox-${++n}.jsonl`);

const request = (key: string, performer = 'p1'): ContributionRequest => ({
  idempotencyKey: key,
  client: { name: 'stash-sense-client', version: '0.1.0' },
  model: { name: 'm', version: '1' },
  encoding: 'float16',
  scene: { endpoint: 'https://box/graphql', stashId: `scene-${key}`, fingerprints: [] },
  performers: [{ stashId: performer, faces: [], tracks: [] }],
});
const receipt = (id: string, status: 'verified' | 'accepted' = 'verified'): ContributionReceipt => ({
  receivedAt: new Date().toISOString(),
  scene: { endpoint: 'https://box/graphql', stashId: 's' },
  contributions: [
    { id, performerStashId: 'p1', status, statusReason: null, faces: 3, replacedEarlier: false },
  ],
});
const scene = (key: string) => ({
  endpoint: 'https://box/graphql',
  stashId: `scene-${key}`,
  localSceneId: key,
});

test('entries survive a reopen: queued, sent, failed, skipped', () => {
  const path = fresh();
  const a = Outbox.open(path);
  const e1 = a.enqueue(request('k1'), scene('1'), 'walk-1');
  const e2 = a.enqueue(request('k2'), scene('2'), 'walk-2');
  const e3 = a.enqueue(request('k3'), scene('3'), 'walk-3');
  a.recordSent(e1.id, 1, receipt('00000000-0000-4000-8000-000000000001'));
  a.recordFailed(e2.id, 1, 422, 'performer not credited');
  a.recordRetry(e3.id, 2, 'cannot reach the cloud', new Date(Date.now() + 4000));
  a.skip('walk-4', scene('4'), 'not_dominant');
  a.close();

  const b = Outbox.open(path);
  try {
    assert.equal(b.get(e1.id)!.state, 'sent');
    assert.equal(b.get(e2.id)!.state, 'failed');
    assert.deepEqual(b.get(e2.id)!.failure, { status: 422, reason: 'performer not credited' });
    assert.equal(b.get(e3.id)!.state, 'queued');
    assert.equal(b.get(e3.id)!.attempts, 2);
    assert.equal(b.get(e3.id)!.request!.idempotencyKey, 'k3');
    for (const k of ['walk-1', 'walk-2', 'walk-3', 'walk-4']) assert.ok(b.hasWalkKey(k), k);
    assert.ok(!b.hasWalkKey('walk-5'));
    const states = sceneStatuses(readOutbox(path)).map((s) => [s.scene.localSceneId, s.state]);
    assert.deepEqual(Object.fromEntries(states), { 1: 'sent', 2: 'failed', 3: 'queued', 4: 'skipped' });
    assert.equal(findSceneStatus(sceneStatuses(readOutbox(path)), 'scene-1')[0]!.state, 'sent');
  } finally {
    b.close();
  }
});

test('a torn last line (a crash mid-write) is dropped and cut off; the next append starts clean', () => {
  const path = fresh();
  const a = Outbox.open(path);
  const e1 = a.enqueue(request('k1'), scene('1'), 'walk-1');
  a.close();
  const good = readFileSync(path, 'utf8');
  // Half of a "sent" line, no newline: what a kill during write(2) can leave.
  const sent = JSON.stringify({
    t: 'sent',
    id: e1.id,
    at: new Date().toISOString(),
    attempts: 1,
    receipt: {},
  });
  appendFileSync(path, sent.slice(0, 30));
  const parsed = parseJournal(readFileSync(path, 'utf8'));
  assert.equal(parsed.tornTail, true);
  assert.equal(parsed.entries.get(e1.id)!.state, 'queued');

  const b = Outbox.open(path);
  assert.deepEqual(b.recovery, { corruptLines: 0, tornTail: true });
  assert.equal(readFileSync(path, 'utf8'), good, 'the torn tail was truncated away');
  b.recordSent(e1.id, 1, receipt('00000000-0000-4000-8000-000000000002'));
  b.close();
  const c = readOutbox(path);
  assert.equal(c.tornTail, false);
  assert.equal(c.corruptLines, 0);
  assert.equal(c.entries.get(e1.id)!.state, 'sent');
});

test('a garbled complete line is skipped and counted, the rest is kept', () => {
  const path = fresh();
  const a = Outbox.open(path);
  const e1 = a.enqueue(request('k1'), scene('1'));
  a.close();
  appendFileSync(path, '{"t":"sent","id":\u0000\u0000garbage\n{"t":"nonsense"}\n');
  const b = Outbox.open(path);
  assert.equal(b.recovery.corruptLines, 2);
  assert.equal(b.get(e1.id)!.state, 'queued');
  b.close();
});

test('a process killed (SIGKILL) while holding the outbox: the journal is intact and the lock is taken over', () => {
  const path = fresh();
  // A child appends records in a tight loop and is killed mid-way.
  const script = `
    import { Outbox } from ${JSON.stringify(join(import.meta.dirname, 'outbox.ts'))};
    const o = Outbox.open(${JSON.stringify(path)});
    let i = 0;
    for (;;) { o.enqueue({ idempotencyKey: 'k' + i, client: { name: 'c', version: '1' }, model: { name: 'm', version: '1' },
      encoding: 'float16', scene: { endpoint: 'e', stashId: 's' + i, fingerprints: [] },
      performers: [{ stashId: 'p', faces: [], tracks: [] }] }, { endpoint: 'e', stashId: 's' + i }, 'w' + i);
      if (++i === 40) process.kill(process.pid, 'SIGKILL'); }
  `;
  const res = spawnSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      '@swc-node/register/esm-register',
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(res.signal, 'SIGKILL', res.stderr);
  assert.ok(existsSync(`${path}.lock`), 'the dead process left its lock');
  const b = Outbox.open(path); // dead holder → taken over
  try {
    assert.equal(b.entries().length, 40);
    assert.equal(b.recovery.corruptLines, 0);
    assert.ok(b.hasWalkKey('w39'));
  } finally {
    b.close();
  }
  assert.ok(!existsSync(`${path}.lock`));
});

test('a second writer while one holds the outbox is refused with a clear error', () => {
  const path = fresh();
  const a = Outbox.open(path);
  // The lock names a live process that is not us: our parent.
  writeFileSync(`${path}.lock`, `${process.ppid}\n`);
  assert.throws(() => Outbox.open(path), OutboxBusyError);
  writeFileSync(`${path}.lock`, `${process.pid}\n`);
  a.close();
});

test('compaction: the live state only, atomically; sent entries lose their request body', () => {
  const path = fresh();
  const a = Outbox.open(path, { compactMinRecords: 10, compactRatio: 2 });
  const e = a.enqueue(request('k1'), scene('1'), 'walk-1');
  for (let i = 0; i < 12; i++) a.recordRetry(e.id, i + 1, 'down', new Date(Date.now() + 1000));
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.ok(lines.length <= 5, `compacted to ${lines.length} lines, not 13`);
  assert.equal(a.get(e.id)!.attempts, 12);
  a.recordSent(e.id, 13, receipt('00000000-0000-4000-8000-000000000003'));
  a.compact();
  a.close();
  const text = readFileSync(path, 'utf8');
  assert.ok(!text.includes('"idempotencyKey":"k1","client"'), 'request body dropped once sent');
  const b = readOutbox(path);
  assert.equal(b.entries.get(e.id)!.state, 'sent');
  assert.equal(b.entries.get(e.id)!.idempotencyKey, 'k1');
  assert.ok(!existsSync(`${path}.tmp-${process.pid}`));
});

test('clear() forgets everything and leaves an empty journal', () => {
  const path = fresh();
  const a = Outbox.open(path);
  a.enqueue(request('k1'), scene('1'), 'walk-1');
  a.skip('walk-2', scene('2'), 'nothing');
  a.clear();
  assert.equal(a.entries().length, 0);
  assert.ok(!a.hasWalkKey('walk-1'));
  a.close();
  assert.equal(readFileSync(path, 'utf8'), '');
});

test('compaction by dead bytes: request bodies of sent entries do not pile up in the journal', () => {
  const path = fresh();
  const a = Outbox.open(path, { compactDeadBytes: 2000 });
  const big = (key: string): ContributionRequest => ({
    ...request(key),
    performers: [{ stashId: 'p1', faces: [], tracks: [{ trackId: 'x'.repeat(900), points: [] }] }],
  });
  for (let i = 0; i < 10; i++) {
    const e = a.enqueue(big(`k${i}`), scene(String(i)), `walk-${i}`);
    a.recordSent(e.id, 1, receipt(`00000000-0000-4000-8000-00000000001${i}`));
  }
  a.close();
  const text = readFileSync(path, 'utf8');
  assert.ok(text.split('x'.repeat(900)).length - 1 <= 3, 'at most the bodies since the last compaction');
  const b = readOutbox(path);
  assert.equal(b.entries.size, 10);
  assert.ok([...b.entries.values()].every((e) => e.state === 'sent'));
});
