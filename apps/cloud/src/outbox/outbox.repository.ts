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
   * Hands undispatched events (all, or the given ids) to `dispatch` and marks those it accepted, in one
   * transaction holding row locks: concurrent sweepers skip each other's rows (SKIP LOCKED).
   */
  async dispatchUndispatched(
    dispatch: (event: OutboxEventRow) => Promise<void>,
    options: { ids?: bigint[]; olderThan?: Date; limit: number },
  ): Promise<{ dispatched: number; failed: number }> {
    // node-pg rather than Prisma: every contribution dispatches its events right after commit, and Prisma 6's
    // query compiler adds ≈ 1 ms of CPU to each statement (a profile of bench/ingest, docs/benchmarks.md).
    return inTransaction(this.pg.pool, async (client) => {
      const selected = options.ids
        ? await client.query<{ id: string; kind: string; payload: Record<string, unknown> }>(
            this.pg.prepared(
              `SELECT id, kind, payload FROM outbox_events
             WHERE id = ANY($1::bigint[]) AND dispatched_at IS NULL
             ORDER BY id FOR UPDATE SKIP LOCKED`,
              [options.ids.map(String)],
            ),
          )
        : await client.query<{ id: string; kind: string; payload: Record<string, unknown> }>(
            `SELECT id, kind, payload FROM outbox_events
             WHERE dispatched_at IS NULL AND created_at <= $1
             ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [options.olderThan ?? new Date(), options.limit],
          );
      const rows: OutboxEventRow[] = selected.rows.map((r) => ({ ...r, id: BigInt(r.id) }));
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
        await client.query(
          this.pg.prepared(
            'UPDATE outbox_events SET dispatched_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
            [done.map(String)],
          ),
        );
      }
      if (failed) {
        const failedId = rows[done.length]!.id;
        await client.query('UPDATE outbox_events SET attempts = attempts + 1 WHERE id = $1::bigint', [
          String(failedId),
        ]);
      }
      return { dispatched: done.length, failed };
    });
  }

  async undispatchedCount(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM outbox_events WHERE dispatched_at IS NULL`;
    return row!.n;
  }
}
