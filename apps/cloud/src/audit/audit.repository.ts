import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import { PrismaService } from '../database/prisma.service.js';

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first; keyset on id (the sequence). `action` ending in a dot matches every action with that prefix. */
  list(q: {
    actorId?: string;
    action?: string;
    targetType?: string;
    targetId?: string;
    from?: Date;
    to?: Date;
    beforeId?: bigint;
    limit: number;
  }) {
    return this.prisma.auditLog.findMany({
      where: {
        actorId: q.actorId,
        action: q.action?.endsWith('.') ? { startsWith: q.action } : q.action,
        targetType: q.targetType,
        targetId: q.targetId,
        createdAt: q.from || q.to ? { gte: q.from, lt: q.to } : undefined,
        id: q.beforeId !== undefined ? { lt: q.beforeId } : undefined,
      },
      include: { actor: { select: { id: true, email: true, displayName: true } } },
      orderBy: { id: 'desc' },
      take: q.limit + 1,
    });
  }

  async insert(entry: {
    actorId: string | null;
    action: string;
    targetType: string;
    targetId: string | null;
    details: Prisma.InputJsonValue;
    ip: string | null;
  }): Promise<void> {
    await this.prisma.auditLog.create({ data: entry });
  }
}
