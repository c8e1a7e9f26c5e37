import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PgPoolService } from '../database/pg-pool.service.js';
import { halfvecFromSend, inTransaction, vectorToBinary } from '../database/pg-sql.js';
import type {
  ConflictRecord,
  ConsensusContributionInput,
  ContributorProfile,
  NotSameFeedbackInput,
  OtherPerformerReference,
  PerformerConsensusResult,
} from './consensus.types.js';
import type { SceneSwapInput } from './conflicts.rules.js';

const DAY_MS = 86_400_000;
/** Established performers compared with this one for look-alike conflicts, besides its scene partners. */
const NEAREST_PERFORMERS = 10;

/** pgvector text ("[1,2,3]") is valid JSON. */
const parseVector = (text: string): Float32Array => Float32Array.from(JSON.parse(text) as number[]);

export interface ContributorCounts {
  id: string;
  createdAt: Date;
  trustedFaces: number;
  disagreedFaces: number;
  moderatorApproved: number;
  moderatorRejected: number;
}

/** A scene's performers and contributions, as the swap check reads them. */
export type ScenePeers = SceneSwapInput;

/** All SQL of the consensus workers. One transaction per performer, under a per-performer advisory lock. */
@Injectable()
export class ConsensusRepository {
  constructor(private readonly pg: PgPoolService) {}

  inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pg.pool, fn);
  }

  /** Two workers never decide the same performer × model at once: the second waits for the first's commit. */
  async lockPerformer(client: pg.PoolClient, performerId: string, modelId: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [performerId, modelId]);
  }

  async model(client: pg.PoolClient, modelId: string): Promise<{ dimension: number } | null> {
    const { rows } = await client.query<{ dimension: number }>(
      'SELECT dimension FROM embedding_models WHERE id = $1',
      [modelId],
    );
    return rows[0] ?? null;
  }

  /** The performer's live contributions (verified, unverified or decided before) with their faces. */
  async contributions(
    client: pg.PoolClient,
    performerId: string,
    modelId: string,
  ): Promise<ConsensusContributionInput[]> {
    const { rows } = await client.query<{
      id: string;
      contributor_id: string;
      scene_id: string;
      fingerprint_matched: boolean | null;
      performer_count: number | null;
      credited: number;
      moderation: string | null;
    }>(
      `SELECT c.id, c.contributor_id, c.scene_id, c.fingerprint_matched, s.performer_count, c.moderation,
              (SELECT count(DISTINCT c2.performer_id)::int FROM contributions c2 WHERE c2.scene_id = c.scene_id) AS credited
       FROM contributions c JOIN scenes s ON s.id = c.scene_id
       WHERE c.performer_id = $1 AND c.model_id = $2 AND c.status IN ('verified', 'unverified', 'accepted', 'rejected')
         AND c.moderation IS DISTINCT FROM 'rejected'
       ORDER BY c.id`,
      [performerId, modelId],
    );
    if (!rows.length) return [];
    const faces = await client.query<{
      id: string;
      contribution_id: string;
      embedding: Buffer;
      detector_score: number;
      size_px: number;
      quality: number;
      timestamp_sec: number;
      track_key: string | null;
    }>(
      `SELECT id::text, contribution_id, halfvec_send(embedding) AS embedding, detector_score, size_px, quality, timestamp_sec, track_key
       FROM faces WHERE contribution_id = ANY($1::uuid[]) ORDER BY id`,
      [rows.map((r) => r.id)],
    );
    const byContribution = new Map<string, ConsensusContributionInput['faces']>();
    for (const f of faces.rows) {
      const list = byContribution.get(f.contribution_id) ?? [];
      list.push({
        id: f.id,
        embedding: halfvecFromSend(f.embedding),
        detectorScore: f.detector_score,
        sizePx: f.size_px,
        quality: f.quality,
        timestampSec: f.timestamp_sec,
        trackKey: f.track_key,
      });
      byContribution.set(f.contribution_id, list);
    }
    return rows
      .filter((r) => byContribution.has(r.id))
      .map((r) => ({
        id: r.id,
        contributorId: r.contributor_id,
        sceneId: r.scene_id,
        verified: r.fingerprint_matched === true,
        // Unknown until the stash-box answered: the performers contributed for the scene are a lower bound.
        scenePerformerCount: r.performer_count ?? Math.max(2, r.credited),
        moderatorApproved: r.moderation === 'approved',
        faces: byContribution.get(r.id)!,
      }));
  }

  async notSame(
    client: pg.PoolClient,
    performerId: string,
    modelId: string,
  ): Promise<NotSameFeedbackInput[]> {
    const { rows } = await client.query<{ id: string; contributor_id: string; embedding: string }>(
      `SELECT id, contributor_id, embedding::text AS embedding FROM negative_feedback
       WHERE performer_id = $1 AND model_id = $2 ORDER BY id`,
      [performerId, modelId],
    );
    return rows.map((r) => ({
      feedbackId: r.id,
      contributorId: r.contributor_id,
      faceEmbedding: parseVector(r.embedding),
    }));
  }

  async contributorCounts(client: pg.PoolClient, ids: readonly string[]): Promise<ContributorCounts[]> {
    if (!ids.length) return [];
    const { rows } = await client.query<{
      id: string;
      created_at: Date;
      trusted_faces: number;
      disagreed_faces: number;
      moderator_approved: number;
      moderator_rejected: number;
    }>(
      `SELECT id, created_at, trusted_faces, disagreed_faces, moderator_approved, moderator_rejected FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      trustedFaces: r.trusted_faces,
      disagreedFaces: r.disagreed_faces,
      moderatorApproved: r.moderator_approved,
      moderatorRejected: r.moderator_rejected,
    }));
  }

  async contributorProfiles(
    client: pg.PoolClient,
    ids: readonly string[],
    now: Date,
  ): Promise<ContributorProfile[]> {
    if (!ids.length) return [];
    const { rows } = await client.query<{
      id: string;
      reputation: number;
      created_at: Date;
      decided: number;
      moderator_approved: number;
      moderator_rejected: number;
    }>(
      `SELECT id, reputation, created_at, trusted_faces + disagreed_faces AS decided, moderator_approved, moderator_rejected
       FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => ({
      id: r.id,
      reputation: r.reputation,
      accountAgeDays: Math.floor((now.getTime() - r.created_at.getTime()) / DAY_MS),
      decidedFaces: r.decided,
      moderatorApproved: r.moderator_approved,
      moderatorRejected: r.moderator_rejected,
    }));
  }

  /**
   * Performers this one could be confused with: its scene partners and the established performers whose
   * centroids are nearest its previous centroid; never itself nor performers linked to it as one person.
   */
  async otherPerformers(
    client: pg.PoolClient,
    performerId: string,
    modelId: string,
  ): Promise<OtherPerformerReference[]> {
    const { rows } = await client.query<{ performer_id: string; centroid: string }>(
      `WITH me AS (SELECT centroid FROM performer_consensus WHERE performer_id = $1 AND model_id = $2),
       linked AS (
         SELECT CASE WHEN performer_a = $1 THEN performer_b ELSE performer_a END AS id
         FROM identity_link_suggestions WHERE status = 'accepted' AND (performer_a = $1 OR performer_b = $1)),
       partners AS (
         SELECT DISTINCT c2.performer_id AS id FROM contributions c1
         JOIN contributions c2 ON c2.scene_id = c1.scene_id AND c2.performer_id <> c1.performer_id
         WHERE c1.performer_id = $1 AND c1.model_id = $2),
       nearest AS (
         SELECT pc.performer_id AS id FROM performer_consensus pc, me
         WHERE pc.model_id = $2 AND pc.performer_id <> $1 AND pc.centroid IS NOT NULL AND me.centroid IS NOT NULL
         ORDER BY pc.centroid <=> me.centroid LIMIT ${NEAREST_PERFORMERS})
       SELECT pc.performer_id, pc.centroid::text AS centroid FROM performer_consensus pc
       WHERE pc.model_id = $2 AND pc.state = 'established' AND pc.centroid IS NOT NULL
         AND pc.performer_id IN (SELECT id FROM partners UNION SELECT id FROM nearest)
         AND pc.performer_id NOT IN (SELECT id FROM linked)
       ORDER BY pc.performer_id`,
      [performerId, modelId],
    );
    return rows.map((r) => ({ performerId: r.performer_id, centroid: parseVector(r.centroid) }));
  }

  async previousState(
    client: pg.PoolClient,
    performerId: string,
    modelId: string,
  ): Promise<{ state: string; trustedFaces: number } | null> {
    const { rows } = await client.query<{ state: string; trusted_faces: number }>(
      'SELECT state, trusted_faces FROM performer_consensus WHERE performer_id = $1 AND model_id = $2',
      [performerId, modelId],
    );
    return rows[0] ? { state: rows[0].state, trustedFaces: rows[0].trusted_faces } : null;
  }

  /** Writes every decision of one run: faces, contributions, the performer's consensus, conflicts. */
  async saveResult(
    client: pg.PoolClient,
    result: PerformerConsensusResult,
    modelId: string,
    dimension: number,
  ): Promise<void> {
    if (result.faces.length) {
      await client.query(
        `UPDATE faces f SET status = d.status::"FaceStatus", status_reason = d.reason, decision_code = d.code,
           consensus_distance = d.distance
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::float8[]) AS d(id, status, reason, code, distance)
         WHERE f.id = d.id`,
        [
          result.faces.map((f) => f.faceId),
          result.faces.map((f) => f.status),
          result.faces.map((f) => f.reason),
          result.faces.map((f) => f.code),
          result.faces.map((f) => f.distance ?? null),
        ],
      );
    }
    for (const c of result.contributions) {
      // Pending contributions keep their verification status; decided ones become accepted/rejected.
      await client.query(
        `UPDATE contributions SET
           status = CASE WHEN $2 = 'pending' THEN (CASE WHEN fingerprint_matched THEN 'verified' ELSE 'unverified' END)::"ContributionStatus"
                         ELSE $2::"ContributionStatus" END,
           status_reason = $3, centre = $4::vector, updated_at = now()
         WHERE id = $1 AND status <> 'withdrawn'`,
        [c.contributionId, c.status, c.reason, c.centre ? vectorToBinary(c.centre) : null],
      );
    }
    await client.query(
      `INSERT INTO performer_consensus (performer_id, model_id, state, dimension, centroid, medoids, trusted_faces,
         contributors_agreeing, weight, reason, decided_at)
       VALUES ($1, $2, $3, $4, $5::vector, $6::jsonb, $7, $8, $9, $10, now())
       ON CONFLICT (performer_id, model_id) DO UPDATE SET state = EXCLUDED.state, dimension = EXCLUDED.dimension,
         centroid = EXCLUDED.centroid, medoids = EXCLUDED.medoids, trusted_faces = EXCLUDED.trusted_faces,
         contributors_agreeing = EXCLUDED.contributors_agreeing, weight = EXCLUDED.weight, reason = EXCLUDED.reason,
         decided_at = now()`,
      [
        result.performerId,
        modelId,
        result.state,
        dimension,
        result.centroid ? vectorToBinary(result.centroid) : null,
        JSON.stringify(result.medoids.map((m) => Array.from(m))),
        result.summary.trusted,
        result.summary.contributorsAgreeing,
        result.summary.weight,
        result.summary.reason,
      ],
    );
    await this.saveConflicts(client, result.conflicts, modelId);
  }

  /** Upserts moderation items by their stable key; a resolved item is not reopened by the same evidence. */
  async saveConflicts(
    client: pg.PoolClient,
    conflicts: readonly ConflictRecord[],
    modelId: string,
  ): Promise<void> {
    for (const c of conflicts) {
      await client.query(
        `INSERT INTO moderation_items (id, key, kind, blocking, model_id, performer_ids, contribution_ids, contributor_ids,
           scene_ids, summary, evidence)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[], $9, $10::jsonb)
         ON CONFLICT (key) DO UPDATE SET summary = EXCLUDED.summary, evidence = EXCLUDED.evidence,
           blocking = EXCLUDED.blocking, updated_at = now()
         WHERE moderation_items.status = 'open'`,
        [
          c.key,
          c.kind,
          c.blocking,
          modelId,
          c.performerIds,
          c.contributionIds,
          c.contributorIds,
          c.sceneIds,
          c.summary,
          JSON.stringify(c.evidence),
        ],
      );
    }
  }

  /** Per scene of this performer: its performers' centroids and every coherent contribution centre. */
  async scenePeers(client: pg.PoolClient, performerId: string, modelId: string): Promise<ScenePeers[]> {
    const { rows } = await client.query<{
      scene_id: string;
      contribution_id: string;
      contributor_id: string;
      performer_id: string;
      centre: string | null;
      centroid: string | null;
    }>(
      `SELECT c.scene_id, c.id AS contribution_id, c.contributor_id, c.performer_id, c.centre::text AS centre,
              pc.centroid::text AS centroid
       FROM contributions c
       LEFT JOIN performer_consensus pc ON pc.performer_id = c.performer_id AND pc.model_id = c.model_id AND pc.state = 'established'
       WHERE c.model_id = $2 AND c.status <> 'withdrawn' AND c.moderation IS DISTINCT FROM 'rejected'
         AND c.scene_id IN (SELECT scene_id FROM contributions WHERE performer_id = $1 AND model_id = $2)
       ORDER BY c.scene_id, c.id`,
      [performerId, modelId],
    );
    const scenes = new Map<string, ScenePeers>();
    for (const r of rows) {
      let scene = scenes.get(r.scene_id);
      if (!scene)
        scenes.set(r.scene_id, (scene = { sceneId: r.scene_id, performers: [], contributions: [] }));
      if (!scene.performers.some((p) => p.performerId === r.performer_id)) {
        scene.performers.push({
          performerId: r.performer_id,
          centroid: r.centroid ? parseVector(r.centroid) : null,
        });
      }
      scene.contributions.push({
        contributionId: r.contribution_id,
        contributorId: r.contributor_id,
        performerId: r.performer_id,
        centre: r.centre ? parseVector(r.centre) : null,
      });
    }
    return [...scenes.values()].filter((s) => s.performers.length > 1);
  }

  /** Current totals behind each contributor's reputation, from every face they contributed. */
  async faceTallies(
    client: pg.PoolClient,
    contributorIds: readonly string[],
    disagreeingCodes: readonly string[],
  ) {
    const { rows } = await client.query<{ contributor_id: string; trusted: number; disagreed: number }>(
      `SELECT c.contributor_id,
              count(*) FILTER (WHERE f.status = 'trusted')::int AS trusted,
              count(*) FILTER (WHERE f.decision_code = ANY($2::text[]))::int AS disagreed
       FROM faces f JOIN contributions c ON c.id = f.contribution_id
       WHERE c.contributor_id = ANY($1::uuid[]) GROUP BY c.contributor_id`,
      [contributorIds, disagreeingCodes],
    );
    return new Map(rows.map((r) => [r.contributor_id, { trusted: r.trusted, disagreed: r.disagreed }]));
  }

  async saveReputation(
    client: pg.PoolClient,
    r: {
      contributorId: string;
      reputation: number;
      trusted: number;
      disagreed: number;
      flagged: boolean;
      reason: string;
    },
  ): Promise<void> {
    await client.query(
      `UPDATE users SET reputation = $2, trusted_faces = $3, disagreed_faces = $4, reputation_flagged = $5,
         reputation_reason = $6, updated_at = now() WHERE id = $1`,
      [r.contributorId, r.reputation, r.trusted, r.disagreed, r.flagged, r.reason],
    );
  }

  /** Established performers of the model nearest a centroid, with the stash-box each belongs to. */
  async linkCandidates(client: pg.PoolClient, modelId: string, centroid: Float32Array, limit: number) {
    const { rows } = await client.query<{
      performer_id: string;
      primary_source: string;
      centroid: string;
      trusted_faces: number;
    }>(
      `SELECT pc.performer_id, p.primary_source, pc.centroid::text AS centroid, pc.trusted_faces
       FROM performer_consensus pc JOIN performers p ON p.id = pc.performer_id
       WHERE pc.model_id = $1 AND pc.state = 'established' AND pc.centroid IS NOT NULL
       ORDER BY pc.centroid <=> $2::vector LIMIT $3`,
      [modelId, vectorToBinary(centroid), limit],
    );
    return rows.map((r) => ({
      performerId: r.performer_id,
      endpointKey: r.primary_source,
      centroid: parseVector(r.centroid),
      trustedFaces: r.trusted_faces,
    }));
  }

  async saveLinkSuggestion(
    client: pg.PoolClient,
    modelId: string,
    s: { a: string; b: string; distance: number },
  ): Promise<void> {
    await client.query(
      `INSERT INTO identity_link_suggestions (id, model_id, performer_a, performer_b, distance)
       VALUES (gen_random_uuid(), $1, $2, $3, $4)
       ON CONFLICT (performer_a, performer_b, model_id) DO UPDATE SET distance = EXCLUDED.distance, updated_at = now()`,
      [modelId, s.a < s.b ? s.a : s.b, s.a < s.b ? s.b : s.a, s.distance],
    );
  }

  /** Queues consensus for other performers (scene partners) in the same transaction (outbox). */
  async queuePerformers(
    client: pg.PoolClient,
    performerIds: readonly string[],
    modelId: string,
  ): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (const performerId of performerIds) {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO outbox_events (kind, payload) VALUES ('consensus.performer', $1::jsonb) RETURNING id`,
        [JSON.stringify({ performerId, modelId })],
      );
      ids.push(BigInt(rows[0]!.id));
    }
    return ids;
  }
}
