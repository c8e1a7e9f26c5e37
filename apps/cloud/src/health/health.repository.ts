import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

export interface ConsensusStats {
  performersByState: Record<string, number>;
  trustedFaces: number;
  openModerationByKind: Record<string, number>;
  flaggedContributors: number;
}

@Injectable()
export class HealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  /** Names of migrations recorded as successfully applied. */
  async appliedMigrations(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    return rows.map((r) => r.migration_name);
  }

  /** Summary tables only (performer_consensus, moderation_items, users): cheap enough for every scrape. */
  async consensusStats(): Promise<ConsensusStats> {
    const [performers, moderation, flagged] = await Promise.all([
      this.prisma.$queryRaw<{ state: string; count: number; trusted: number }[]>`
        SELECT state, count(*)::int AS count, coalesce(sum(trusted_faces), 0)::int AS trusted
        FROM performer_consensus GROUP BY state`,
      this.prisma.$queryRaw<{ kind: string; count: number }[]>`
        SELECT kind, count(*)::int AS count FROM moderation_items WHERE status = 'open' GROUP BY kind`,
      this.prisma.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM users WHERE reputation_flagged`,
    ]);
    return {
      performersByState: Object.fromEntries(performers.map((r) => [r.state, r.count])),
      trustedFaces: performers.reduce((sum, r) => sum + r.trusted, 0),
      openModerationByKind: Object.fromEntries(moderation.map((r) => [r.kind, r.count])),
      flaggedContributors: flagged[0]?.count ?? 0,
    };
  }
}
