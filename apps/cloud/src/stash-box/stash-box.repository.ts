import { Injectable } from '@nestjs/common';
import type { Prisma, StashBoxEndpoint } from '@prisma/client';
import { PrismaService } from '../database/prisma.service.js';

export type { StashBoxEndpoint };

@Injectable()
export class StashBoxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Endpoint by its GraphQL URL; a trailing slash does not matter. */
  findEndpointByUrl(url: string): Promise<StashBoxEndpoint | null> {
    const normalised = url.replace(/\/+$/, '');
    return this.prisma.stashBoxEndpoint.findFirst({
      where: { graphqlUrl: { in: [normalised, `${normalised}/`] } },
    });
  }

  findEndpointById(id: string): Promise<StashBoxEndpoint | null> {
    return this.prisma.stashBoxEndpoint.findUnique({ where: { id } });
  }

  async cachedScene(
    endpointId: string,
    stashId: string,
    now: Date,
  ): Promise<{ found: boolean; payload: unknown } | null> {
    const row = await this.prisma.stashBoxSceneCache.findUnique({
      where: { endpointId_stashId: { endpointId, stashId } },
    });
    if (!row || row.expiresAt <= now) return null;
    return { found: row.found, payload: row.payload };
  }

  async cacheScene(
    endpointId: string,
    stashId: string,
    found: boolean,
    payload: Prisma.InputJsonValue,
    expiresAt: Date,
  ): Promise<void> {
    await this.prisma.stashBoxSceneCache.upsert({
      where: { endpointId_stashId: { endpointId, stashId } },
      create: { endpointId, stashId, found, payload, expiresAt },
      update: { found, payload, expiresAt, fetchedAt: new Date() },
    });
  }
}
