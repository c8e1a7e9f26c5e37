import { Injectable, Logger } from '@nestjs/common';
import { isJobName } from '../jobs/job-names.js';
import { JobsService } from '../jobs/jobs.service.js';
import { OutboxRepository } from './outbox.repository.js';

/** Undispatched events younger than this are left to the request that wrote them. */
const SWEEP_GRACE_MS = 2_000;

/**
 * Transactional outbox → BullMQ. Events are written with the data they describe; after commit the
 * writer dispatches them at once, and workers sweep up whatever was not dispatched (Redis down, process
 * killed between commit and enqueue). The BullMQ job id is the event id, so an event enqueued twice
 * (crash after enqueue, before marking) is still one job: nothing lost, nothing processed twice.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly repository: OutboxRepository,
    private readonly jobs: JobsService,
  ) {}

  /** Best effort right after commit; never throws (the sweeper retries). */
  async dispatch(ids: bigint[]): Promise<void> {
    if (!ids.length) return;
    try {
      const { failed } = await this.repository.dispatchUndispatched((e) => this.enqueue(e), {
        ids,
        limit: ids.length,
      });
      if (failed) this.logger.warn('queue unreachable: events stay in the outbox for the sweeper');
    } catch (err) {
      this.logger.warn(`outbox dispatch failed (the sweeper will retry): ${(err as Error).message}`);
    }
  }

  /** Dispatches every event left behind. Returns how many went to the queue. */
  async sweep(limit = 500, graceMs = SWEEP_GRACE_MS): Promise<number> {
    let total = 0;
    for (;;) {
      const { dispatched, failed } = await this.repository.dispatchUndispatched((e) => this.enqueue(e), {
        olderThan: new Date(Date.now() - graceMs),
        limit,
      });
      total += dispatched;
      if (failed || dispatched < limit) break;
    }
    if (total) this.logger.log(`swept ${total} outbox events into the queues`);
    return total;
  }

  pendingCount(): Promise<number> {
    return this.repository.undispatchedCount();
  }

  private async enqueue(event: {
    id: bigint;
    kind: string;
    payload: Record<string, unknown>;
  }): Promise<void> {
    if (!isJobName(event.kind)) throw new Error(`unknown outbox event kind ${event.kind}`);
    await this.jobs.enqueue(event.kind, event.payload as never, { jobId: `outbox-${event.id}` });
  }
}
