import { Injectable } from '@nestjs/common';
import type { IndexChanges, IndexFaceBuckets, IndexManifest } from '@stash-sense/contracts';
import type pg from 'pg';
import { PgPoolService } from '../database/pg-pool.service.js';
import { halfvecFromSend, inTransaction } from '../database/pg-sql.js';
import type { BuildPerformerMeta, PerformerFaces } from './index-builder.js';

export interface ModelRow {
  id: string;
  name: string;
  version: string;
  dimension: number;
  active: boolean;
}

export interface BuildRow {
  id: string;
  modelId: string;
  status: 'queued' | 'running' | 'published' | 'unchanged' | 'failed';
  full: boolean;
  version: string | null;
  parentVersion: string | null;
  performers: number;
  faces: number;
  buckets: IndexFaceBuckets | Record<string, never>;
  changes: IndexChanges | Record<string, never>;
  durationMs: number | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface DeltaInfo {
  name: string;
  sha256: string;
  size: number;
  fromVersion: string;
}

export interface VersionRow {
  version: string;
  modelId: string;
  status: 'published' | 'withdrawn';
  parentVersion: string | null;
  manifest: IndexManifest;
  jws: string;
  delta: DeltaInfo | null;
  performers: number;
  faces: number;
  sizeBytes: number;
  createdAt: Date;
  withdrawnAt: Date | null;
  withdrawnReason: string | null;
}

export interface UserRefJson {
  id: string;
  email: string;
  displayName: string | null;
}

export interface AdminVersionRow extends VersionRow {
  withdrawnBy: UserRefJson | null;
  build: {
    id: string;
    full: boolean;
    buckets: IndexFaceBuckets | Record<string, never>;
    changes: IndexChanges | Record<string, never>;
    durationMs: number | null;
    requestedBy: UserRefJson | null;
  } | null;
}

export interface PublishVersion {
  buildId: string;
  version: string;
  modelId: string;
  parentVersion: string | null;
  manifest: IndexManifest;
  jws: string;
  signingKid: string;
  delta: DeltaInfo | null;
  performers: number;
  faces: number;
  sizeBytes: number;
  /** Face ids at or above this belong to a withdrawn branch and are forgotten before the new ones go in. */
  parentFaceIdCount: number;
  newFaceIds: number[];
  newIndexFaceIds: number[];
  newPerformerIds: { performerId: string; indexPerformerId: number }[];
}

const BUILD_COLUMNS = `id, model_id AS "modelId", status, "full", version, parent_version AS "parentVersion",
  performers, faces, buckets, changes, duration_ms AS "durationMs", error, created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt"`;
const VERSION_COLUMNS = `version, model_id AS "modelId", status, parent_version AS "parentVersion", manifest, jws,
  delta, performers, faces, size_bytes::float8 AS "sizeBytes", created_at AS "createdAt",
  withdrawn_at AS "withdrawnAt", withdrawn_reason AS "withdrawnReason"`;
/** Rows per FETCH of the trusted-face cursor: ≈ 2 MB of 512-d halfvecs in flight. */
const FACE_FETCH_ROWS = 2_000;
/** Rows per insert of id mappings (two int arrays through unnest). */
const MAPPING_CHUNK = 50_000;

/** Index versions, builds and the id mappings; the only code of the module that speaks SQL. */
@Injectable()
export class IndexesRepository {
  constructor(private readonly pg: PgPoolService) {}

  private get pool(): pg.Pool {
    return this.pg.pool;
  }

  async models(): Promise<ModelRow[]> {
    const { rows } = await this.pool.query<ModelRow>(
      `SELECT id, name, version, dimension, active FROM embedding_models ORDER BY name, created_at DESC`,
    );
    return rows;
  }

  async model(id: string): Promise<ModelRow | null> {
    const { rows } = await this.pool.query<ModelRow>(
      `SELECT id, name, version, dimension, active FROM embedding_models WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async createBuild(modelId: string, full: boolean, requestedBy: string | null): Promise<BuildRow> {
    const { rows } = await this.pool.query<BuildRow>(
      `INSERT INTO index_builds (id, model_id, "full", requested_by) VALUES (gen_random_uuid(), $1, $2, $3)
       RETURNING ${BUILD_COLUMNS}`,
      [modelId, full, requestedBy],
    );
    return rows[0]!;
  }

  async build(id: string): Promise<BuildRow | null> {
    const { rows } = await this.pool.query<BuildRow>(
      `SELECT ${BUILD_COLUMNS} FROM index_builds WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async builds(limit: number): Promise<BuildRow[]> {
    const { rows } = await this.pool.query<BuildRow>(
      `SELECT ${BUILD_COLUMNS} FROM index_builds ORDER BY created_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /**
   * Claims a queued build: one build per model at a time. An advisory transaction lock per model serialises
   * the claims; a running build whose heartbeat is older than `staleMs` (its worker died) is failed first.
   * Returns 'claimed', 'busy' (another build of the model runs) or 'gone' (not queued any more).
   */
  async claimBuild(id: string, modelId: string, staleMs: number): Promise<'claimed' | 'busy' | 'gone'> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('index-build:' || $1::text, 0))`, [
        modelId,
      ]);
      await client.query(
        `UPDATE index_builds SET status = 'failed', finished_at = now(),
           error = 'the worker running this build stopped (no heartbeat)', version = NULL
         WHERE model_id = $1 AND status = 'running' AND heartbeat_at < now() - make_interval(secs => $2::float8 / 1000)`,
        [modelId, staleMs],
      );
      const mine = await client.query<{ status: string }>(
        `SELECT status FROM index_builds WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (mine.rows[0]?.status !== 'queued') return 'gone';
      const busy = await client.query(
        `SELECT 1 FROM index_builds WHERE model_id = $1 AND status = 'running' LIMIT 1`,
        [modelId],
      );
      if (busy.rowCount) return 'busy';
      await client.query(
        `UPDATE index_builds SET status = 'running', started_at = now(), heartbeat_at = now() WHERE id = $1`,
        [id],
      );
      return 'claimed';
    });
  }

  async heartbeat(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE index_builds SET heartbeat_at = now() WHERE id = $1 AND status = 'running'`,
      [id],
    );
  }

  /** Reserves the next release id of the day, `YYYY.MM.DD-N` (unique across models), for a build. */
  async reserveVersion(buildId: string, day: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const { rows } = await this.pool.query<{ n: number | null }>(
        `SELECT max(split_part(v, '-', 2)::int) AS n FROM (
           SELECT version AS v FROM index_builds WHERE version LIKE $1
           UNION ALL SELECT version FROM index_versions WHERE version LIKE $1) t`,
        [`${day}-%`],
      );
      const version = `${day}-${(rows[0]?.n ?? 0) + 1}`;
      try {
        await this.pool.query(`UPDATE index_builds SET version = $2 WHERE id = $1`, [buildId, version]);
        return version;
      } catch (error) {
        if ((error as { code?: string }).code !== '23505' || attempt > 20) throw error;
      }
    }
  }

  async finishBuild(
    id: string,
    outcome: {
      status: 'unchanged' | 'failed';
      parentVersion?: string | null;
      performers?: number;
      faces?: number;
      buckets?: IndexFaceBuckets;
      changes?: IndexChanges;
      durationMs: number;
      error?: string | null;
    },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE index_builds SET status = $2, version = NULL, parent_version = $3, performers = $4, faces = $5,
         buckets = $6, changes = $7, duration_ms = $8, error = $9, finished_at = now()
       WHERE id = $1`,
      [
        id,
        outcome.status,
        outcome.parentVersion ?? null,
        outcome.performers ?? 0,
        outcome.faces ?? 0,
        JSON.stringify(outcome.buckets ?? {}),
        JSON.stringify(outcome.changes ?? {}),
        outcome.durationMs,
        outcome.error ?? null,
      ],
    );
  }

  /** The version, the id mappings and the build report, in one transaction. */
  async publish(
    version: PublishVersion,
    report: { buckets: IndexFaceBuckets; changes: IndexChanges; durationMs: number },
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO index_versions (version, model_id, status, parent_version, manifest, jws, signing_kid, delta,
           performers, faces, size_bytes)
         VALUES ($1, $2, 'published', $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          version.version,
          version.modelId,
          version.parentVersion,
          JSON.stringify(version.manifest),
          version.jws,
          version.signingKid,
          version.delta ? JSON.stringify(version.delta) : null,
          version.performers,
          version.faces,
          version.sizeBytes,
        ],
      );
      await client.query(`DELETE FROM index_face_ids WHERE model_id = $1 AND index_face_id >= $2`, [
        version.modelId,
        version.parentFaceIdCount,
      ]);
      for (let i = 0; i < version.newFaceIds.length; i += MAPPING_CHUNK) {
        await client.query(
          `INSERT INTO index_face_ids (model_id, index_face_id, face_id)
           SELECT $1, i, f FROM unnest($2::int[], $3::bigint[]) AS t(i, f)`,
          [
            version.modelId,
            version.newIndexFaceIds.slice(i, i + MAPPING_CHUNK),
            version.newFaceIds.slice(i, i + MAPPING_CHUNK),
          ],
        );
      }
      for (let i = 0; i < version.newPerformerIds.length; i += MAPPING_CHUNK) {
        const chunk = version.newPerformerIds.slice(i, i + MAPPING_CHUNK);
        await client.query(
          `INSERT INTO index_performer_ids (model_id, performer_id, index_performer_id)
           SELECT $1, p, i FROM unnest($2::uuid[], $3::int[]) AS t(p, i)`,
          [version.modelId, chunk.map((c) => c.performerId), chunk.map((c) => c.indexPerformerId)],
        );
      }
      await client.query(
        `UPDATE index_builds SET status = 'published', parent_version = $2, performers = $3, faces = $4,
           buckets = $5, changes = $6, duration_ms = $7, error = NULL, finished_at = now()
         WHERE id = $1`,
        [
          version.buildId,
          version.parentVersion,
          version.performers,
          version.faces,
          JSON.stringify(report.buckets),
          JSON.stringify(report.changes),
          report.durationMs,
        ],
      );
    });
  }

  async versions(modelIds: readonly string[] | null): Promise<VersionRow[]> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM index_versions
       WHERE ($1::uuid[] IS NULL OR model_id = ANY($1::uuid[])) ORDER BY created_at DESC, version DESC`,
      [modelIds],
    );
    return rows;
  }

  async version(version: string): Promise<VersionRow | null> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM index_versions WHERE version = $1`,
      [version],
    );
    return rows[0] ?? null;
  }

  async latestPublished(modelIds: readonly string[]): Promise<VersionRow | null> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM index_versions WHERE model_id = ANY($1::uuid[]) AND status = 'published'
       ORDER BY created_at DESC, version DESC LIMIT 1`,
      [modelIds],
    );
    return rows[0] ?? null;
  }

  /** A page of versions, newest first (keyset on created_at, version), with who withdrew each and its build. */
  async versionsPage(q: {
    modelIds: readonly string[] | null;
    after?: { createdAt: string; version: string };
    limit: number;
  }): Promise<AdminVersionRow[]> {
    const { rows } = await this.pool.query<AdminVersionRow>(
      `SELECT ${VERSION_COLUMNS},
              (SELECT json_build_object('id', u.id, 'email', u.email, 'displayName', u.display_name)
               FROM users u WHERE u.id = v.withdrawn_by) AS "withdrawnBy",
              (SELECT json_build_object('id', b.id, 'full', b."full", 'buckets', b.buckets, 'changes', b.changes,
                        'durationMs', b.duration_ms,
                        'requestedBy', (SELECT json_build_object('id', u.id, 'email', u.email, 'displayName', u.display_name)
                                        FROM users u WHERE u.id = b.requested_by))
               FROM index_builds b WHERE b.version = v.version AND b.status = 'published') AS build
       FROM index_versions v
       WHERE ($1::uuid[] IS NULL OR v.model_id = ANY($1::uuid[]))
         AND ($2::timestamptz IS NULL OR (v.created_at, v.version) < ($2::timestamptz, $3::text))
       ORDER BY v.created_at DESC, v.version DESC LIMIT $4`,
      [q.modelIds, q.after?.createdAt ?? null, q.after?.version ?? null, q.limit + 1],
    );
    return rows;
  }

  /** Whether the model has a version created after this one (published or withdrawn). */
  async hasNewerVersion(row: { modelId: string; createdAt: Date; version: string }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM index_versions WHERE model_id = $1 AND (created_at, version) > ($2::timestamptz, $3::text) LIMIT 1`,
      [row.modelId, row.createdAt, row.version],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Puts a withdrawn version back; null when it is not withdrawn. */
  async republish(version: string): Promise<VersionRow | null> {
    const { rows } = await this.pool.query<VersionRow>(
      `UPDATE index_versions SET status = 'published', withdrawn_at = NULL, withdrawn_reason = NULL, withdrawn_by = NULL
       WHERE version = $1 AND status = 'withdrawn' RETURNING ${VERSION_COLUMNS}`,
      [version],
    );
    return rows[0] ?? null;
  }

  async withdraw(version: string, by: string, reason: string): Promise<VersionRow | null> {
    const { rows } = await this.pool.query<VersionRow>(
      `UPDATE index_versions SET status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = $3, withdrawn_by = $2
       WHERE version = $1 AND status = 'published' RETURNING ${VERSION_COLUMNS}`,
      [version, by, reason],
    );
    return rows[0] ?? null;
  }

  async performerIds(modelId: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ p: string; i: number }>(
      `SELECT performer_id AS p, index_performer_id AS i FROM index_performer_ids WHERE model_id = $1`,
      [modelId],
    );
    return new Map(rows.map((r) => [r.p, r.i]));
  }

  /** Database face id → index face id for the index face ids below `faceIdCount` accepted by `present`. */
  async presentFaces(
    modelId: string,
    faceIdCount: number,
    present: (indexFaceId: number) => boolean,
  ): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (faceIdCount === 0) return out;
    const { rows } = await this.pool.query<[number, string]>({
      text: `SELECT index_face_id AS i, face_id AS f FROM index_face_ids WHERE model_id = $1 AND index_face_id < $2`,
      values: [modelId, faceIdCount],
      rowMode: 'array',
    });
    for (const row of rows) {
      if (present(row[0])) out.set(Number(row[1]), row[0]);
    }
    return out;
  }

  /** Metadata of every performer with trusted faces of the model, with all their stash-box ids. */
  async performerMeta(modelId: string): Promise<Map<string, BuildPerformerMeta>> {
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      disambiguation: string | null;
      primary_source: string;
      stash_ids: { endpoint: string; stashId: string }[] | null;
    }>(
      `SELECT p.id, p.name, p.disambiguation, p.primary_source,
         (SELECT json_agg(json_build_object('endpoint', e.graphql_url, 'stashId', s.stash_id) ORDER BY e.graphql_url, s.stash_id)
            FROM performer_stash_ids s JOIN stash_box_endpoints e ON e.id = s.endpoint_id
           WHERE s.performer_id = p.id) AS stash_ids
       FROM performers p
       WHERE EXISTS (SELECT 1 FROM faces f WHERE f.performer_id = p.id AND f.model_id = $1 AND f.status = 'trusted')`,
      [modelId],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          name: r.name,
          disambiguation: r.disambiguation,
          primarySource: r.primary_source,
          stashIds: r.stash_ids ?? [],
        },
      ]),
    );
  }

  /** Ids of the trusted faces of a model per performer, ascending; no vectors travel. */
  async trustedFaceIds(modelId: string, dimension: number): Promise<Map<string, number[]>> {
    const { rows } = await this.pool.query<[string, string[]]>({
      text: `SELECT performer_id, array_agg(id ORDER BY id) FROM faces
             WHERE model_id = $1 AND status = 'trusted' AND dimension = $2 GROUP BY performer_id`,
      values: [modelId, dimension],
      rowMode: 'array',
    });
    return new Map(rows.map(([performer, ids]) => [performer, ids.map(Number)]));
  }

  /**
   * Trusted faces of a model, grouped by performer, streamed through a server-side cursor (a bounded number of
   * rows in memory); vectors travel in pgvector's binary form, not as text.
   */
  async *trustedFaces(
    modelId: string,
    dimension: number,
    performers: readonly string[] | null = null,
  ): AsyncGenerator<PerformerFaces> {
    if (performers !== null && performers.length === 0) return;
    const client = await this.pool.connect();
    let open = false;
    try {
      await client.query('BEGIN READ ONLY');
      open = true;
      await client.query(
        `DECLARE index_faces NO SCROLL CURSOR FOR
         SELECT f.id, f.performer_id, halfvec_send(f.embedding) AS v FROM faces f
         WHERE f.model_id = ${client.escapeLiteral(modelId)}::uuid AND f.status = 'trusted'
           AND f.dimension = ${Number(dimension)}
           ${performers === null ? '' : `AND f.performer_id = ANY(${client.escapeLiteral(`{${performers.join(',')}}`)}::uuid[])`}
         ORDER BY f.performer_id, f.id`,
      );
      let current: PerformerFaces | null = null;
      for (;;) {
        const { rows } = await client.query<[string, string, Buffer]>({
          text: `FETCH ${FACE_FETCH_ROWS} FROM index_faces`,
          rowMode: 'array',
        });
        for (const [id, performerId, bytes] of rows) {
          const face = { faceId: Number(id), vector: halfvecFromSend(bytes) };
          if (current !== null && current.performerId === performerId) {
            current.faces.push(face);
            continue;
          }
          if (current !== null) yield current;
          current = { performerId, faces: [face] };
        }
        if (rows.length < FACE_FETCH_ROWS) break;
      }
      if (current) yield current;
      await client.query('COMMIT');
      open = false;
    } finally {
      // Also when the consumer stops early: the connection goes back to the pool outside a transaction.
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
}
