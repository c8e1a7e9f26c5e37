import { Injectable } from '@nestjs/common';
import type { UserStatus } from '@stash-sense/contracts';
import { PgPoolService } from '../database/pg-pool.service.js';

export interface StashBoxRow {
  key: string;
  name: string;
  graphqlUrl: string;
}

export interface PerformerRefRow {
  id: string;
  name: string;
  disambiguation: string | null;
  primarySource: string;
  externalUrls: unknown;
  createdAt: Date;
  stashIds: (StashBoxRow & { stashId: string })[];
  /** Latest consensus across models: the first model's state by model id, trusted faces summed. */
  consensusState: string | null;
  trustedFaces: number;
}

export interface SceneRefRow extends StashBoxRow {
  id: string;
  stashId: string;
  title: string | null;
}

export interface UserRefRow {
  id: string;
  email: string;
  displayName: string | null;
  status: UserStatus;
  reputation: number;
  reputationFlagged: boolean;
}

export interface ModelRow {
  id: string;
  name: string;
  version: string;
  dimension: number;
}

/** Lookups by id shared by the admin views (performers with their stash-box ids, scenes, accounts, models). */
@Injectable()
export class AdminRefsRepository {
  constructor(private readonly pg: PgPoolService) {}

  async performers(ids: readonly string[], modelId: string | null = null): Promise<PerformerRefRow[]> {
    if (!ids.length) return [];
    const { rows } = await this.pg.pool.query<PerformerRefRow>(
      `SELECT p.id, p.name, p.disambiguation, p.primary_source AS "primarySource", p.external_urls AS "externalUrls",
              p.created_at AS "createdAt",
              COALESCE((SELECT json_agg(json_build_object('key', e.key, 'name', e.name, 'graphqlUrl', e.graphql_url,
                          'stashId', s.stash_id) ORDER BY e.key, s.stash_id)
                        FROM performer_stash_ids s JOIN stash_box_endpoints e ON e.id = s.endpoint_id
                        WHERE s.performer_id = p.id), '[]') AS "stashIds",
              (SELECT pc.state FROM performer_consensus pc WHERE pc.performer_id = p.id
                 AND ($2::uuid IS NULL OR pc.model_id = $2::uuid) ORDER BY pc.model_id LIMIT 1) AS "consensusState",
              COALESCE((SELECT sum(pc.trusted_faces)::int FROM performer_consensus pc WHERE pc.performer_id = p.id
                 AND ($2::uuid IS NULL OR pc.model_id = $2::uuid)), 0) AS "trustedFaces"
       FROM performers p WHERE p.id = ANY($1::uuid[])`,
      [ids, modelId],
    );
    return rows;
  }

  async scenes(ids: readonly string[]): Promise<SceneRefRow[]> {
    if (!ids.length) return [];
    const { rows } = await this.pg.pool.query<SceneRefRow>(
      `SELECT s.id, s.stash_id AS "stashId", s.title, e.key, e.name, e.graphql_url AS "graphqlUrl"
       FROM scenes s JOIN stash_box_endpoints e ON e.id = s.endpoint_id WHERE s.id = ANY($1::uuid[])`,
      [ids],
    );
    return rows;
  }

  async users(ids: readonly string[]): Promise<UserRefRow[]> {
    if (!ids.length) return [];
    const { rows } = await this.pg.pool.query<UserRefRow>(
      `SELECT id, email, display_name AS "displayName", status, reputation, reputation_flagged AS "reputationFlagged"
       FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows;
  }

  async models(): Promise<ModelRow[]> {
    const { rows } = await this.pg.pool.query<ModelRow>(
      'SELECT id, name, version, dimension FROM embedding_models ORDER BY name, version',
    );
    return rows;
  }
}
