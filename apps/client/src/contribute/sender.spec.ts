import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ContributionReceipt, ContributionRequest } from '@stash-sense/contracts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudRequestError, cloudJson, parseRetryAfter } from './cloud-client.js';
import { Outbox } from './outbox.js';
import {
  backoffDelayMs,
  drain,
  isRetryable,
  type PostContribution,
  sendDue,
  SENDER_CONFIG,
} from './sender.js';

const dir = mkdtempSync(join(tmpdir(), 'sender-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => Outbox.open(join(dir, `o-${++n}.jsonl`));
const cloud = { serverUrl: 'http://127.0.0.1:1', apiKey: 'ss_x' };
const request = (key: string): ContributionRequest => ({
  idempotencyKey: key,
  client: { name: 'c', version: '1' },
  model: { name: 'm', version: '1' },
  encoding: 'float16',
  scene: { endpoint: 'e', stashId: 's', fingerprints: [] },
  performers: [{ stashId: 'p', faces: [], tracks: [] }],
});
const receipt: ContributionReceipt = {
  receivedAt: new Date().toISOString(),
  scene: { endpoint: 'e', stashId: 's' },
  contributions: [
    {
      id: '00000000-0000-4000-8000-000000000001',
      performerStashId: 'p',
      status: 'verified',
      statusReason: null,
      faces: 1,
      replacedEarlier: false,
    },
  ],
};

test('backoff schedule: 2 s doubling, capped at an hour', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((a) => backoffDelayMs(a)),
    [2000, 4000, 8000, 16000, 32000],
  );
  assert.equal(backoffDelayMs(12), SENDER_CONFIG.backoffMaxMs);
  assert.equal(backoffDelayMs(100), SENDER_CONFIG.backoffMaxMs);
});

test('retryable: network, 408, 429, 5xx; permanent: other 4xx', () => {
  assert.ok(isRetryable(new CloudRequestError('down', null)));
  for (const s of [408, 429, 500, 502, 503]) assert.ok(isRetryable(new CloudRequestError('x', s)), String(s));
  for (const s of [400, 401, 403, 409, 413, 422])
    assert.ok(!isRetryable(new CloudRequestError('x', s)), String(s));
});

test('5xx then network then success: same idempotency key each time, retries on schedule', async () => {
  const outbox = fresh();
  let t = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(t);
  const keys: string[] = [];
  const answers: (Error | ContributionReceipt)[] = [
    new CloudRequestError('503', 503),
    new CloudRequestError('cannot reach', null),
    receipt,
  ];
  const post: PostContribution = async (req) => {
    keys.push(req.idempotencyKey);
    const a = answers.shift()!;
    if (a instanceof Error) throw a;
    return a;
  };
  const e = outbox.enqueue(request('key-1'), { endpoint: 'e', stashId: 's' });
  const sleeps: number[] = [];
  const report = await drain(outbox, {
    cloud,
    post,
    now,
    retryForMs: 60_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  assert.deepEqual(keys, ['key-1', 'key-1', 'key-1']);
  assert.deepEqual(sleeps, [2000, 4000]);
  assert.equal(report.sent.length, 1);
  assert.equal(outbox.get(e.id)!.state, 'sent');
  assert.equal(outbox.get(e.id)!.attempts, 3);
  outbox.close();
});

test('a 4xx is recorded as a permanent failure with its reason and never retried', async () => {
  const outbox = fresh();
  let calls = 0;
  const post: PostContribution = async () => {
    calls++;
    throw new CloudRequestError('the cloud refused the contribution: 422 performer not credited', 422);
  };
  const e = outbox.enqueue(request('key-2'), { endpoint: 'e', stashId: 's' });
  const report = await drain(outbox, { cloud, post, retryForMs: 60_000, sleep: async () => {} });
  assert.equal(calls, 1);
  assert.equal(report.failed.length, 1);
  assert.deepEqual(outbox.get(e.id)!.failure, {
    status: 422,
    reason: 'the cloud refused the contribution: 422 performer not credited',
  });
  await sendDue(outbox, { cloud, post });
  assert.equal(calls, 1, 'a failed entry is not due any more');
  outbox.close();
});

test('past the retry window the entry stays queued with its next try recorded; not due before then', async () => {
  const outbox = fresh();
  let t = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(t);
  let calls = 0;
  const post: PostContribution = async () => {
    calls++;
    throw new CloudRequestError('cannot reach the cloud', null);
  };
  const e = outbox.enqueue(request('key-3'), { endpoint: 'e', stashId: 's' });
  const report = await drain(outbox, {
    cloud,
    post,
    now,
    retryForMs: 5000,
    sleep: async (ms) => {
      t += ms;
    },
  });
  // Tries at 0 s and 2 s; the third (at 2 + 4 = 6 s) is past the 5 s window.
  assert.equal(calls, 2);
  assert.equal(report.retrying.length, 1);
  const entry = outbox.get(e.id)!;
  assert.equal(entry.state, 'queued');
  assert.equal(entry.nextAttemptAt, new Date(Date.parse('2026-01-01T00:00:06Z')).toISOString());
  await sendDue(outbox, { cloud, post, now });
  assert.equal(calls, 2, 'not due yet');
  t = Date.parse('2026-01-01T00:00:06Z');
  await sendDue(outbox, { cloud, post, now });
  assert.equal(calls, 3);
  outbox.close();
});

test('a new run (ignoreSchedule) tries a queued entry at once, even before its scheduled retry', async () => {
  const outbox = fresh();
  const e = outbox.enqueue(request('key-4'), { endpoint: 'e', stashId: 's' });
  outbox.recordRetry(e.id, 9, 'down', new Date(Date.now() + 3_600_000));
  let calls = 0;
  const post: PostContribution = async () => {
    calls++;
    return receipt;
  };
  await sendDue(outbox, { cloud, post });
  assert.equal(calls, 0, 'not due');
  const report = await drain(outbox, { cloud, post, retryForMs: 0, ignoreSchedule: true });
  assert.equal(calls, 1);
  assert.equal(report.sent.length, 1);
  assert.equal(outbox.get(e.id)!.attempts, 10);
  outbox.close();
});

test('Retry-After: seconds or an HTTP date; the sender waits at least that long', async () => {
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter(null, now), null);
  assert.equal(parseRetryAfter('soon', now), null);

  const outbox = fresh();
  let t = now.getTime();
  const answers: (Error | ContributionReceipt)[] = [new CloudRequestError('429', 429, 90_000), receipt];
  const post: PostContribution = async () => {
    const a = answers.shift()!;
    if (a instanceof Error) throw a;
    return a;
  };
  outbox.enqueue(request('key-ra'), { endpoint: 'e', stashId: 's' });
  const sleeps: number[] = [];
  const report = await drain(outbox, {
    cloud,
    post,
    now: () => new Date(t),
    retryForMs: 120_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  assert.deepEqual(sleeps, [90_000], 'the 90 s Retry-After, not the 2 s backoff');
  assert.equal(report.sent.length, 1);
  outbox.close();
});

test('cloudJson reads the status, the cloud explanation and Retry-After of a refusal from a real HTTP answer', async () => {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer k') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized', message: 'bad key' }));
      return;
    }
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end(JSON.stringify({ error: 'rate_limited', message: 'slow down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await assert.rejects(cloudJson('GET', '/v1/x', { serverUrl, apiKey: 'k' }), (error: unknown) => {
      assert.ok(error instanceof CloudRequestError);
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterMs, 7000);
      assert.equal(error.detail, 'slow down');
      assert.ok(isRetryable(error));
      return true;
    });
    await assert.rejects(cloudJson('GET', '/v1/x', { serverUrl, apiKey: 'wrong' }), (error: unknown) => {
      assert.ok(error instanceof CloudRequestError);
      assert.equal(error.status, 401);
      assert.equal(error.retryAfterMs, null);
      assert.ok(!isRetryable(error));
      return true;
    });
  } finally {
    server.close();
  }
});
