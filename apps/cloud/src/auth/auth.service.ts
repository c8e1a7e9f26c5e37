import { Injectable } from '@nestjs/common';
import type { LoginRequest, RegisterRequest, TokenPair, User } from '@stash-sense/contracts';
import { AuditService } from '../audit/audit.service.js';
import { conflict, forbidden, unauthorized } from '../common/domain-errors.js';
import type { Principal } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { toUser } from '../users/user.mapper.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { PasswordService } from './password.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { SCOPES_OF_ROLE } from './scopes.js';
import { generateRefreshToken, sha256Hex } from './secrets.js';
import { TokenService } from './token.service.js';

const DAY_MS = 86_400_000;

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  /** Self-service sign-up: always a contributor. */
  async register(request: RegisterRequest, ip: string | null): Promise<User> {
    const row = await this.users.create({
      email: request.email,
      passwordHash: await this.passwords.hash(request.password),
      role: 'contributor',
      displayName: request.displayName ?? null,
    });
    if (!row) throw conflict('an account with this e-mail exists already: log in instead');
    await this.audit.record({
      actorId: row.id,
      action: 'user.registered',
      targetType: 'user',
      targetId: row.id,
      ip,
    });
    return toUser(row);
  }

  async login(request: LoginRequest, ip: string | null): Promise<TokenPair> {
    const row = await this.users.findByEmail(request.email);
    const ok = await this.passwords.verify(row?.passwordHash ?? null, request.password);
    if (!row || !ok) throw unauthorized('e-mail or password is wrong');
    this.assertActive(row);
    await this.audit.record({
      actorId: row.id,
      action: 'user.logged_in',
      targetType: 'user',
      targetId: row.id,
      ip,
    });
    return this.issue(row);
  }

  /** Rotates the refresh token. A token used twice means it leaked: every session of the user ends. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const stored = await this.refreshTokens.findByHash(sha256Hex(refreshToken));
    if (!stored) throw unauthorized('refresh token not recognised: log in again');
    if (stored.revokedAt || !(await this.refreshTokens.consume(stored.id))) {
      await this.refreshTokens.revokeAllForUser(stored.userId);
      throw unauthorized('refresh token was already used: every session was ended, log in again');
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw unauthorized('refresh token expired: log in again');
    this.assertActive(stored.user);
    return this.issue(stored.user);
  }

  async logout(refreshToken: string): Promise<void> {
    const stored = await this.refreshTokens.findByHash(sha256Hex(refreshToken));
    if (stored) await this.refreshTokens.consume(stored.id);
  }

  /** Resolves an access token to its principal; re-reads the account so that suspension is immediate. */
  async authenticateAccessToken(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token);
    const row = await this.users.findById(claims.userId);
    if (!row) throw unauthorized('account no longer exists');
    this.assertActive(row);
    return { userId: row.id, email: row.email, role: row.role, via: 'jwt', scopes: SCOPES_OF_ROLE[row.role] };
  }

  private assertActive(row: UserRow): void {
    if (row.status !== 'active') throw forbidden(`account ${row.status}: contact a moderator`);
  }

  private async issue(row: UserRow): Promise<TokenPair> {
    const { token, hash } = generateRefreshToken();
    await this.refreshTokens.create({
      userId: row.id,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlDays * DAY_MS),
    });
    return {
      tokenType: 'Bearer',
      accessToken: await this.tokens.sign({ userId: row.id, role: row.role }),
      expiresIn: this.tokens.accessTtlSec,
      refreshToken: token,
      user: toUser(row),
    };
  }
}
