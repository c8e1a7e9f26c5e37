import { Injectable } from '@nestjs/common';
import type { AdminDaysQuery, AdminOverview, IndexVersionSummary } from '@stash-sense/contracts';
import { IndexesService } from '../indexes/indexes.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { dailySeries, windowStart } from './daily-series.js';
import { OverviewRepository } from './overview.repository.js';

/** The dashboard's first page: contributions, faces, contributors, moderation, queues and the latest indexes. */
@Injectable()
export class OverviewService {
  constructor(
    private readonly repository: OverviewRepository,
    private readonly jobs: JobsService,
    private readonly indexes: IndexesService,
  ) {}

  async overview(query: AdminDaysQuery): Promise<AdminOverview> {
    const now = new Date();
    const start = windowStart(now, query.days);
    const [perDay, counts, queues, versions] = await Promise.all([
      this.repository.perDay(start),
      this.repository.counts(now),
      // Same figures as GET /ready; Redis down leaves the rest of the page usable.
      this.jobs.stats().catch(() => null),
      this.indexes.list(undefined),
    ]);
    const latest = new Map<string, IndexVersionSummary>();
    for (const v of versions.versions) {
      const key = `${v.model.name}@${v.model.version}`;
      if (v.status === 'published' && !latest.has(key)) latest.set(key, v);
    }
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return {
      generatedAt: now.toISOString(),
      days: query.days,
      contributionsPerDay: dailySeries(start, query.days, perDay, (day) => ({
        day,
        contributions: 0,
        faces: 0,
      })),
      contributionsByStatus: counts.contributionsByStatus,
      faces: {
        pending: counts.faces.pending ?? 0,
        trusted: counts.faces.trusted ?? 0,
        rejected: counts.faces.rejected ?? 0,
      },
      activeContributors: { last7Days: counts.active7, last30Days: counts.active30 },
      contributors: counts.users,
      performers: { total: counts.performers, byConsensusState: counts.consensusStates },
      moderation: {
        open: sum(counts.openByKind),
        openByKind: counts.openByKind,
        openLinkSuggestions: counts.openLinks,
      },
      queues,
      latestIndexes: [...latest.values()],
    };
  }
}
