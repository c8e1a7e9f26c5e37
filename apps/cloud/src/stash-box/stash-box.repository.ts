import { Injectable } from '@nestjs/common';
import type { Prisma, StashBoxEndpoint } from '@prisma/client';
import { PgPoolService } from '../database/pg-pool.service.js';

export type { StashBoxEndpoint };

const ENDPOINT_COLUMNS = `id, key, name, graphql_url AS "graphqlUrl", enabled, created_at AS "createdAt"`;

/**
 * Endpoints and the scene cache. node-pg rather than Prisma: every contribution reads an endpoint and
 * reads and writes the scene cache, and Prisma 6's query compiler costs ≈ 1 ms of CPU per query on
 * these 2 cores (a CPU profile of bench/ingest, docs/benchmarks.md), against ≈ 0.2 ms for node-pg.
 */
@Injectable()
export class StashBoxRepository {
  constructor(private readonly pg: PgPoolService) {}

  /** Endpoint by its GraphQL URL; a trailing slash does not matter. */
  async findEndpointByUrl(url: string): Promise<StashBoxEndpoint | null> {
    const normalised = url.replace(/\/+$/, '');
    const { rows } = await this.pg.pool.query<StashBoxEndpoint>(
      this.pg.prepared(
        `SELECT ${ENDPOINT_COLUMNS} FROM stash_box_endpoints WHERE graphql_url IN ($1, $2) ORDER BY graphql_url LIMIT 1`,
        [normalised, `${normalised}/`],
      ),
    );
    return rows[0] ?? null;
  }

  async findEndpointById(id: string): Promise<StashBoxEndpoint | null> {
    const { rows } = await this.pg.pool.query<StashBoxEndpoint>(
      `SELECT ${ENDPOINT_COLUMNS} FROM stash_box_endpoints WHERE id = $1::uuid`,
      [id],
    );
    return rows[0] ?? null;
  }

  async cachedScene(
    endpointId: string,
    stashId: string,
    now: Date,
  ): Promise<{ found: boolean; payload: unknown } | null> {
    const { rows } = await this.pg.pool.query<{ found: boolean; payload: unknown }>(
      this.pg.prepared(
        `SELECT found, payload FROM stash_box_scene_cache
       WHERE endpoint_id = $1::uuid AND stash_id = $2 AND expires_at > $3`,
        [endpointId, stashId, now],
      ),
    );
    return rows[0] ?? null;
  }

  async cacheScene(
    endpointId: string,
    stashId: string,
    found: boolean,
    payload: Prisma.InputJsonValue,
    expiresAt: Date,
  ): Promise<void> {
    await this.pg.pool.query(
      this.pg.prepared(
        `INSERT INTO stash_box_scene_cache (endpoint_id, stash_id, found, payload, fetched_at, expires_at)
       VALUES ($1::uuid, $2, $3, $4::jsonb, now(), $5)
       ON CONFLICT (endpoint_id, stash_id) DO UPDATE SET
         found = EXCLUDED.found, payload = EXCLUDED.payload, fetched_at = now(), expires_at = EXCLUDED.expires_at`,
        [endpointId, stashId, found, JSON.stringify(payload), expiresAt],
      ),
    );
  }
}
