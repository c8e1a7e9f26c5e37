import { Injectable } from '@nestjs/common';
import type { ContributionStatus, UserRole, UserStatus } from '@stash-sense/contracts';
import { PgPoolService } from '../database/pg-pool.service.js';

export interface ContributorRow {
  id: string;
  email: string;
  displayName: string | null;
  role: UserRole;
  status: UserStatus;
  reputation: number;
  reputationFlagged: boolean;
  reputationReason: string | null;
  trustedFaces: number;
  disagreedFaces: number;
  moderatorApproved: number;
  moderatorRejected: number;
  createdAt: Date;
  statusChangedAt: Date | null;
}

export interface AdminContributionRow {
  id: string;
  performerId: string;
  sceneId: string;
  modelId: string;
  status: ContributionStatus;
  statusReason: string | null;
  pending: number;
  trusted: number;
  rejected: number;
  createdAt: Date;
  updatedAt: Date;
}

const USER_COLUMNS = `id, email, display_name AS "displayName", role, status, reputation,
  reputation_flagged AS "reputationFlagged", reputation_reason AS "reputationReason", trusted_faces AS "trustedFaces",
  disagreed_faces AS "disagreedFaces", moderator_approved AS "moderatorApproved",
  moderator_rejected AS "moderatorRejected", created_at AS "createdAt", status_changed_at AS "statusChangedAt"`;
const LIKE = (param: string) =>
  `'%' || replace(replace(replace(${param}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;

/** Accounts as contributors: reputation, history and contributions, for the admin views. */
@Injectable()
export class ContributorsRepository {
  constructor(private readonly pg: PgPoolService) {}

  /** Newest account first; keyset on (created_at, id). */
  async list(q: {
    query?: string;
    status?: UserStatus;
    role?: UserRole;
    flagged?: boolean;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<ContributorRow[]> {
    const { rows } = await this.pg.pool.query<ContributorRow>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE ($1::text IS NULL OR email ILIKE ${LIKE('$1')} OR display_name ILIKE ${LIKE('$1')})
         AND ($2::text IS NULL OR status = $2::"UserStatus") AND ($3::text IS NULL OR role = $3::"UserRole")
         AND ($4::boolean IS NULL OR reputation_flagged = $4)
         AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $7`,
      [
        q.query ?? null,
        q.status ?? null,
        q.role ?? null,
        q.flagged ?? null,
        q.after?.createdAt ?? null,
        q.after?.id ?? null,
        q.limit + 1,
      ],
    );
    return rows;
  }

  async get(id: string): Promise<ContributorRow | null> {
    const { rows } = await this.pg.pool.query<ContributorRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async contributionsByStatus(id: string): Promise<Record<string, number>> {
    const { rows } = await this.pg.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM contributions WHERE contributor_id = $1 GROUP BY status',
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async faceCounts(id: string): Promise<Record<string, number>> {
    const { rows } = await this.pg.pool.query<{ status: string; n: number }>(
      `SELECT f.status, count(*)::int AS n FROM faces f JOIN contributions c ON c.id = f.contribution_id
       WHERE c.contributor_id = $1 GROUP BY f.status`,
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Contributions made per UTC day since `since` (any status now), with their current faces. */
  async perDay(
    id: string,
    since: Date,
  ): Promise<{ days: { day: string; contributions: number; faces: number }[]; last: Date | null }> {
    const { rows } = await this.pg.pool.query<{ day: string; contributions: number; faces: number }>(
      `SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS contributions,
              COALESCE(sum((SELECT count(*) FROM faces f WHERE f.contribution_id = c.id)), 0)::int AS faces
       FROM contributions c WHERE c.contributor_id = $1 AND c.created_at >= $2 GROUP BY 1`,
      [id, since],
    );
    const last = await this.pg.pool.query<{ last: Date | null }>(
      'SELECT max(created_at) AS last FROM contributions WHERE contributor_id = $1',
      [id],
    );
    return { days: rows, last: last.rows[0]?.last ?? null };
  }

  /** Newest first; keyset on (created_at, id). */
  async contributions(
    id: string,
    q: { status?: ContributionStatus; after?: { createdAt: string; id: string }; limit: number },
  ): Promise<AdminContributionRow[]> {
    const { rows } = await this.pg.pool.query<AdminContributionRow>(
      `SELECT c.id, c.performer_id AS "performerId", c.scene_id AS "sceneId", c.model_id AS "modelId", c.status,
              c.status_reason AS "statusReason", c.created_at AS "createdAt", c.updated_at AS "updatedAt",
              count(f.id) FILTER (WHERE f.status = 'pending')::int AS pending,
              count(f.id) FILTER (WHERE f.status = 'trusted')::int AS trusted,
              count(f.id) FILTER (WHERE f.status = 'rejected')::int AS rejected
       FROM contributions c LEFT JOIN faces f ON f.contribution_id = c.id
       WHERE c.contributor_id = $1 AND ($2::text IS NULL OR c.status = $2::"ContributionStatus")
         AND ($3::timestamptz IS NULL OR (c.created_at, c.id) < ($3::timestamptz, $4::uuid))
       GROUP BY c.id ORDER BY c.created_at DESC, c.id DESC LIMIT $5`,
      [id, q.status ?? null, q.after?.createdAt ?? null, q.after?.id ?? null, q.limit + 1],
    );
    return rows;
  }
}
