import { Injectable } from '@nestjs/common';
import { Prisma, type User as UserRow } from '@prisma/client';
import type { UserRole, UserStatus } from '@stash-sense/contracts';
import { PrismaService } from '../database/prisma.service.js';

export type { UserRow };

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(id: string): Promise<UserRow | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findByEmail(email: string): Promise<UserRow | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  /** Returns null when the e-mail is taken. */
  async create(data: {
    email: string;
    passwordHash: string;
    role: UserRole;
    displayName?: string | null;
  }): Promise<UserRow | null> {
    try {
      return await this.prisma.user.create({ data: { ...data, displayName: data.displayName ?? null } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  update(id: string, data: { status?: UserStatus; role?: UserRole }): Promise<UserRow> {
    return this.prisma.user.update({
      where: { id },
      data: { ...data, ...(data.status ? { statusChangedAt: new Date() } : {}) },
    });
  }

  countAdmins(): Promise<number> {
    return this.prisma.user.count({ where: { role: 'admin' } });
  }

  /** Keyset pagination by id. */
  list(query: { limit: number; cursor?: string; status?: UserStatus; role?: UserRole }): Promise<UserRow[]> {
    return this.prisma.user.findMany({
      where: {
        status: query.status,
        role: query.role,
        ...(query.cursor ? { id: { gt: query.cursor } } : {}),
      },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
  }
}
