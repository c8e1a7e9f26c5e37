import { Injectable } from '@nestjs/common';
import type {
  ApiKey,
  ApiKeyList,
  ApiKeyScope,
  CreateApiKeyRequest,
  CreatedApiKey,
} from '@stash-sense/contracts';
import { AuditService } from '../audit/audit.service.js';
import { SCOPES_OF_ROLE } from '../auth/scopes.js';
import { generateApiKey, sha256Hex } from '../auth/secrets.js';
import { conflict, forbidden, notFound, unauthorized } from '../common/domain-errors.js';
import type { Principal } from '../common/request-context.js';
import { API_KEY_TOUCH_INTERVAL_MS, ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
  ) {}

  async create(owner: Principal, request: CreateApiKeyRequest, ip: string | null): Promise<CreatedApiKey> {
    const allowed = SCOPES_OF_ROLE[owner.role];
    const denied = request.scopes.filter((s) => !allowed.includes(s));
    if (denied.length) throw forbidden(`your role (${owner.role}) cannot hold scope ${denied.join(', ')}`);
    const { key, prefix, hash } = generateApiKey();
    const scopes = [...new Set(request.scopes)];
    const row = await this.keys.create({
      userId: owner.userId,
      name: request.name,
      prefix,
      keyHash: hash,
      scopes,
    });
    await this.audit.record({
      actorId: owner.userId,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: row.id,
      details: { prefix, scopes },
      ip,
    });
    return { ...toApiKey(row), key };
  }

  async list(owner: Principal): Promise<ApiKeyList> {
    return { items: (await this.keys.listForUser(owner.userId)).map(toApiKey) };
  }

  async revoke(owner: Principal, id: string, ip: string | null): Promise<ApiKey> {
    const row = await this.keys.revoke(owner.userId, id);
    if (!row) throw notFound(`no API key ${id} on your account`);
    await this.audit.record({
      actorId: owner.userId,
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: id,
      ip,
    });
    return toApiKey(row);
  }

  /** An admin revokes another account's key (a leaked or abused one); it stops working at once. */
  async revokeAny(actor: Principal, id: string, ip: string | null): Promise<ApiKey> {
    const result = await this.keys.revokeAny(id);
    if (!result) throw notFound(`no API key ${id}`);
    if (!result.revokedNow) throw conflict(`API key ${result.row.prefix}… is revoked already`);
    await this.audit.record({
      actorId: actor.userId,
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: id,
      details: { owner: result.row.userId, prefix: result.row.prefix, byAdmin: true },
      ip,
    });
    return toApiKey(result.row);
  }

  /** Every key of an account (admin views), newest first; no secrets. */
  async listOf(userId: string): Promise<ApiKey[]> {
    return (await this.keys.listForUser(userId)).map(toApiKey);
  }

  /** Resolves a presented key to its principal. Revoked keys and inactive accounts are refused at once. */
  async authenticate(rawKey: string): Promise<Principal> {
    const row = await this.keys.findForAuthentication(sha256Hex(rawKey));
    if (!row)
      throw unauthorized('API key not recognised: create one in your account and send it as a Bearer token');
    if (row.revokedAt) throw unauthorized(`API key ${row.prefix}… was revoked: create a new one`);
    if (row.user.status !== 'active') throw forbidden(`account ${row.user.status}: its API keys do not work`);
    const now = new Date();
    // The repository records use at most once a minute: skip the query when the row already says so.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= API_KEY_TOUCH_INTERVAL_MS)
      await this.keys.touch(row.id, now);
    // Scopes are capped by the role the account has now (a demoted moderator loses `moderate` at once).
    const allowed = SCOPES_OF_ROLE[row.user.role];
    const scopes: ApiKeyScope[] = row.scopes.filter((s) => allowed.includes(s));
    return {
      userId: row.user.id,
      email: row.user.email,
      role: row.user.role,
      via: 'api-key',
      scopes,
      apiKeyId: row.id,
    };
  }
}
