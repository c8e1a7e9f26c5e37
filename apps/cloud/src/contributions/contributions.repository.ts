import { Injectable } from '@nestjs/common';
import { Prisma, type ContributionStatus, type EmbeddingModel } from '@prisma/client';
import type { SceneFingerprint } from '@stash-sense/contracts';
import type pg from 'pg';
import {
  halfvecToBinary,
  inTransaction,
  UNIQUE_VIOLATION,
  valuesPlaceholders,
  vectorToBinary,
} from '../database/pg-sql.js';
import { PgPoolService } from '../database/pg-pool.service.js';
import { PrismaService } from '../database/prisma.service.js';
import type { DecodedPerformer } from './contribution-validation.js';

export interface StoredIdempotency {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

export interface ContributionToSave {
  contributorId: string;
  endpoint: { id: string; key: string };
  modelId: string;
  dimension: number;
  clientName: string;
  clientVersion: string;
  scene: {
    stashId: string;
    title: string | null;
    durationSec: number | null;
    performerCount: number | null;
    fingerprints: SceneFingerprint[];
  };
  performers: (DecodedPerformer & {
    name: string;
    disambiguation: string | null;
    status: ContributionStatus;
    statusReason: string | null;
    fingerprintMatched: boolean | null;
    nextVerificationAt: Date | null;
  })[];
}

export interface SavedContribution {
  id: string;
  performerStashId: string;
  performerId: string;
  status: ContributionStatus;
  statusReason: string | null;
  faces: number;
  replacedEarlier: boolean;
}

export interface ContributionRow {
  id: string;
  status: ContributionStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  sceneStashId: string;
  endpointUrl: string;
  performerStashId: string;
  modelName: string;
  modelVersion: string;
  faces: number;
}

export interface PendingVerification {
  id: string;
  contributorId: string;
  performerId: string;
  modelId: string;
  endpointId: string;
  sceneStashId: string;
  performerStashId: string;
  verificationAttempts: number;
  fingerprints: { algorithm: string; hash: string }[];
}

const FACE_COLUMN_CASTS = ['::halfvec', '::float8', '::int', '::float8', '::float8', '::text'];
/**
 * Parameters of `saveContributionSql`: $1–$10 the contribution, $11–$12 the tracks, $13 the dimension, then
 * `FACE_COLUMN_CASTS.length` per face.
 */
const CONTRIBUTION_PARAMETERS = 13;
const contributionSqlByFaceCount = new Map<number, string>();

/**
 * One performer's contribution as ONE statement (one round trip): the (contributor, scene, performer, model) row
 * created or replaced, the faces and tracks of the one it replaces deleted, and the new tracks and faces inserted.
 * Data-modifying CTEs all see the snapshot from before the statement, so the deletes cannot touch the new rows;
 * a track key the replaced contribution also had is updated in place rather than deleted and inserted, because
 * the (contribution, track key) unique index would see both rows within the one statement.
 * One text (one prepared statement per connection) per face count, which the per-performer cap bounds.
 */
function saveContributionSql(faceCount: number): string {
  let sql = contributionSqlByFaceCount.get(faceCount);
  if (sql === undefined) {
    sql = `WITH contribution AS (
        INSERT INTO contributions (id, contributor_id, scene_id, performer_id, model_id, status, status_reason,
          client_name, client_version, fingerprint_matched, verification_attempts, next_verification_at, updated_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::"ContributionStatus", $6, $7, $8, $9, 0, $10, now())
        ON CONFLICT (contributor_id, scene_id, performer_id, model_id) DO UPDATE SET
          status = EXCLUDED.status, status_reason = EXCLUDED.status_reason, client_name = EXCLUDED.client_name,
          client_version = EXCLUDED.client_version, fingerprint_matched = EXCLUDED.fingerprint_matched,
          verification_attempts = 0, next_verification_at = EXCLUDED.next_verification_at, updated_at = now()
        RETURNING id, (xmax <> 0) AS replaced
      ), replaced_faces AS (
        DELETE FROM faces WHERE contribution_id = (SELECT id FROM contribution WHERE replaced)
      ), replaced_tracks AS (
        DELETE FROM face_tracks
        WHERE contribution_id = (SELECT id FROM contribution WHERE replaced) AND track_key <> ALL($11::text[])
      ), tracks AS (
        INSERT INTO face_tracks (id, contribution_id, track_key, points)
        SELECT gen_random_uuid(), contribution.id, k, p
        FROM contribution, unnest($11::text[], $12::jsonb[]) AS t(k, p)
        ON CONFLICT (contribution_id, track_key) DO UPDATE SET points = EXCLUDED.points
      )${
        faceCount === 0
          ? ''
          : `, new_faces AS (
        INSERT INTO faces (contribution_id, performer_id, model_id, dimension, embedding, detector_score, size_px,
          quality, timestamp_sec, track_key)
        SELECT contribution.id, $3, $4, $13::int, f.*
        FROM contribution, (VALUES ${valuesPlaceholders(faceCount, FACE_COLUMN_CASTS, CONTRIBUTION_PARAMETERS)})
          AS f(embedding, detector_score, size_px, quality, timestamp_sec, track_key)
      )`
      }
      SELECT id, replaced FROM contribution`;
    contributionSqlByFaceCount.set(faceCount, sql);
  }
  return sql;
}

/** Only this repository writes contributions, faces, tracks and the outbox rows that go with them. */
@Injectable()
export class ContributionsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPoolService,
  ) {}

  // findModel and findIdempotency run on every submission: node-pg, as the rest of the hot path (Prisma 6's
  // query compiler costs ≈ 1 ms of CPU per query here, docs/benchmarks.md).
  async findModel(name: string, version: string): Promise<EmbeddingModel | null> {
    const { rows } = await this.pg.pool.query<EmbeddingModel>(
      this.pg.prepared(
        `SELECT id, name, version, dimension, metric, active, created_at AS "createdAt"
       FROM embedding_models WHERE name = $1 AND version = $2`,
        [name, version],
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * What a submission looks up first, in one round trip: the embedding model it names and the response stored
   * for its idempotency key, if any.
   */
  async findModelAndIdempotency(
    model: { name: string; version: string },
    userId: string,
    key: string,
  ): Promise<{ model: EmbeddingModel | null; idempotency: StoredIdempotency | null }> {
    const { rows } = await this.pg.pool.query<{
      id: string | null;
      name: string;
      version: string;
      dimension: number;
      metric: EmbeddingModel['metric'];
      active: boolean;
      createdAt: Date;
      requestHash: string | null;
      statusCode: number;
      response: unknown;
    }>(
      this.pg.prepared(
        `SELECT m.id, m.name, m.version, m.dimension, m.metric, m.active, m.created_at AS "createdAt",
                i.request_hash AS "requestHash", i.status_code AS "statusCode", i.response
         FROM (SELECT 1) AS one
         LEFT JOIN embedding_models m ON m.name = $1 AND m.version = $2
         LEFT JOIN idempotency_keys i ON i.user_id = $3::uuid AND i.key = $4`,
        [model.name, model.version, userId, key],
      ),
    );
    const row = rows[0]!;
    return {
      model:
        row.id === null
          ? null
          : {
              id: row.id,
              name: row.name,
              version: row.version,
              dimension: row.dimension,
              metric: row.metric,
              active: row.active,
              createdAt: row.createdAt,
            },
      idempotency:
        row.requestHash === null
          ? null
          : { requestHash: row.requestHash, statusCode: row.statusCode, response: row.response },
    };
  }

  async findIdempotency(userId: string, key: string): Promise<StoredIdempotency | null> {
    const { rows } = await this.pg.pool.query<StoredIdempotency>(
      this.pg.prepared(
        `SELECT request_hash AS "requestHash", status_code AS "statusCode", response
       FROM idempotency_keys WHERE user_id = $1::uuid AND key = $2`,
        [userId, key],
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * Stores everything of one submission in ONE transaction: scene and fingerprints, performers,
   * each (contributor, scene, performer, model) contribution — replacing an earlier one's faces and
   * tracks atomically — the faces, the tracks, the outbox events for the queues, and the idempotency
   * record with the response. Returns null when the idempotency key was stored concurrently.
   * node-pg directly (not Prisma): this is the ingest hot path, and faces go as binary halfvecs.
   */
  async save(
    input: ContributionToSave,
    idempotency: {
      key: string;
      requestHash: string;
      statusCode: number;
      buildResponse: (saved: SavedContribution[]) => unknown;
    },
  ): Promise<{ saved: SavedContribution[]; response: unknown; outboxIds: bigint[] } | null> {
    try {
      return await inTransaction(this.pg.pool, async (client) => {
        const sceneId = await this.upsertScene(client, input);
        const saved: SavedContribution[] = [];
        const events: { kind: string; payload: Record<string, unknown> }[] = [];
        for (const performer of input.performers) {
          const performerId = await this.resolvePerformer(
            client,
            input.endpoint,
            performer.stashId,
            performer.name,
            performer.disambiguation,
          );
          const { id: contributionId, replaced } = await this.saveContribution(
            client,
            input,
            sceneId,
            performerId,
            performer,
          );
          if (performer.status !== 'rejected') {
            const pending = performer.status === 'pending_verification';
            events.push({
              kind: pending ? 'contributions.verify' : 'consensus.performer',
              payload: pending ? { contributionId } : { performerId, modelId: input.modelId },
            });
          }
          saved.push({
            id: contributionId,
            performerStashId: performer.stashId,
            performerId,
            status: performer.status,
            statusReason: performer.statusReason,
            faces: performer.faces.length,
            replacedEarlier: replaced,
          });
        }
        const response = idempotency.buildResponse(saved);
        // The outbox events and the idempotency record in one statement (one round trip).
        const { rows: outboxRows } = await client.query<{ id: string }>(
          this.pg.prepared(
            `WITH idempotency AS (
               INSERT INTO idempotency_keys (id, user_id, key, request_hash, status_code, response)
               VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)
             )
             INSERT INTO outbox_events (kind, payload)
             SELECT k, p FROM unnest($6::text[], $7::jsonb[]) AS t(k, p) RETURNING id`,
            [
              input.contributorId,
              idempotency.key,
              idempotency.requestHash,
              idempotency.statusCode,
              JSON.stringify(response),
              events.map((e) => e.kind),
              events.map((e) => JSON.stringify(e.payload)),
            ],
          ),
        );
        const outboxIds = outboxRows.map((r) => BigInt(r.id));
        return { saved, response, outboxIds };
      });
    } catch (err) {
      // The only unique constraint this transaction can break is the idempotency key's (every other
      // insert resolves conflicts itself): a concurrent request with the same key won.
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw err;
    }
  }

  /** The scene row, created or refreshed, and its fingerprints: one statement (one round trip). */
  private async upsertScene(client: pg.PoolClient, input: ContributionToSave): Promise<string> {
    const { scene } = input;
    const { rows } = await client.query<{ id: string }>(
      this.pg.prepared(
        `WITH upserted AS (
           INSERT INTO scenes (id, endpoint_id, stash_id, title, duration_sec, performer_count)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)
           ON CONFLICT (endpoint_id, stash_id) DO UPDATE SET
             title = COALESCE(EXCLUDED.title, scenes.title),
             duration_sec = COALESCE(EXCLUDED.duration_sec, scenes.duration_sec),
             performer_count = COALESCE(EXCLUDED.performer_count, scenes.performer_count)
           RETURNING id
         ), fingerprints AS (
           INSERT INTO scene_fingerprints (id, scene_id, algorithm, hash, duration_sec)
           SELECT gen_random_uuid(), upserted.id, a::"FingerprintAlgorithm", h, d
           FROM upserted, unnest($6::text[], $7::text[], $8::float8[]) AS t(a, h, d)
           ON CONFLICT (scene_id, algorithm, hash) DO NOTHING
         )
         SELECT id FROM upserted`,
        [
          input.endpoint.id,
          scene.stashId,
          scene.title,
          scene.durationSec,
          scene.performerCount,
          scene.fingerprints.map((f) => f.algorithm),
          scene.fingerprints.map((f) => f.hash),
          scene.fingerprints.map((f) => f.durationSec),
        ],
      ),
    );
    return rows[0]!.id;
  }

  /**
   * The performer identity for a stash-box id, created on first sight (race-safe). Known ids and new ones take one
   * statement (one round trip); only a race with another transaction creating the same performer takes more.
   */
  private async resolvePerformer(
    client: pg.PoolClient,
    endpoint: { id: string; key: string },
    stashId: string,
    name: string,
    disambiguation: string | null,
  ): Promise<string> {
    const stashdbId = endpoint.key === 'stashdb' ? stashId : null;
    const { rows } = await client.query<{
      existing: string | null;
      created: string | null;
      linked: string | null;
    }>(
      this.pg.prepared(
        `WITH existing AS (
           SELECT performer_id FROM performer_stash_ids WHERE endpoint_id = $1::uuid AND stash_id = $2::text
         ), created AS (
           INSERT INTO performers (id, name, disambiguation, stashdb_id, primary_source, updated_at)
           SELECT gen_random_uuid(), $3::text, $4::text, $5::text, $6::text, now()
           WHERE NOT EXISTS (SELECT 1 FROM existing)
           ON CONFLICT (stashdb_id) DO NOTHING RETURNING id
         ), linked AS (
           INSERT INTO performer_stash_ids (id, performer_id, endpoint_id, stash_id)
           SELECT gen_random_uuid(), id, $1::uuid, $2::text FROM created
           ON CONFLICT (endpoint_id, stash_id) DO NOTHING RETURNING performer_id
         )
         SELECT (SELECT performer_id FROM existing) AS existing, (SELECT id FROM created) AS created,
                (SELECT performer_id FROM linked) AS linked`,
        [endpoint.id, stashId, name, disambiguation, stashdbId, endpoint.key],
      ),
    );
    const { existing, created, linked } = rows[0]!;
    if (existing) return existing;
    if (linked) return linked;
    const find = async () =>
      (
        await client.query<{ performer_id: string }>(
          'SELECT performer_id FROM performer_stash_ids WHERE endpoint_id = $1 AND stash_id = $2',
          [endpoint.id, stashId],
        )
      ).rows[0]?.performer_id;
    if (created) {
      // Another transaction linked this stash id first: use its performer and drop the one made here.
      await client.query('DELETE FROM performers WHERE id = $1', [created]);
      return (await find())!;
    }
    // The StashDB id's performer exists (another transaction created it): link to it unless that was done too.
    const performerId = (
      await client.query<{ id: string }>('SELECT id FROM performers WHERE stashdb_id = $1', [stashdbId])
    ).rows[0]!.id;
    const link = await client.query(
      `INSERT INTO performer_stash_ids (id, performer_id, endpoint_id, stash_id)
       VALUES (gen_random_uuid(), $1, $2, $3) ON CONFLICT (endpoint_id, stash_id) DO NOTHING`,
      [performerId, endpoint.id, stashId],
    );
    return link.rowCount ? performerId : (await find())!;
  }

  /** The performer's contribution row, tracks and faces: one statement (one round trip). */
  private async saveContribution(
    client: pg.PoolClient,
    input: ContributionToSave,
    sceneId: string,
    performerId: string,
    performer: ContributionToSave['performers'][number],
  ): Promise<{ id: string; replaced: boolean }> {
    const params: unknown[] = [
      input.contributorId,
      sceneId,
      performerId,
      input.modelId,
      performer.status,
      performer.statusReason,
      input.clientName,
      input.clientVersion,
      performer.fingerprintMatched,
      performer.nextVerificationAt,
      performer.tracks.map((t) => t.trackId),
      performer.tracks.map((t) => JSON.stringify(t.points)),
    ];
    // $13 appears only in the faces insert (a parameter the text does not use would have no type).
    if (performer.faces.length) params.push(input.dimension);
    for (const f of performer.faces) {
      params.push(
        halfvecToBinary(f.embedding),
        f.detectorScore,
        f.sizePx,
        f.quality,
        f.timestampSec,
        f.trackId,
      );
    }
    const { rows } = await client.query<{ id: string; replaced: boolean }>(
      this.pg.prepared(saveContributionSql(performer.faces.length), params),
    );
    return rows[0]!;
  }

  private async insertOutbox(
    client: pg.PoolClient,
    kind: string,
    payload: Record<string, unknown>,
  ): Promise<bigint> {
    const { rows } = await client.query<{ id: string }>(
      this.pg.prepared('INSERT INTO outbox_events (kind, payload) VALUES ($1, $2::jsonb) RETURNING id', [
        kind,
        JSON.stringify(payload),
      ]),
    );
    return BigInt(rows[0]!.id);
  }

  async listForContributor(
    contributorId: string,
    query: { limit: number; cursor?: string; status?: ContributionStatus },
  ): Promise<ContributionRow[]> {
    return this.prisma.$queryRaw<ContributionRow[]>`
      SELECT c.id, c.status, c.status_reason AS "statusReason", c.created_at AS "createdAt", c.updated_at AS "updatedAt",
             s.stash_id AS "sceneStashId", e.graphql_url AS "endpointUrl", psi.stash_id AS "performerStashId",
             m.name AS "modelName", m.version AS "modelVersion",
             (SELECT count(*)::int FROM faces f WHERE f.contribution_id = c.id) AS faces
      FROM contributions c
      JOIN scenes s ON s.id = c.scene_id
      JOIN stash_box_endpoints e ON e.id = s.endpoint_id
      JOIN embedding_models m ON m.id = c.model_id
      LEFT JOIN LATERAL (
        SELECT stash_id FROM performer_stash_ids p WHERE p.performer_id = c.performer_id AND p.endpoint_id = s.endpoint_id LIMIT 1
      ) psi ON true
      WHERE c.contributor_id = ${contributorId}::uuid
        ${query.status ? Prisma.sql`AND c.status = ${query.status}::"ContributionStatus"` : Prisma.empty}
        ${query.cursor ? Prisma.sql`AND c.id > ${query.cursor}::uuid` : Prisma.empty}
      ORDER BY c.id
      LIMIT ${query.limit + 1}`;
  }

  /**
   * Withdraws contributions: deletes their faces and tracks (they leave consensus at once and every
   * index built afterwards) and marks them withdrawn; queues consensus for the affected performers.
   */
  async withdraw(
    contributorId: string,
    contributionId?: string,
    reason = 'withdrawn by the contributor',
  ): Promise<{ contributions: number; faces: number; outboxIds: bigint[] }> {
    return inTransaction(this.pg.pool, async (client) => {
      const { rows } = await client.query<{ id: string; performer_id: string; model_id: string }>(
        `UPDATE contributions SET status = 'withdrawn', status_reason = $3, updated_at = now()
         WHERE contributor_id = $1 AND status <> 'withdrawn' AND ($2::uuid IS NULL OR id = $2::uuid)
         RETURNING id, performer_id, model_id`,
        [contributorId, contributionId ?? null, reason],
      );
      if (!rows.length) return { contributions: 0, faces: 0, outboxIds: [] };
      const ids = rows.map((r) => r.id);
      const faces = await client.query('DELETE FROM faces WHERE contribution_id = ANY($1::uuid[])', [ids]);
      await client.query('DELETE FROM face_tracks WHERE contribution_id = ANY($1::uuid[])', [ids]);
      const performers = new Map(rows.map((r) => [`${r.performer_id}:${r.model_id}`, r]));
      const outboxIds: bigint[] = [];
      for (const r of performers.values()) {
        outboxIds.push(
          await this.insertOutbox(client, 'consensus.performer', {
            performerId: r.performer_id,
            modelId: r.model_id,
          }),
        );
      }
      return { contributions: rows.length, faces: faces.rowCount ?? 0, outboxIds };
    });
  }

  async contributionOwner(contributionId: string): Promise<string | null> {
    const row = await this.prisma.contribution.findUnique({
      where: { id: contributionId },
      select: { contributorId: true },
    });
    return row?.contributorId ?? null;
  }

  async findPendingVerification(contributionId: string): Promise<PendingVerification | null> {
    const [row] = await this.prisma.$queryRaw<PendingVerification[]>`
      SELECT c.id, c.contributor_id AS "contributorId", c.performer_id AS "performerId", c.model_id AS "modelId",
             s.endpoint_id AS "endpointId", s.stash_id AS "sceneStashId", c.verification_attempts AS "verificationAttempts",
             (SELECT stash_id FROM performer_stash_ids p WHERE p.performer_id = c.performer_id AND p.endpoint_id = s.endpoint_id LIMIT 1) AS "performerStashId",
             COALESCE((SELECT json_agg(json_build_object('algorithm', f.algorithm, 'hash', f.hash)) FROM scene_fingerprints f WHERE f.scene_id = s.id), '[]') AS fingerprints
      FROM contributions c JOIN scenes s ON s.id = c.scene_id
      WHERE c.id = ${contributionId}::uuid AND c.status = 'pending_verification'`;
    return row ?? null;
  }

  /** Records the verification outcome; a verified/unverified contribution is queued for consensus. */
  async completeVerification(
    row: PendingVerification,
    outcome: {
      status: ContributionStatus;
      statusReason: string | null;
      fingerprintMatched: boolean | null;
      scene: { title: string | null; durationSec: number | null; performerCount: number };
    },
  ): Promise<bigint | null> {
    return inTransaction(this.pg.pool, async (client) => {
      const updated = await client.query(
        `UPDATE contributions SET status = $2::"ContributionStatus", status_reason = $3, fingerprint_matched = $4,
           next_verification_at = NULL, updated_at = now()
         WHERE id = $1 AND status = 'pending_verification'`,
        [row.id, outcome.status, outcome.statusReason, outcome.fingerprintMatched],
      );
      if (!updated.rowCount) return null;
      await client.query(
        `UPDATE scenes SET title = COALESCE($3, title), duration_sec = COALESCE($4, duration_sec), performer_count = $5
         WHERE endpoint_id = $1 AND stash_id = $2`,
        [
          row.endpointId,
          row.sceneStashId,
          outcome.scene.title,
          outcome.scene.durationSec,
          outcome.scene.performerCount,
        ],
      );
      if (outcome.status === 'rejected') return null;
      return this.insertOutbox(client, 'consensus.performer', {
        performerId: row.performerId,
        modelId: row.modelId,
      });
    });
  }

  async postponeVerification(contributionId: string, next: Date, reason: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE contributions SET verification_attempts = verification_attempts + 1, next_verification_at = ${next},
        status_reason = ${reason}, updated_at = now()
      WHERE id = ${contributionId}::uuid AND status = 'pending_verification'`;
  }

  /** Contributions whose verification is due (the stash-box was down before). */
  async dueVerifications(now: Date, limit: number): Promise<{ id: string; attempts: number }[]> {
    return this.prisma.$queryRaw<{ id: string; attempts: number }[]>`
      SELECT id, verification_attempts AS attempts FROM contributions
      WHERE status = 'pending_verification' AND (next_verification_at IS NULL OR next_verification_at <= ${now})
      ORDER BY next_verification_at NULLS FIRST LIMIT ${limit}`;
  }

  async saveFeedback(input: {
    contributorId: string;
    performerId: string;
    modelId: string;
    sceneId: string | null;
    dimension: number;
    embedding: Float32Array;
    distance: number;
  }): Promise<{ id: string; createdAt: Date; outboxId: bigint }> {
    return inTransaction(this.pg.pool, async (client) => {
      const { rows } = await client.query<{ id: string; created_at: Date }>(
        `INSERT INTO negative_feedback (id, contributor_id, performer_id, model_id, scene_id, dimension, embedding, distance)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::vector, $7) RETURNING id, created_at`,
        [
          input.contributorId,
          input.performerId,
          input.modelId,
          input.sceneId,
          input.dimension,
          vectorToBinary(input.embedding),
          input.distance,
        ],
      );
      const outboxId = await this.insertOutbox(client, 'consensus.performer', {
        performerId: input.performerId,
        modelId: input.modelId,
      });
      return { id: rows[0]!.id, createdAt: rows[0]!.created_at, outboxId };
    });
  }

  async findPerformerByStashId(endpointId: string, stashId: string): Promise<string | null> {
    const row = await this.prisma.performerStashId.findUnique({
      where: { endpointId_stashId: { endpointId, stashId } },
    });
    return row?.performerId ?? null;
  }

  async findSceneId(endpointId: string, stashId: string): Promise<string | null> {
    const row = await this.prisma.scene.findUnique({
      where: { endpointId_stashId: { endpointId, stashId } },
    });
    return row?.id ?? null;
  }
}
