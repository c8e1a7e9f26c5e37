import { Injectable } from '@nestjs/common';
import type {
  IdentityLinkDecision,
  IdentityLinkList,
  IdentityLinkListQuery,
  IdentityLinkSuggestion,
  ModerationItemDetail,
  ModerationItemSummary,
  ModerationKind,
  ModerationList,
  ModerationListQuery,
  ModerationResolveRequest,
  ModerationResolveResult,
} from '@stash-sense/contracts';
import { AuditService } from '../audit/audit.service.js';
import { badRequest, conflict, notFound } from '../common/domain-errors.js';
import type { Principal } from '../common/request-context.js';
import { OutboxService } from '../outbox/outbox.service.js';
import type { ModelRow, PerformerRefRow } from './admin-refs.repository.js';
import {
  AdminRefsService,
  toContributorRef,
  toModelRef,
  toModerationPerformer,
  toPerformerRef,
  toUserRef,
  UNKNOWN_MODEL,
} from './admin-refs.service.js';
import { decodeCursor, pageOf } from './cursor.js';
import {
  type IdentityLinkRow,
  type ModerationItemRow,
  ModerationRepository,
  ModerationStateError,
} from './moderation.repository.js';

const PAST_TENSE = {
  approve: 'approved',
  reject: 'rejected',
  reassign: 'reassigned',
  dismiss: 'dismissed',
} as const;

/** The moderation queue (conflicts and flags from consensus) and identity-link suggestions, with the decisions on them. */
@Injectable()
export class ModerationService {
  constructor(
    private readonly repository: ModerationRepository,
    private readonly refs: AdminRefsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ModerationListQuery): Promise<ModerationList> {
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string'] as const) : null;
    const rows = await this.repository.list({
      ...query,
      after: after ? { createdAt: after[0], id: after[1] } : undefined,
    });
    const summaries = await this.summaries(rows.slice(0, query.limit));
    return pageOf(
      rows,
      query.limit,
      (r) => summaries.get(r.id)!,
      (r) => [r.createdAt.toISOString(), r.id],
    );
  }

  private async summaries(rows: readonly ModerationItemRow[]): Promise<Map<string, ModerationItemSummary>> {
    const [performers, resolvers, models] = await Promise.all([
      this.refs.performers(rows.flatMap((r) => r.performerIds)),
      this.refs.users(rows.flatMap((r) => (r.resolvedBy ? [r.resolvedBy] : []))),
      this.refs.models(),
    ]);
    return new Map(rows.map((r) => [r.id, this.summary(r, performers, resolvers, models)]));
  }

  private summary(
    r: ModerationItemRow,
    performers: Map<string, PerformerRefRow>,
    users: Map<string, { id: string; email: string; displayName: string | null }>,
    models: Map<string, ModelRow>,
  ): ModerationItemSummary {
    const model = models.get(r.modelId);
    const resolver = r.resolvedBy ? users.get(r.resolvedBy) : undefined;
    return {
      id: r.id,
      kind: r.kind as ModerationKind,
      status: r.status,
      blocking: r.blocking,
      summary: r.summary,
      model: model ? toModelRef(model) : UNKNOWN_MODEL,
      performers: r.performerIds.flatMap((id) => {
        const p = performers.get(id);
        return p ? [toPerformerRef(p)] : [];
      }),
      contributionCount: r.contributionIds.length,
      contributorCount: r.contributorIds.length,
      sceneCount: r.sceneIds.length,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
      resolvedBy: resolver ? toUserRef(resolver) : null,
      resolution: r.resolution,
    };
  }

  async get(id: string): Promise<ModerationItemDetail> {
    const row = await this.repository.item(id);
    if (!row) throw notFound(`no moderation item ${id}`);
    const contributions = await this.repository.contributions(row.contributionIds);
    const performerIds = [...row.performerIds, ...contributions.map((c) => c.performerId)];
    const [performers, users, scenes, models] = await Promise.all([
      this.refs.performers(performerIds, row.modelId),
      this.refs.users([
        ...row.contributorIds,
        ...contributions.map((c) => c.contributorId),
        ...(row.resolvedBy ? [row.resolvedBy] : []),
      ]),
      this.refs.scenes([...row.sceneIds, ...contributions.map((c) => c.sceneId)]),
      this.refs.models(),
    ]);
    return {
      ...this.summary(row, performers, users, models),
      evidence: row.evidence,
      performers: [...new Set(performerIds)].flatMap((pid) => {
        const p = performers.get(pid);
        return p ? [toModerationPerformer(p)] : [];
      }),
      contributions: contributions.flatMap((c) => {
        const contributor = users.get(c.contributorId);
        const performer = performers.get(c.performerId);
        const scene = scenes.get(c.sceneId);
        if (!contributor || !performer || !scene) return [];
        return [
          {
            id: c.id,
            contributor: toContributorRef(contributor),
            performer: toPerformerRef(performer),
            scene,
            status: c.status as ModerationItemDetail['contributions'][number]['status'],
            statusReason: c.statusReason,
            moderation: c.moderation,
            faces: { pending: c.pending, trusted: c.trusted, rejected: c.rejected },
            distanceToConsensus: c.distanceToConsensus,
            createdAt: c.createdAt.toISOString(),
          },
        ];
      }),
      scenes: row.sceneIds.flatMap((sid) => {
        const s = scenes.get(sid);
        return s ? [s] : [];
      }),
    };
  }

  async resolve(
    actor: Principal,
    id: string,
    request: ModerationResolveRequest,
    ip: string | null,
  ): Promise<ModerationResolveResult> {
    const current = await this.repository.item(id);
    if (!current) throw notFound(`no moderation item ${id}`);
    const foreign = (request.contributionIds ?? []).filter((c) => !current.contributionIds.includes(c));
    if (foreign.length)
      throw badRequest(`contributions ${foreign.join(', ')} are not part of moderation item ${id}`, {
        fields: [{ field: 'contributionIds', message: 'not part of this item' }],
      });
    const target = request.action === 'reassign' ? request.targetPerformerId! : null;
    const resolution =
      PAST_TENSE[request.action] +
      (target ? ` to performer ${target}` : '') +
      (request.note ? `: ${request.note}` : '');
    let outcome;
    try {
      outcome = await this.repository.resolve({
        itemId: id,
        action: request.action,
        contributionIds: request.contributionIds ?? null,
        targetPerformerId: target,
        resolution,
        actorId: actor.userId,
      });
    } catch (err) {
      if (!(err instanceof ModerationStateError)) throw err;
      if (err.reason === 'not_found') throw notFound(`no moderation item ${id}`);
      if (err.reason === 'no_target') throw notFound(`no performer ${target} to reassign to`);
      if (err.reason === 'duplicate')
        throw conflict(
          `the contributor already has a contribution for performer ${target} on that scene: reject this one instead`,
        );
      throw conflict(
        `moderation item ${id} is ${current.status} already (${current.resolution ?? 'no note'})`,
      );
    }
    await this.outbox.dispatch(outcome.outboxIds);
    await this.audit.record({
      actorId: actor.userId,
      action: `moderation.${PAST_TENSE[request.action]}`,
      targetType: 'moderation_item',
      targetId: id,
      details: {
        kind: current.kind,
        action: request.action,
        note: request.note ?? null,
        targetPerformerId: target,
        contributionIds: request.contributionIds ?? current.contributionIds,
        contributionsAffected: outcome.contributionsAffected,
        facesAffected: outcome.facesAffected,
        performersRequeued: outcome.performersRequeued,
      },
      ip,
    });
    const summaries = await this.summaries([outcome.item]);
    return {
      item: summaries.get(id)!,
      action: request.action,
      contributionsAffected: outcome.contributionsAffected,
      facesAffected: outcome.facesAffected,
      contributorsUpdated: outcome.contributorsUpdated,
      performersRequeued: outcome.performersRequeued,
    };
  }

  async openCount(filter: { performer?: string; contributor?: string }): Promise<number> {
    return this.repository.openCount(filter);
  }

  async links(query: IdentityLinkListQuery): Promise<IdentityLinkList> {
    const after = query.cursor ? decodeCursor(query.cursor, ['number', 'string'] as const) : null;
    const rows = await this.repository.links({
      ...query,
      after: after ? { distance: after[0], id: after[1] } : undefined,
    });
    const links = await this.toLinks(rows.slice(0, query.limit));
    return pageOf(
      rows,
      query.limit,
      (r) => links.get(r.id)!,
      (r) => [r.distance, r.id],
    );
  }

  /** Every suggestion naming the performer (for its page). */
  async linksOf(performerId: string): Promise<IdentityLinkSuggestion[]> {
    const rows = await this.repository.linksOf(performerId);
    const links = await this.toLinks(rows);
    return rows.map((r) => links.get(r.id)!);
  }

  private async toLinks(rows: readonly IdentityLinkRow[]): Promise<Map<string, IdentityLinkSuggestion>> {
    const [performers, models] = await Promise.all([
      this.refs.performers(rows.flatMap((r) => [r.performerA, r.performerB])),
      this.refs.models(),
    ]);
    const performer = (id: string) => {
      const p = performers.get(id);
      return p
        ? toModerationPerformer(p)
        : { id, name: 'unknown', disambiguation: null, stashIds: [], consensusState: null, trustedFaces: 0 };
    };
    return new Map(
      rows.map((r) => {
        const model = models.get(r.modelId);
        return [
          r.id,
          {
            id: r.id,
            status: r.status,
            distance: r.distance,
            model: model ? toModelRef(model) : UNKNOWN_MODEL,
            performerA: performer(r.performerA),
            performerB: performer(r.performerB),
            createdAt: r.createdAt.toISOString(),
            updatedAt: r.updatedAt.toISOString(),
          },
        ];
      }),
    );
  }

  async decideLink(
    actor: Principal,
    id: string,
    decision: 'accepted' | 'declined',
    note: string | undefined,
    ip: string | null,
  ): Promise<IdentityLinkDecision> {
    const current = await this.repository.link(id);
    if (!current) throw notFound(`no identity-link suggestion ${id}`);
    const decided = await this.repository.decideLink(id, decision);
    if (!decided) throw conflict(`identity-link suggestion ${id} is ${current.status} already`);
    await this.outbox.dispatch(decided.outboxIds);
    await this.audit.record({
      actorId: actor.userId,
      action: `identity_link.${decision}`,
      targetType: 'identity_link',
      targetId: id,
      details: {
        performerA: decided.link.performerA,
        performerB: decided.link.performerB,
        distance: decided.link.distance,
        note: note ?? null,
      },
      ip,
    });
    const links = await this.toLinks([decided.link]);
    return {
      link: links.get(id)!,
      performersRequeued: [decided.link.performerA, decided.link.performerB].sort(),
    };
  }
}
