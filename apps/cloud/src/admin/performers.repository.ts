import { Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.js';

export interface PerformerListRow {
  id: string;
  name: string;
}

export interface ConsensusRow {
  state: string;
  trustedFaces: number;
  contributorsAgreeing: number;
  weight: number;
  reason: string;
  decidedAt: Date;
}

export interface PerformerContributorRow {
  contributorId: string;
  contributions: number;
  pending: number;
  trusted: number;
  rejected: number;
  lastContributionAt: Date;
}

/**
 * Distance histogram of contributed faces to the consensus centroid: buckets of 0.05 from 0 to 1 (the thresholds
 * 0.45 / 0.514 of docs/consensus.md fall inside the range, same-person faces lie below 0.62 at p99), and one last
 * bucket for everything from 1 to 2 (different people: median 0.99).
 */
export const HISTOGRAM_BUCKET_WIDTH = 0.05;
export const HISTOGRAM_BUCKETS = 20;

/** Performers with their consensus, contributors and faces, for the admin views. */
@Injectable()
export class PerformersRepository {
  constructor(private readonly pg: PgPoolService) {}

  /** By name; keyset on (name, id). `query` matches part of the name or a whole stash-box id. */
  async list(q: {
    query?: string;
    state?: string;
    after?: { name: string; id: string };
    limit: number;
  }): Promise<PerformerListRow[]> {
    const { rows } = await this.pg.pool.query<PerformerListRow>(
      `SELECT p.id, p.name FROM performers p
       WHERE ($1::text IS NULL OR p.name ILIKE '%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
              OR EXISTS (SELECT 1 FROM performer_stash_ids s WHERE s.performer_id = p.id AND s.stash_id = $1))
         AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM performer_consensus pc WHERE pc.performer_id = p.id AND pc.state = $2))
         AND ($3::text IS NULL OR (p.name, p.id) > ($3::text, $4::uuid))
       ORDER BY p.name, p.id LIMIT $5`,
      [q.query ?? null, q.state ?? null, q.after?.name ?? null, q.after?.id ?? null, q.limit + 1],
    );
    return rows;
  }

  async consensus(performerId: string, modelId: string): Promise<ConsensusRow | null> {
    const { rows } = await this.pg.pool.query<ConsensusRow>(
      `SELECT state, trusted_faces AS "trustedFaces", contributors_agreeing AS "contributorsAgreeing", weight, reason,
              decided_at AS "decidedAt"
       FROM performer_consensus WHERE performer_id = $1 AND model_id = $2`,
      [performerId, modelId],
    );
    return rows[0] ?? null;
  }

  async faceCounts(performerId: string, modelId: string): Promise<Record<string, number>> {
    const { rows } = await this.pg.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM faces WHERE performer_id = $1 AND model_id = $2 GROUP BY status`,
      [performerId, modelId],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Trusted faces contributed before `since`, and per UTC day since. */
  async trustedByDay(
    performerId: string,
    modelId: string,
    since: Date,
  ): Promise<{ before: number; days: { day: string; trusted: number }[] }> {
    const { rows } = await this.pg.pool.query<{ day: string | null; n: number }>(
      `SELECT CASE WHEN created_at < $3 THEN NULL ELSE to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS day,
              count(*)::int AS n
       FROM faces WHERE performer_id = $1 AND model_id = $2 AND status = 'trusted' GROUP BY 1`,
      [performerId, modelId, since],
    );
    return {
      before: rows.find((r) => r.day === null)?.n ?? 0,
      days: rows.flatMap((r) => (r.day === null ? [] : [{ day: r.day, trusted: r.n }])),
    };
  }

  /** The accounts that contributed this performer (live contributions), most faces first. */
  async contributors(
    performerId: string,
    modelId: string,
    limit: number,
  ): Promise<PerformerContributorRow[]> {
    const { rows } = await this.pg.pool.query<PerformerContributorRow>(
      `SELECT c.contributor_id AS "contributorId", count(DISTINCT c.id)::int AS contributions,
              count(f.id) FILTER (WHERE f.status = 'pending')::int AS pending,
              count(f.id) FILTER (WHERE f.status = 'trusted')::int AS trusted,
              count(f.id) FILTER (WHERE f.status = 'rejected')::int AS rejected,
              max(c.created_at) AS "lastContributionAt"
       FROM contributions c LEFT JOIN faces f ON f.contribution_id = c.id
       WHERE c.performer_id = $1 AND c.model_id = $2 AND c.status <> 'withdrawn'
       GROUP BY c.contributor_id ORDER BY count(f.id) DESC, c.contributor_id LIMIT $3`,
      [performerId, modelId, limit],
    );
    return rows;
  }

  /**
   * Every contributed face of the performer by its cosine distance to the consensus centroid (pgvector `<=>`),
   * bucketed in SQL; null when the performer has no centroid for the model.
   */
  async distanceHistogram(performerId: string, modelId: string): Promise<Map<number, number> | null> {
    const centroid = await this.pg.pool.query(
      'SELECT 1 FROM performer_consensus WHERE performer_id = $1 AND model_id = $2 AND centroid IS NOT NULL',
      [performerId, modelId],
    );
    if (!centroid.rowCount) return null;
    const { rows } = await this.pg.pool.query<{ bucket: number; n: number }>(
      `SELECT LEAST(floor((f.embedding::vector <=> pc.centroid) / $3)::int, $4::int) AS bucket, count(*)::int AS n
       FROM faces f JOIN performer_consensus pc ON pc.performer_id = f.performer_id AND pc.model_id = f.model_id
       WHERE f.performer_id = $1 AND f.model_id = $2 AND pc.centroid IS NOT NULL AND f.dimension = pc.dimension
       GROUP BY 1`,
      [performerId, modelId, HISTOGRAM_BUCKET_WIDTH, HISTOGRAM_BUCKETS],
    );
    return new Map(rows.map((r) => [r.bucket, r.n]));
  }
}
