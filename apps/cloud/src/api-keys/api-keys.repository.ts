import { Injectable } from '@nestjs/common';
import type { ApiKey as ApiKeyRow, User as UserRow } from '@prisma/client';
import type { ApiKeyScope } from '@stash-sense/contracts';
import { PgPoolService } from '../database/pg-pool.service.js';
import { PrismaService } from '../database/prisma.service.js';

export type { ApiKeyRow };

export interface AuthenticatingKey {
  id: string;
  prefix: string;
  scopes: ApiKeyScope[];
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  user: Pick<UserRow, 'id' | 'email' | 'role' | 'status'>;
}

/** `lastUsedAt` is written at most this often per key, so that authentication does not write on every request. */
export const API_KEY_TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class ApiKeysRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPoolService,
  ) {}

  create(data: {
    userId: string;
    name: string;
    prefix: string;
    keyHash: string;
    scopes: ApiKeyScope[];
  }): Promise<ApiKeyRow> {
    return this.prisma.apiKey.create({ data });
  }

  listForUser(userId: string): Promise<ApiKeyRow[]> {
    return this.prisma.apiKey.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } });
  }

  /**
   * What authenticating a presented key needs, by the key's hash. node-pg rather than Prisma: it runs on every
   * API-key request, and Prisma 6's query compiler costs ≈ 1 ms of CPU per query here (docs/benchmarks.md).
   */
  async findForAuthentication(keyHash: string): Promise<AuthenticatingKey | null> {
    const { rows } = await this.pg.pool.query<AuthenticatingKey>(
      this.pg.prepared(
        `SELECT k.id, k.prefix, k.scopes::text[] AS scopes, k.last_used_at AS "lastUsedAt", k.revoked_at AS "revokedAt",
              json_build_object('id', u.id, 'email', u.email, 'role', u.role, 'status', u.status) AS "user"
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1`,
        [keyHash],
      ),
    );
    return rows[0] ?? null;
  }

  /** Revokes the key if it belongs to the user; returns the row, or null when there is no such key. */
  async revoke(userId: string, id: string): Promise<ApiKeyRow | null> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) {
      return this.prisma.apiKey.findFirst({ where: { id, userId } });
    }
    return this.prisma.apiKey.findUnique({ where: { id } });
  }

  /** Revokes any account's key (admins); the row, already revoked or not, or null when there is no such key. */
  async revokeAny(id: string): Promise<{ row: ApiKeyRow; revokedNow: boolean } | null> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    return row ? { row, revokedNow: count > 0 } : null;
  }

  /** Records use at most once per API_KEY_TOUCH_INTERVAL_MS per key (concurrent requests write once). */
  async touch(id: string, now: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({
      where: {
        id,
        OR: [
          { lastUsedAt: null },
          { lastUsedAt: { lt: new Date(now.getTime() - API_KEY_TOUCH_INTERVAL_MS) } },
        ],
      },
      data: { lastUsedAt: now },
    });
  }
}
