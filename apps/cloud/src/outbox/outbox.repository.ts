import { Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.js';
import { inTransaction } from '../database/pg-sql.js';
import { PrismaService } from '../database/prisma.service.js';

export interface OutboxEventRow {
  id: bigint;
  kind: string;
  payload: Record<string, unknown>;
}

@Injectable()
export class OutboxRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPoolService,
  ) {}

  /**
   * Hands undispatched events (all, or the given ids) to `dispatch` and keeps those it accepted marked as
   * dispatched, in one transaction holding their row locks: concurrent sweepers skip each other's rows (SKIP
   * LOCKED). The events are claimed (marked) by the statement that selects them and unmarked again if `dispatch`
   * fails, so the usual case takes three round trips: BEGIN, the claim, COMMIT.
   */
  async dispatchUndispatched(
    dispatch: (event: OutboxEventRow) => Promise<void>,
    options: { ids?: bigint[]; olderThan?: Date; limit: number },
  ): Promise<{ dispatched: number; failed: number }> {
    // node-pg rather than Prisma: every contribution dispatches its events right after commit, and Prisma 6's
    // query compiler adds ≈ 1 ms of CPU to each statement (a profile of bench/ingest, docs/benchmarks.md).
    return inTransaction(this.pg.pool, async (client) => {
      const claimed = options.ids
        ? await client.query<{ id: string; kind: string; payload: Record<string, unknown> }>(
            this.pg.prepared(
              `UPDATE outbox_events SET dispatched_at = now(), attempts = attempts + 1
               WHERE id IN (SELECT id FROM outbox_events WHERE id = ANY($1::bigint[]) AND dispatched_at IS NULL
                            FOR UPDATE SKIP LOCKED)
               RETURNING id, kind, payload`,
              [options.ids.map(String)],
            ),
          )
        : await client.query<{ id: string; kind: string; payload: Record<string, unknown> }>(
            `UPDATE outbox_events SET dispatched_at = now(), attempts = attempts + 1
             WHERE id IN (SELECT id FROM outbox_events WHERE dispatched_at IS NULL AND created_at <= $1
                          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id, kind, payload`,
            [options.olderThan ?? new Date(), options.limit],
          );
      // UPDATE … RETURNING gives no order: dispatch oldest first, as the events were written.
      const rows: OutboxEventRow[] = claimed.rows
        .map((r) => ({ ...r, id: BigInt(r.id) }))
        .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      let done = 0;
      for (const row of rows) {
        try {
          await dispatch(row);
          done += 1;
        } catch {
          break; // the queue is unreachable: the rest waits for the next sweep
        }
      }
      if (done < rows.length) {
        // Unclaim the failed event (its attempt counts) and the ones after it (never tried).
        const failedId = rows[done]!.id;
        await client.query(
          `UPDATE outbox_events SET dispatched_at = NULL, attempts = attempts - CASE WHEN id = $2::bigint THEN 0 ELSE 1 END
           WHERE id = ANY($1::bigint[])`,
          [rows.slice(done).map((r) => String(r.id)), String(failedId)],
        );
      }
      return { dispatched: done, failed: done < rows.length ? 1 : 0 };
    });
  }

  async undispatchedCount(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM outbox_events WHERE dispatched_at IS NULL`;
    return row!.n;
  }
}
