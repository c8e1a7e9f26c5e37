import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

export interface OutboxEventRow {
  id: bigint;
  kind: string;
  payload: Record<string, unknown>;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Hands undispatched events (all, or the given ids) to `dispatch` and marks those it accepted, in one
   * transaction holding row locks: concurrent sweepers skip each other's rows (SKIP LOCKED).
   */
  async dispatchUndispatched(
    dispatch: (event: OutboxEventRow) => Promise<void>,
    options: { ids?: bigint[]; olderThan?: Date; limit: number },
  ): Promise<{ dispatched: number; failed: number }> {
    return this.prisma.$transaction(
      async (tx) => {
        const rows = options.ids
          ? await tx.$queryRaw<OutboxEventRow[]>`
              SELECT id, kind, payload FROM outbox_events
              WHERE id = ANY(${options.ids}::bigint[]) AND dispatched_at IS NULL
              ORDER BY id FOR UPDATE SKIP LOCKED`
          : await tx.$queryRaw<OutboxEventRow[]>`
              SELECT id, kind, payload FROM outbox_events
              WHERE dispatched_at IS NULL AND created_at <= ${options.olderThan ?? new Date()}
              ORDER BY id LIMIT ${options.limit} FOR UPDATE SKIP LOCKED`;
        const done: bigint[] = [];
        let failed = 0;
        for (const row of rows) {
          try {
            await dispatch(row);
            done.push(row.id);
          } catch {
            failed += 1;
            break; // the queue is unreachable: the rest waits for the next sweep
          }
        }
        if (done.length) {
          await tx.$executeRaw`UPDATE outbox_events SET dispatched_at = now(), attempts = attempts + 1 WHERE id = ANY(${done}::bigint[])`;
        }
        if (failed) {
          const failedId = rows[done.length]!.id;
          await tx.$executeRaw`UPDATE outbox_events SET attempts = attempts + 1 WHERE id = ${failedId}`;
        }
        return { dispatched: done.length, failed };
      },
      { timeout: 60_000 },
    );
  }

  async undispatchedCount(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM outbox_events WHERE dispatched_at IS NULL`;
    return row!.n;
  }
}
