import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
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
