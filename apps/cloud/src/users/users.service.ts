import { Injectable, Logger } from '@nestjs/common';
import type { UpdateUserRequest, User, UserList, UserListQuery, UserRole } from '@stash-sense/contracts';
import { AuditService } from '../audit/audit.service.js';
import { PasswordService } from '../auth/password.service.js';
import type { Principal } from '../common/request-context.js';
import { badRequest, conflict, forbidden, notFound } from '../common/domain-errors.js';
import { toUser } from './user.mapper.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async get(id: string): Promise<User> {
    const row = await this.users.findById(id);
    if (!row) throw notFound(`no user ${id}`);
    return toUser(row);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.users.findByEmail(email.trim().toLowerCase());
    return row ? toUser(row) : null;
  }

  async list(query: UserListQuery): Promise<UserList> {
    const rows = await this.users.list(query);
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toUser),
      nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }

  /** Creates an account with any role (CLI and first-start bootstrap; registration goes through AuthService). */
  async create(input: {
    email: string;
    password: string;
    role: UserRole;
    displayName?: string;
  }): Promise<User> {
    const row = await this.users.create({
      email: input.email.trim().toLowerCase(),
      passwordHash: await this.passwords.hash(input.password),
      role: input.role,
      displayName: input.displayName ?? null,
    });
    if (!row) throw conflict(`an account with e-mail ${input.email} exists already`);
    await this.audit.record({
      actorId: null,
      action: 'user.created',
      targetType: 'user',
      targetId: row.id,
      details: { role: row.role },
    });
    return toUser(row);
  }

  /** Creates the configured admin on first start, when no admin exists yet. */
  async bootstrapAdmin(admin: { email: string; password: string } | null): Promise<void> {
    if (!admin || (await this.users.countAdmins()) > 0) return;
    const existing = await this.users.findByEmail(admin.email);
    if (existing) {
      await this.users.update(existing.id, { role: 'admin' });
      this.logger.log(`promoted ${admin.email} to admin (ADMIN_EMAIL)`);
      return;
    }
    await this.create({ email: admin.email, password: admin.password, role: 'admin' });
    this.logger.log(`created admin ${admin.email} (ADMIN_EMAIL)`);
  }

  /** Status or role change by an admin. Suspension takes effect at once: every request re-reads status. */
  async update(actor: Principal, id: string, change: UpdateUserRequest, ip: string | null): Promise<User> {
    if (actor.userId === id) throw badRequest('you cannot change your own status or role: ask another admin');
    const before = await this.users.findById(id);
    if (!before) throw notFound(`no user ${id}`);
    if (before.role === 'admin' && actor.role !== 'admin') throw forbidden('only admins can change an admin');
    const row = await this.users.update(id, { status: change.status, role: change.role });
    await this.audit.record({
      actorId: actor.userId,
      action: change.status && change.status !== before.status ? `user.${change.status}` : 'user.updated',
      targetType: 'user',
      targetId: id,
      details: {
        before: { status: before.status, role: before.role },
        after: { status: row.status, role: row.role },
        reason: change.reason ?? null,
      },
      ip,
    });
    return toUser(row);
  }
}
