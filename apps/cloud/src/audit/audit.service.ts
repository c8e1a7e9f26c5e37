import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import type { AuditList, AuditListQuery } from '@stash-sense/contracts';
import { decodeCursor, pageOf } from '../admin/cursor.js';
import { badRequest } from '../common/domain-errors.js';
import { AuditRepository } from './audit.repository.js';

export interface AuditEntry {
  actorId: string | null;
  /** Dotted verb, e.g. `user.status_changed`, `api_key.revoked`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** Who did what, when: every privileged or security-relevant action is recorded. */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  async list(query: AuditListQuery): Promise<AuditList> {
    const before = query.cursor ? decodeCursor(query.cursor, ['string'] as const)[0] : undefined;
    if (before !== undefined && !/^\d{1,19}$/.test(before))
      throw badRequest('invalid cursor: pass the nextCursor of the previous page unchanged');
    const rows = await this.repository.list({
      actorId: query.actor,
      action: query.action,
      targetType: query.targetType,
      targetId: query.targetId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      beforeId: before === undefined ? undefined : BigInt(before),
      limit: query.limit,
    });
    return pageOf(
      rows,
      query.limit,
      (r) => ({
        id: r.id.toString(),
        actor: r.actor ? { id: r.actor.id, email: r.actor.email, displayName: r.actor.displayName } : null,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        details: (r.details ?? {}) as Record<string, unknown>,
        ip: r.ip,
        createdAt: r.createdAt.toISOString(),
      }),
      (r) => [r.id.toString()],
    );
  }

  record(entry: AuditEntry): Promise<void> {
    return this.repository.insert({
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
      ip: entry.ip ?? null,
    });
  }
}
