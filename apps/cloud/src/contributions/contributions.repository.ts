import { Injectable } from '@nestjs/common';
import { Prisma, type ContributionStatus } from '@prisma/client';
import type { SceneFingerprint } from '@stash-sense/contracts';
import { PrismaService } from '../database/prisma.service.js';
import type { DecodedPerformer } from './contribution-validation.js';

type Tx = Prisma.TransactionClient;

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

/** pgvector text literal of a vector. */
const vectorLiteral = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

/** Only this repository writes contributions, faces, tracks and the outbox rows that go with them. */
@Injectable()
export class ContributionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findModel(name: string, version: string) {
    return this.prisma.embeddingModel.findUnique({ where: { name_version: { name, version } } });
  }

  async findIdempotency(userId: string, key: string): Promise<StoredIdempotency | null> {
    return this.prisma.idempotencyKey.findUnique({
      where: { userId_key: { userId, key } },
      select: { requestHash: true, statusCode: true, response: true },
    });
  }

  /**
   * Stores everything of one submission in ONE transaction: scene and fingerprints, performers,
   * each (contributor, scene, performer, model) contribution — replacing an earlier one's faces and
   * tracks atomically — the faces, the tracks, the outbox events for the queues, and the idempotency
   * record with the response. Returns null when the idempotency key was stored concurrently.
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
      return await this.prisma.$transaction(
        async (tx) => {
          const sceneId = await this.upsertScene(tx, input);
          const saved: SavedContribution[] = [];
          const outboxIds: bigint[] = [];
          for (const performer of input.performers) {
            const performerId = await this.resolvePerformer(
              tx,
              input.endpoint,
              performer.stashId,
              performer.name,
              performer.disambiguation,
            );
            const [row] = await tx.$queryRaw<{ id: string; replaced: boolean }[]>`
              INSERT INTO contributions (id, contributor_id, scene_id, performer_id, model_id, status, status_reason,
                client_name, client_version, fingerprint_matched, verification_attempts, next_verification_at, updated_at)
              VALUES (gen_random_uuid(), ${input.contributorId}::uuid, ${sceneId}::uuid, ${performerId}::uuid, ${input.modelId}::uuid,
                ${performer.status}::"ContributionStatus", ${performer.statusReason}, ${input.clientName}, ${input.clientVersion},
                ${performer.fingerprintMatched}, 0, ${performer.nextVerificationAt}, now())
              ON CONFLICT (contributor_id, scene_id, performer_id, model_id) DO UPDATE SET
                status = EXCLUDED.status, status_reason = EXCLUDED.status_reason, client_name = EXCLUDED.client_name,
                client_version = EXCLUDED.client_version, fingerprint_matched = EXCLUDED.fingerprint_matched,
                verification_attempts = 0, next_verification_at = EXCLUDED.next_verification_at, updated_at = now()
              RETURNING id, (xmax <> 0) AS replaced`;
            const contributionId = row!.id;
            if (row!.replaced) {
              await tx.$executeRaw`DELETE FROM faces WHERE contribution_id = ${contributionId}::uuid`;
              await tx.$executeRaw`DELETE FROM face_tracks WHERE contribution_id = ${contributionId}::uuid`;
            }
            await this.insertTracks(tx, contributionId, performer.tracks);
            await this.insertFaces(
              tx,
              contributionId,
              performerId,
              input.modelId,
              input.dimension,
              performer.faces,
            );
            if (performer.status !== 'rejected') {
              outboxIds.push(
                await this.insertOutbox(
                  tx,
                  performer.status === 'pending_verification'
                    ? 'contributions.verify'
                    : 'consensus.performer',
                  performer.status === 'pending_verification'
                    ? { contributionId }
                    : { performerId, modelId: input.modelId },
                ),
              );
            }
            saved.push({
              id: contributionId,
              performerStashId: performer.stashId,
              performerId,
              status: performer.status,
              statusReason: performer.statusReason,
              faces: performer.faces.length,
              replacedEarlier: row!.replaced,
            });
          }
          const response = idempotency.buildResponse(saved);
          await tx.idempotencyKey.create({
            data: {
              userId: input.contributorId,
              key: idempotency.key,
              requestHash: idempotency.requestHash,
              statusCode: idempotency.statusCode,
              response: response as Prisma.InputJsonValue,
            },
          });
          return { saved, response, outboxIds };
        },
        { timeout: 60_000, maxWait: 30_000 },
      );
    } catch (err) {
      // The only unique constraint this transaction can break is the idempotency key's (every other
      // insert resolves conflicts itself): a concurrent request with the same key won.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  private async upsertScene(tx: Tx, input: ContributionToSave): Promise<string> {
    const { scene } = input;
    const [row] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO scenes (id, endpoint_id, stash_id, title, duration_sec, performer_count)
      VALUES (gen_random_uuid(), ${input.endpoint.id}::uuid, ${scene.stashId}, ${scene.title}, ${scene.durationSec}, ${scene.performerCount})
      ON CONFLICT (endpoint_id, stash_id) DO UPDATE SET
        title = COALESCE(EXCLUDED.title, scenes.title),
        duration_sec = COALESCE(EXCLUDED.duration_sec, scenes.duration_sec),
        performer_count = COALESCE(EXCLUDED.performer_count, scenes.performer_count)
      RETURNING id`;
    const sceneId = row!.id;
    if (scene.fingerprints.length) {
      await tx.$executeRaw`
        INSERT INTO scene_fingerprints (id, scene_id, algorithm, hash, duration_sec)
        VALUES ${Prisma.join(
          scene.fingerprints.map(
            (f) =>
              Prisma.sql`(gen_random_uuid(), ${sceneId}::uuid, ${f.algorithm}::"FingerprintAlgorithm", ${f.hash}, ${f.durationSec})`,
          ),
        )}
        ON CONFLICT (scene_id, algorithm, hash) DO NOTHING`;
    }
    return sceneId;
  }

  /** The performer identity for a stash-box id, created on first sight (race-safe). */
  private async resolvePerformer(
    tx: Tx,
    endpoint: { id: string; key: string },
    stashId: string,
    name: string,
    disambiguation: string | null,
  ): Promise<string> {
    const existing = await tx.$queryRaw<{ performer_id: string }[]>`
      SELECT performer_id FROM performer_stash_ids WHERE endpoint_id = ${endpoint.id}::uuid AND stash_id = ${stashId}`;
    if (existing[0]) return existing[0].performer_id;
    const [performer] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO performers (id, name, disambiguation, stashdb_id, primary_source, updated_at)
      VALUES (gen_random_uuid(), ${name}, ${disambiguation}, ${endpoint.key === 'stashdb' ? stashId : null}, ${endpoint.key}, now())
      ON CONFLICT (stashdb_id) DO NOTHING
      RETURNING id`;
    if (!performer) {
      const [byStashDb] = await tx.$queryRaw<
        { id: string }[]
      >`SELECT id FROM performers WHERE stashdb_id = ${stashId}`;
      return byStashDb!.id;
    }
    const linked = await tx.$queryRaw<{ performer_id: string }[]>`
      INSERT INTO performer_stash_ids (id, performer_id, endpoint_id, stash_id)
      VALUES (gen_random_uuid(), ${performer.id}::uuid, ${endpoint.id}::uuid, ${stashId})
      ON CONFLICT (endpoint_id, stash_id) DO NOTHING
      RETURNING performer_id`;
    if (linked[0]) return performer.id;
    // Another transaction linked this stash id first: use its performer and drop ours.
    await tx.$executeRaw`DELETE FROM performers WHERE id = ${performer.id}::uuid`;
    const [other] = await tx.$queryRaw<{ performer_id: string }[]>`
      SELECT performer_id FROM performer_stash_ids WHERE endpoint_id = ${endpoint.id}::uuid AND stash_id = ${stashId}`;
    return other!.performer_id;
  }

  private async insertTracks(
    tx: Tx,
    contributionId: string,
    tracks: DecodedPerformer['tracks'],
  ): Promise<void> {
    if (!tracks.length) return;
    await tx.$executeRaw`
      INSERT INTO face_tracks (id, contribution_id, track_key, points)
      VALUES ${Prisma.join(
        tracks.map(
          (t) =>
            Prisma.sql`(gen_random_uuid(), ${contributionId}::uuid, ${t.trackId}, ${JSON.stringify(t.points)}::jsonb)`,
        ),
      )}`;
  }

  private async insertFaces(
    tx: Tx,
    contributionId: string,
    performerId: string,
    modelId: string,
    dimension: number,
    faces: DecodedPerformer['faces'],
  ): Promise<void> {
    if (!faces.length) return;
    await tx.$executeRaw`
      INSERT INTO faces (contribution_id, performer_id, model_id, dimension, embedding, detector_score, size_px, quality, timestamp_sec, track_key)
      VALUES ${Prisma.join(
        faces.map(
          (
            f,
          ) => Prisma.sql`(${contributionId}::uuid, ${performerId}::uuid, ${modelId}::uuid, ${dimension}, ${vectorLiteral(f.embedding)}::vector,
            ${f.detectorScore}, ${f.sizePx}, ${f.quality}, ${f.timestampSec}, ${f.trackId})`,
        ),
      )}`;
  }

  private async insertOutbox(tx: Tx, kind: string, payload: Record<string, unknown>): Promise<bigint> {
    const [row] = await tx.$queryRaw<{ id: bigint }[]>`
      INSERT INTO outbox_events (kind, payload) VALUES (${kind}, ${JSON.stringify(payload)}::jsonb) RETURNING id`;
    return row!.id;
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
  ): Promise<{ contributions: number; faces: number; outboxIds: bigint[] }> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; performer_id: string; model_id: string }[]>`
        UPDATE contributions SET status = 'withdrawn', status_reason = 'withdrawn by the contributor', updated_at = now()
        WHERE contributor_id = ${contributorId}::uuid AND status <> 'withdrawn'
          ${contributionId ? Prisma.sql`AND id = ${contributionId}::uuid` : Prisma.empty}
        RETURNING id, performer_id, model_id`;
      if (!rows.length) return { contributions: 0, faces: 0, outboxIds: [] };
      const ids = rows.map((r) => r.id);
      const faces = await tx.$executeRaw`DELETE FROM faces WHERE contribution_id = ANY(${ids}::uuid[])`;
      await tx.$executeRaw`DELETE FROM face_tracks WHERE contribution_id = ANY(${ids}::uuid[])`;
      const performers = new Map(rows.map((r) => [`${r.performer_id}:${r.model_id}`, r]));
      const outboxIds: bigint[] = [];
      for (const r of performers.values()) {
        outboxIds.push(
          await this.insertOutbox(tx, 'consensus.performer', {
            performerId: r.performer_id,
            modelId: r.model_id,
          }),
        );
      }
      return { contributions: rows.length, faces, outboxIds };
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
    return this.prisma.$transaction(async (tx) => {
      const updated = await tx.$executeRaw`
        UPDATE contributions SET status = ${outcome.status}::"ContributionStatus", status_reason = ${outcome.statusReason},
          fingerprint_matched = ${outcome.fingerprintMatched}, next_verification_at = NULL, updated_at = now()
        WHERE id = ${row.id}::uuid AND status = 'pending_verification'`;
      if (!updated) return null;
      await tx.$executeRaw`
        UPDATE scenes SET title = COALESCE(${outcome.scene.title}, title), duration_sec = COALESCE(${outcome.scene.durationSec}, duration_sec),
          performer_count = ${outcome.scene.performerCount}
        WHERE endpoint_id = ${row.endpointId}::uuid AND stash_id = ${row.sceneStashId}`;
      if (outcome.status === 'rejected') return null;
      return this.insertOutbox(tx, 'consensus.performer', {
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
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ id: string; created_at: Date }[]>`
        INSERT INTO negative_feedback (id, contributor_id, performer_id, model_id, scene_id, dimension, embedding, distance)
        VALUES (gen_random_uuid(), ${input.contributorId}::uuid, ${input.performerId}::uuid, ${input.modelId}::uuid,
          ${input.sceneId}::uuid, ${input.dimension}, ${vectorLiteral(input.embedding)}::vector, ${input.distance})
        RETURNING id, created_at`;
      const outboxId = await this.insertOutbox(tx, 'consensus.performer', {
        performerId: input.performerId,
        modelId: input.modelId,
      });
      return { id: row!.id, createdAt: row!.created_at, outboxId };
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
