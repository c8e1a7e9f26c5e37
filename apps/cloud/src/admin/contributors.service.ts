import { Injectable } from '@nestjs/common';
import type {
  AdminContributionList,
  AdminContributionListQuery,
  AdminContributorDetail,
  AdminContributorList,
  AdminContributorListQuery,
  AdminContributorSummary,
  AdminDaysQuery,
  ContributorActionResult,
  PurgeResult,
  UserStatus,
} from '@stash-sense/contracts';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditService } from '../audit/audit.service.js';
import { conflict, forbidden, notFound } from '../common/domain-errors.js';
import type { Principal } from '../common/request-context.js';
import { ContributionsService } from '../contributions/contributions.service.js';
import { UsersService } from '../users/users.service.js';
import { AdminRefsService, toModelRef, toPerformerRef, UNKNOWN_MODEL } from './admin-refs.service.js';
import { type ContributorRow, ContributorsRepository } from './contributors.repository.js';
import { decodeCursor, pageOf } from './cursor.js';
import { dailySeries, windowStart } from './daily-series.js';
import { ModerationService } from './moderation.service.js';

const ACTION_STATUS = { suspend: 'suspended', ban: 'banned', reinstate: 'active' } as const satisfies Record<
  ContributorActionResult['action'],
  UserStatus
>;

export function toContributorSummary(r: ContributorRow): AdminContributorSummary {
  const decided = r.trustedFaces + r.disagreedFaces;
  return {
    id: r.id,
    email: r.email,
    displayName: r.displayName,
    status: r.status,
    reputation: r.reputation,
    reputationFlagged: r.reputationFlagged,
    role: r.role,
    trustedFaces: r.trustedFaces,
    disagreedFaces: r.disagreedFaces,
    agreementRate: decided ? r.trustedFaces / decided : null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Contributor pages and the actions on accounts: suspend, ban, reinstate, purge. */
@Injectable()
export class ContributorsService {
  constructor(
    private readonly repository: ContributorsRepository,
    private readonly refs: AdminRefsService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly contributions: ContributionsService,
    private readonly moderation: ModerationService,
    private readonly audit: AuditService,
  ) {}

  async list(query: AdminContributorListQuery): Promise<AdminContributorList> {
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string'] as const) : null;
    const rows = await this.repository.list({
      ...query,
      flagged: query.flagged === undefined ? undefined : query.flagged === 'true',
      after: after ? { createdAt: after[0], id: after[1] } : undefined,
    });
    return pageOf(rows, query.limit, toContributorSummary, (r) => [r.createdAt.toISOString(), r.id]);
  }

  private async row(id: string): Promise<ContributorRow> {
    const row = await this.repository.get(id);
    if (!row) throw notFound(`no account ${id}`);
    return row;
  }

  async get(id: string, query: AdminDaysQuery): Promise<AdminContributorDetail> {
    const row = await this.row(id);
    const start = windowStart(new Date(), query.days);
    const [byStatus, faces, perDay, open, apiKeys] = await Promise.all([
      this.repository.contributionsByStatus(id),
      this.repository.faceCounts(id),
      this.repository.perDay(id, start),
      this.moderation.openCount({ contributor: id }),
      this.apiKeys.listOf(id),
    ]);
    return {
      ...toContributorSummary(row),
      statusChangedAt: row.statusChangedAt?.toISOString() ?? null,
      reputationReason: row.reputationReason,
      moderatorApproved: row.moderatorApproved,
      moderatorRejected: row.moderatorRejected,
      contributionsByStatus: byStatus,
      faces: { pending: faces.pending ?? 0, trusted: faces.trusted ?? 0, rejected: faces.rejected ?? 0 },
      contributionsPerDay: dailySeries(start, query.days, perDay.days, (day) => ({
        day,
        contributions: 0,
        faces: 0,
      })),
      lastContributionAt: perDay.last?.toISOString() ?? null,
      openModerationItems: open,
      apiKeys,
    };
  }

  async contributionsOf(id: string, query: AdminContributionListQuery): Promise<AdminContributionList> {
    await this.row(id);
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string'] as const) : null;
    const rows = await this.repository.contributions(id, {
      ...query,
      after: after ? { createdAt: after[0], id: after[1] } : undefined,
    });
    const page = rows.slice(0, query.limit);
    const [performers, scenes, models] = await Promise.all([
      this.refs.performers(page.map((r) => r.performerId)),
      this.refs.scenes(page.map((r) => r.sceneId)),
      this.refs.models(),
    ]);
    return pageOf(
      rows,
      query.limit,
      (r) => {
        const model = models.get(r.modelId);
        return {
          id: r.id,
          performer: toPerformerRef(performers.get(r.performerId)!),
          scene: scenes.get(r.sceneId)!,
          model: model ? toModelRef(model) : UNKNOWN_MODEL,
          status: r.status,
          statusReason: r.statusReason,
          faces: { pending: r.pending, trusted: r.trusted, rejected: r.rejected },
          createdAt: r.createdAt.toISOString(),
          updatedAt: r.updatedAt.toISOString(),
        };
      },
      (r) => [r.createdAt.toISOString(), r.id],
    );
  }

  /**
   * Suspend, ban or reinstate through the one status change of the account API (UsersService.update: audited,
   * effective on the next request). Moderators act on contributors only, and cannot lift a ban.
   */
  async setStatus(
    actor: Principal,
    id: string,
    action: ContributorActionResult['action'],
    reason: string | undefined,
    ip: string | null,
  ): Promise<ContributorActionResult> {
    const before = await this.row(id);
    if (actor.role !== 'admin' && before.role !== 'contributor')
      throw forbidden(`only admins can change a ${before.role}'s account`);
    if (actor.role !== 'admin' && before.status === 'banned') throw forbidden('only admins can lift a ban');
    const status = ACTION_STATUS[action];
    if (before.status === status) throw conflict(`account ${before.email} is ${status} already`);
    await this.users.update(actor, id, { status, reason }, ip);
    return { contributor: toContributorSummary(await this.row(id)), action, previousStatus: before.status };
  }

  async purge(actor: Principal, id: string, reason: string, ip: string | null): Promise<PurgeResult> {
    const before = await this.row(id);
    if (actor.userId === id) throw forbidden('you cannot purge your own contributions here: withdraw them');
    const result = await this.contributions.purge(id);
    await this.audit.record({
      actorId: actor.userId,
      action: 'contributor.purged',
      targetType: 'user',
      targetId: id,
      details: {
        reason,
        email: before.email,
        withdrawnContributions: result.withdrawnContributions,
        deletedFaces: result.deletedFaces,
        performersRequeued: result.performersRequeued,
      },
      ip,
    });
    return {
      contributor: toContributorSummary(await this.row(id)),
      withdrawnContributions: result.withdrawnContributions,
      deletedFaces: result.deletedFaces,
      performersRequeued: result.performersRequeued,
      effective: result.effective,
    };
  }
}
