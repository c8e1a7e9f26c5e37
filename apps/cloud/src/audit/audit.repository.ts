import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import { PrismaService } from '../database/prisma.service.js';

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

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
