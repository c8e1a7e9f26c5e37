import { Injectable } from '@nestjs/common';
import type { IdentityLinkStatus, ModerationAction, ModerationStatus } from '@stash-sense/contracts';
import type pg from 'pg';
import { PgPoolService } from '../database/pg-pool.service.js';
import { inTransaction, UNIQUE_VIOLATION } from '../database/pg-sql.js';

export interface ModerationItemRow {
  id: string;
  kind: string;
  status: ModerationStatus;
  blocking: boolean;
  summary: string;
  evidence: Record<string, unknown>;
  modelId: string;
  performerIds: string[];
  contributionIds: string[];
  contributorIds: string[];
  sceneIds: string[];
  createdAt: Date;
  updatedAt: Date;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
}

export interface ModerationContributionRow {
  id: string;
  contributorId: string;
  performerId: string;
  sceneId: string;
  status: string;
  statusReason: string | null;
  moderation: 'approved' | 'rejected' | null;
  pending: number;
  trusted: number;
  rejected: number;
  distanceToConsensus: number | null;
  createdAt: Date;
}

export interface IdentityLinkRow {
  id: string;
  modelId: string;
  performerA: string;
  performerB: string;
  distance: number;
  status: IdentityLinkStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResolveOutcome {
  item: ModerationItemRow;
  contributionsAffected: number;
  facesAffected: number;
  contributorsUpdated: number;
  performersRequeued: string[];
  outboxIds: bigint[];
}

export class ModerationStateError extends Error {
  constructor(readonly reason: 'not_found' | 'not_open' | 'duplicate' | 'no_target') {
    super(reason);
  }
}

const ITEM_COLUMNS = `id, kind, status, blocking, summary, evidence, model_id AS "modelId", performer_ids AS "performerIds",
  contribution_ids AS "contributionIds", contributor_ids AS "contributorIds", scene_ids AS "sceneIds",
  created_at AS "createdAt", updated_at AS "updatedAt", resolved_by AS "resolvedBy", resolved_at AS "resolvedAt", resolution`;
const LINK_COLUMNS = `id, model_id AS "modelId", performer_a AS "performerA", performer_b AS "performerB", distance, status,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Moderation items and identity-link suggestions (written by the consensus workers) and the moderators' decisions. */
@Injectable()
export class ModerationRepository {
  constructor(private readonly pg: PgPoolService) {}

  /** Newest first; keyset on (created_at, id). */
  async list(q: {
    status: ModerationStatus;
    kind?: string;
    performer?: string;
    contributor?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<ModerationItemRow[]> {
    const { rows } = await this.pg.pool.query<ModerationItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM moderation_items
       WHERE status = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::uuid IS NULL OR $3::uuid = ANY(performer_ids))
         AND ($4::uuid IS NULL OR $4::uuid = ANY(contributor_ids))
         AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $7`,
      [
        q.status,
        q.kind ?? null,
        q.performer ?? null,
        q.contributor ?? null,
        q.after?.createdAt ?? null,
        q.after?.id ?? null,
        q.limit + 1,
      ],
    );
    return rows;
  }

  async item(id: string): Promise<ModerationItemRow | null> {
    const { rows } = await this.pg.pool.query<ModerationItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM moderation_items WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async openCount(filter: { performer?: string; contributor?: string }): Promise<number> {
    const { rows } = await this.pg.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM moderation_items WHERE status = 'open'
         AND ($1::uuid IS NULL OR $1::uuid = ANY(performer_ids)) AND ($2::uuid IS NULL OR $2::uuid = ANY(contributor_ids))`,
      [filter.performer ?? null, filter.contributor ?? null],
    );
    return rows[0]!.n;
  }

  /** The contributions an item names, with face counts and the centre's distance to the performer's consensus. */
  async contributions(ids: readonly string[]): Promise<ModerationContributionRow[]> {
    if (!ids.length) return [];
    const { rows } = await this.pg.pool.query<ModerationContributionRow>(
      `SELECT c.id, c.contributor_id AS "contributorId", c.performer_id AS "performerId", c.scene_id AS "sceneId",
              c.status, c.status_reason AS "statusReason", c.moderation, c.created_at AS "createdAt",
              (SELECT count(*) FILTER (WHERE f.status = 'pending')::int FROM faces f WHERE f.contribution_id = c.id) AS pending,
              (SELECT count(*) FILTER (WHERE f.status = 'trusted')::int FROM faces f WHERE f.contribution_id = c.id) AS trusted,
              (SELECT count(*) FILTER (WHERE f.status = 'rejected')::int FROM faces f WHERE f.contribution_id = c.id) AS rejected,
              (SELECT (c.centre <=> pc.centroid)::float8 FROM performer_consensus pc
                WHERE pc.performer_id = c.performer_id AND pc.model_id = c.model_id
                  AND pc.centroid IS NOT NULL AND c.centre IS NOT NULL AND pc.dimension = vector_dims(c.centre)) AS "distanceToConsensus"
       FROM contributions c WHERE c.id = ANY($1::uuid[]) ORDER BY c.created_at, c.id`,
      [ids],
    );
    return rows;
  }

  async performerExists(id: string): Promise<boolean> {
    const { rowCount } = await this.pg.pool.query('SELECT 1 FROM performers WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * Applies a moderator's decision in one transaction: the contributions, their faces and the contributors'
   * moderator counts change, the item is closed, and consensus is queued (outbox) for every performer involved.
   */
  async resolve(input: {
    itemId: string;
    action: ModerationAction;
    contributionIds: readonly string[] | null;
    targetPerformerId: string | null;
    resolution: string;
    actorId: string;
  }): Promise<ResolveOutcome> {
    try {
      return await inTransaction(this.pg.pool, (client) => this.resolveIn(client, input));
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new ModerationStateError('duplicate');
      throw err;
    }
  }

  private async resolveIn(
    client: pg.PoolClient,
    input: Parameters<ModerationRepository['resolve']>[0],
  ): Promise<ResolveOutcome> {
    const { rows: items } = await client.query<ModerationItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM moderation_items WHERE id = $1 FOR UPDATE`,
      [input.itemId],
    );
    const item = items[0];
    if (!item) throw new ModerationStateError('not_found');
    if (item.status !== 'open') throw new ModerationStateError('not_open');
    const ids = input.contributionIds ?? item.contributionIds;

    let changed: { id: string; performer_id: string; model_id: string; contributor_id: string }[] = [];
    let facesAffected = 0;
    let contributorsUpdated = 0;
    const previousPerformers: string[] = [];
    if (input.action === 'approve' || input.action === 'reject') {
      const rejected = input.action === 'reject';
      ({ rows: changed } = await client.query(
        `UPDATE contributions SET moderation = $2,
           status = CASE WHEN $2 = 'rejected' THEN 'rejected'::"ContributionStatus" ELSE status END,
           status_reason = CASE WHEN $2 = 'rejected' THEN 'rejected by a moderator' ELSE status_reason END,
           updated_at = now()
         WHERE id = ANY($1::uuid[]) AND status <> 'withdrawn'
         RETURNING id, performer_id, model_id, contributor_id`,
        [ids, rejected ? 'rejected' : 'approved'],
      ));
      if (rejected && changed.length) {
        const faces = await client.query(
          `UPDATE faces SET status = 'rejected', decision_code = 'moderator_rejected',
             status_reason = 'rejected by a moderator' WHERE contribution_id = ANY($1::uuid[])`,
          [changed.map((c) => c.id)],
        );
        facesAffected = faces.rowCount ?? 0;
      }
      const contributors = [...new Set(changed.map((c) => c.contributor_id))];
      if (contributors.length) {
        const counted = await client.query(
          `UPDATE users SET ${rejected ? 'moderator_rejected = moderator_rejected + 1' : 'moderator_approved = moderator_approved + 1'},
             updated_at = now() WHERE id = ANY($1::uuid[])`,
          [contributors],
        );
        contributorsUpdated = counted.rowCount ?? 0;
      }
    } else if (input.action === 'reassign') {
      const target = input.targetPerformerId!;
      const { rowCount } = await client.query('SELECT 1 FROM performers WHERE id = $1', [target]);
      if (!rowCount) throw new ModerationStateError('no_target');
      const before = await client.query<{ performer_id: string }>(
        'SELECT DISTINCT performer_id FROM contributions WHERE id = ANY($1::uuid[])',
        [ids],
      );
      previousPerformers.push(...before.rows.map((r) => r.performer_id));
      ({ rows: changed } = await client.query(
        `UPDATE contributions SET performer_id = $2, moderation = 'approved',
           status = (CASE WHEN fingerprint_matched THEN 'verified' ELSE 'unverified' END)::"ContributionStatus",
           status_reason = 'reassigned by a moderator', updated_at = now()
         WHERE id = ANY($1::uuid[]) AND status <> 'withdrawn' AND performer_id <> $2
         RETURNING id, performer_id, model_id, contributor_id`,
        [ids, target],
      ));
      if (changed.length) {
        const faces = await client.query(
          `UPDATE faces SET performer_id = $2, status = 'pending', decision_code = NULL,
             status_reason = 'reassigned by a moderator', consensus_distance = NULL
           WHERE contribution_id = ANY($1::uuid[])`,
          [changed.map((c) => c.id), target],
        );
        facesAffected = faces.rowCount ?? 0;
      }
    }

    const { rows: closed } = await client.query<ModerationItemRow>(
      `UPDATE moderation_items SET status = $2, resolved_by = $3, resolved_at = now(), resolution = $4, updated_at = now()
       WHERE id = $1 RETURNING ${ITEM_COLUMNS}`,
      [input.itemId, input.action === 'dismiss' ? 'dismissed' : 'resolved', input.actorId, input.resolution],
    );

    // Every performer whose inputs changed decides again (idempotent jobs: an extra one costs one decision).
    const performers = new Map<string, string>();
    if (input.action !== 'dismiss') {
      for (const p of item.performerIds) performers.set(`${p}:${item.modelId}`, p);
      for (const p of previousPerformers) performers.set(`${p}:${item.modelId}`, p);
      for (const c of changed) performers.set(`${c.performer_id}:${c.model_id}`, c.performer_id);
    }
    const outboxIds: bigint[] = [];
    for (const [key, performerId] of performers) {
      const modelId = key.slice(performerId.length + 1);
      outboxIds.push(await this.queueConsensus(client, performerId, modelId));
    }
    return {
      item: closed[0]!,
      contributionsAffected: changed.length,
      facesAffected,
      contributorsUpdated,
      performersRequeued: [...new Set(performers.values())].sort(),
      outboxIds,
    };
  }

  private async queueConsensus(client: pg.PoolClient, performerId: string, modelId: string): Promise<bigint> {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO outbox_events (kind, payload) VALUES ('consensus.performer', $1::jsonb) RETURNING id`,
      [JSON.stringify({ performerId, modelId })],
    );
    return BigInt(rows[0]!.id);
  }

  /** Nearest first; keyset on (distance, id). */
  async links(q: {
    status: IdentityLinkStatus;
    performer?: string;
    after?: { distance: number; id: string };
    limit: number;
  }): Promise<IdentityLinkRow[]> {
    const { rows } = await this.pg.pool.query<IdentityLinkRow>(
      `SELECT ${LINK_COLUMNS} FROM identity_link_suggestions
       WHERE status = $1 AND ($2::uuid IS NULL OR performer_a = $2::uuid OR performer_b = $2::uuid)
         AND ($3::float8 IS NULL OR (distance, id) > ($3::float8, $4::uuid))
       ORDER BY distance, id LIMIT $5`,
      [q.status, q.performer ?? null, q.after?.distance ?? null, q.after?.id ?? null, q.limit + 1],
    );
    return rows;
  }

  /** Every suggestion naming the performer, open ones first (a performer has a handful at most). */
  async linksOf(performerId: string): Promise<IdentityLinkRow[]> {
    const { rows } = await this.pg.pool.query<IdentityLinkRow>(
      `SELECT ${LINK_COLUMNS} FROM identity_link_suggestions WHERE performer_a = $1 OR performer_b = $1
       ORDER BY status <> 'open', distance, id`,
      [performerId],
    );
    return rows;
  }

  async link(id: string): Promise<IdentityLinkRow | null> {
    const { rows } = await this.pg.pool.query<IdentityLinkRow>(
      `SELECT ${LINK_COLUMNS} FROM identity_link_suggestions WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Decides an open suggestion and queues both performers; null when it is not open (any more). */
  async decideLink(
    id: string,
    status: 'accepted' | 'declined',
  ): Promise<{ link: IdentityLinkRow; outboxIds: bigint[] } | null> {
    return inTransaction(this.pg.pool, async (client) => {
      const { rows } = await client.query<IdentityLinkRow>(
        `UPDATE identity_link_suggestions SET status = $2, updated_at = now() WHERE id = $1 AND status = 'open'
         RETURNING ${LINK_COLUMNS}`,
        [id, status],
      );
      const link = rows[0];
      if (!link) return null;
      const outboxIds = [
        await this.queueConsensus(client, link.performerA, link.modelId),
        await this.queueConsensus(client, link.performerB, link.modelId),
      ];
      return { link, outboxIds };
    });
  }
}
