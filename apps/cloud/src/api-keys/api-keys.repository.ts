import { Injectable } from '@nestjs/common';
import type { ApiKey as ApiKeyRow, User as UserRow } from '@prisma/client';
import type { ApiKeyScope } from '@stash-sense/contracts';
import { PrismaService } from '../database/prisma.service.js';

export type { ApiKeyRow };

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

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

  findByHashWithUser(keyHash: string): Promise<(ApiKeyRow & { user: UserRow }) | null> {
    return this.prisma.apiKey.findUnique({ where: { keyHash }, include: { user: true } });
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

  /** Records use at most once a minute per key, so that authentication does not write on every request. */
  async touch(id: string, now: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({
      where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
      data: { lastUsedAt: now },
    });
  }
}
