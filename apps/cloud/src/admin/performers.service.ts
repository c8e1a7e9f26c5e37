import { Injectable } from '@nestjs/common';
import type {
  AdminPerformerDetail,
  AdminPerformerList,
  AdminPerformerListQuery,
  AdminPerformerQuery,
  AdminPerformerSummary,
  DistanceHistogram,
} from '@stash-sense/contracts';
import { AppConfig } from '../config/app-config.js';
import { notFound } from '../common/domain-errors.js';
import type { PerformerRefRow } from './admin-refs.repository.js';
import {
  AdminRefsService,
  toContributorRef,
  toModelRef,
  toModerationPerformer,
} from './admin-refs.service.js';
import { decodeCursor, pageOf } from './cursor.js';
import { dailySeries, windowStart } from './daily-series.js';
import { ModerationService } from './moderation.service.js';
import { HISTOGRAM_BUCKET_WIDTH, HISTOGRAM_BUCKETS, PerformersRepository } from './performers.repository.js';

/** The performer page shows at most this many contributors (most faces first): a table, not an export. */
const PERFORMER_CONTRIBUTORS = 100;

function externalUrls(value: unknown): { site: string; url: string }[] {
  return Array.isArray(value)
    ? value.flatMap((v: { site?: unknown; url?: unknown }) =>
        typeof v?.site === 'string' && typeof v.url === 'string' ? [{ site: v.site, url: v.url }] : [],
      )
    : [];
}

const summary = (p: PerformerRefRow): AdminPerformerSummary => ({
  ...toModerationPerformer(p),
  primarySource: p.primarySource,
  createdAt: p.createdAt.toISOString(),
});

function histogram(buckets: Map<number, number> | null): DistanceHistogram {
  const out = Array.from({ length: HISTOGRAM_BUCKETS + 1 }, (_, i) => ({
    from: Math.round(i * HISTOGRAM_BUCKET_WIDTH * 100) / 100,
    to: i === HISTOGRAM_BUCKETS ? 2 : Math.round((i + 1) * HISTOGRAM_BUCKET_WIDTH * 100) / 100,
    count: buckets?.get(i) ?? 0,
  }));
  return {
    bucketWidth: HISTOGRAM_BUCKET_WIDTH,
    buckets: out,
    total: out.reduce((s, b) => s + b.count, 0),
    centroidAvailable: buckets !== null,
  };
}

/** Performer pages: the identity graph, consensus, contributors, face distances and link suggestions. */
@Injectable()
export class PerformersService {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: PerformersRepository,
    private readonly refs: AdminRefsService,
    private readonly moderation: ModerationService,
  ) {}

  async list(query: AdminPerformerListQuery): Promise<AdminPerformerList> {
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string'] as const) : null;
    const rows = await this.repository.list({
      ...query,
      after: after ? { name: after[0], id: after[1] } : undefined,
    });
    const refs = await this.refs.performers(rows.slice(0, query.limit).map((r) => r.id));
    return pageOf(
      rows,
      query.limit,
      (r) => summary(refs.get(r.id)!),
      (r) => [r.name, r.id],
    );
  }

  async get(id: string, query: AdminPerformerQuery): Promise<AdminPerformerDetail> {
    const models = [...(await this.refs.models()).values()];
    const name = query.model ?? this.config.indexes.defaultModel;
    const model = models.find((m) => m.name === name) ?? (query.model === undefined ? models[0] : undefined);
    if (query.model !== undefined && !model) throw notFound(`no embedding model "${query.model}"`);
    const performer = (await this.refs.performers([id], model?.id ?? null)).get(id);
    if (!performer) throw notFound(`no performer ${id}`);
    const start = windowStart(new Date(), query.days);
    const [consensus, faces, trusted, contributors, buckets, links, open] = await Promise.all([
      model ? this.repository.consensus(id, model.id) : null,
      model ? this.repository.faceCounts(id, model.id) : ({} as Record<string, number>),
      model ? this.repository.trustedByDay(id, model.id, start) : { before: 0, days: [] },
      model ? this.repository.contributors(id, model.id, PERFORMER_CONTRIBUTORS) : [],
      model ? this.repository.distanceHistogram(id, model.id) : null,
      this.moderation.linksOf(id),
      this.moderation.openCount({ performer: id }),
    ]);
    const accounts = await this.refs.users(contributors.map((c) => c.contributorId));
    let cumulative = trusted.before;
    const perDay = dailySeries(start, query.days, trusted.days, (day) => ({ day, trusted: 0 })).map((d) => ({
      day: d.day,
      trusted: (cumulative += d.trusted),
    }));
    return {
      ...summary(performer),
      externalUrls: externalUrls(performer.externalUrls),
      model: model ? toModelRef(model) : null,
      consensus: consensus
        ? {
            state: consensus.state,
            trustedFaces: consensus.trustedFaces,
            contributorsAgreeing: consensus.contributorsAgreeing,
            weight: consensus.weight,
            reason: consensus.reason,
            decidedAt: consensus.decidedAt.toISOString(),
          }
        : null,
      faces: { pending: faces.pending ?? 0, trusted: faces.trusted ?? 0, rejected: faces.rejected ?? 0 },
      trustedOverTime: perDay,
      contributors: contributors.flatMap((c) => {
        const account = accounts.get(c.contributorId);
        return account
          ? [
              {
                contributor: toContributorRef(account),
                contributions: c.contributions,
                faces: { pending: c.pending, trusted: c.trusted, rejected: c.rejected },
                lastContributionAt: c.lastContributionAt.toISOString(),
              },
            ]
          : [];
      }),
      distanceHistogram: histogram(buckets),
      linkSuggestions: links,
      openModerationItems: open,
    };
  }
}
