import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusyError, CancelledError } from './errors.js';
import { WorkQueue } from './work-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('runs jobs one at a time in arrival order', async () => {
    const queue = new WorkQueue(1, 5);
    const order: string[] = [];
    const gate = deferred();
    const first = queue.run(async () => {
      order.push('a-start');
      await gate.promise;
      order.push('a-end');
    });
    const second = queue.run(async () => {
      order.push('b');
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(queue.running, 1);
    assert.equal(queue.queued, 1);
    gate.resolve();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['a-start', 'a-end', 'b']);
    assert.equal(queue.running, 0);
  });

  it('rejects with BusyError when the waiting line is full', async () => {
    const queue = new WorkQueue(1, 1);
    const gate = deferred();
    const running = queue.run(() => gate.promise);
    const waiting = queue.run(async () => 'ok');
    await assert.rejects(
      queue.run(async () => 'too many'),
      (e: unknown) => {
        assert.ok(e instanceof BusyError);
        assert.ok(e.retryAfterSec >= 1);
        return true;
      },
    );
    gate.resolve();
    await running;
    assert.equal(await waiting, 'ok');
  });

  it('drops a waiting job whose signal aborts, and keeps going after a failing job', async () => {
    const queue = new WorkQueue(1, 5);
    const gate = deferred();
    const failing = queue.run(async () => {
      await gate.promise;
      throw new Error('boom');
    });
    const controller = new AbortController();
    let ranAborted = false;
    const aborted = queue.run(async () => {
      ranAborted = true;
    }, controller.signal);
    const later = queue.run(async () => 42);
    controller.abort();
    await assert.rejects(aborted, CancelledError);
    gate.resolve();
    await assert.rejects(failing, /boom/);
    assert.equal(await later, 42);
    assert.equal(ranAborted, false);
  });
});
