import { Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.js';

export interface OverviewCounts {
  contributionsByStatus: Record<string, number>;
  faces: Record<string, number>;
  active7: number;
  active30: number;
  users: { total: number; suspended: number; banned: number; flagged: number };
  performers: number;
  consensusStates: Record<string, number>;
  openByKind: Record<string, number>;
  openLinks: number;
}

const byKey = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));

/** Counts for the dashboard overview (aggregates over the indexed columns; run on each request). */
@Injectable()
export class OverviewRepository {
  constructor(private readonly pg: PgPoolService) {}

  async perDay(since: Date): Promise<{ day: string; contributions: number; faces: number }[]> {
    const { rows } = await this.pg.pool.query<{ day: string; contributions: number; faces: number }>(
      `SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS contributions,
              COALESCE(sum((SELECT count(*) FROM faces f WHERE f.contribution_id = c.id)), 0)::int AS faces
       FROM contributions c WHERE c.created_at >= $1 GROUP BY 1`,
      [since],
    );
    return rows;
  }

  async counts(now: Date): Promise<OverviewCounts> {
    const q = <T extends object>(sql: string, params: unknown[] = []) =>
      this.pg.pool.query<T>(sql, params).then((r) => r.rows);
    const [contributions, faces, active, users, performers, states, kinds, links] = await Promise.all([
      q<{ k: string; n: number }>(
        'SELECT status AS k, count(*)::int AS n FROM contributions GROUP BY status',
      ),
      q<{ k: string; n: number }>('SELECT status AS k, count(*)::int AS n FROM faces GROUP BY status'),
      q<{ d7: number; d30: number }>(
        `SELECT count(DISTINCT contributor_id) FILTER (WHERE created_at >= $1::timestamptz - interval '7 days')::int AS d7,
                count(DISTINCT contributor_id)::int AS d30
         FROM contributions WHERE created_at >= $1::timestamptz - interval '30 days'`,
        [now],
      ),
      q<{ total: number; suspended: number; banned: number; flagged: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'suspended')::int AS suspended,
                count(*) FILTER (WHERE status = 'banned')::int AS banned,
                count(*) FILTER (WHERE reputation_flagged)::int AS flagged FROM users`,
      ),
      q<{ n: number }>('SELECT count(*)::int AS n FROM performers'),
      q<{ k: string; n: number }>(
        'SELECT state AS k, count(*)::int AS n FROM performer_consensus GROUP BY state',
      ),
      q<{ k: string; n: number }>(
        `SELECT kind AS k, count(*)::int AS n FROM moderation_items WHERE status = 'open' GROUP BY kind`,
      ),
      q<{ n: number }>(`SELECT count(*)::int AS n FROM identity_link_suggestions WHERE status = 'open'`),
    ]);
    return {
      contributionsByStatus: byKey(contributions),
      faces: byKey(faces),
      active7: active[0]!.d7,
      active30: active[0]!.d30,
      users: users[0]!,
      performers: performers[0]!.n,
      consensusStates: byKey(states),
      openByKind: byKey(kinds),
      openLinks: links[0]!.n,
    };
  }
}
