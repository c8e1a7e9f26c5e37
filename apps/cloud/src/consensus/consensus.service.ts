import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { ConsensusRepository } from './consensus.repository.js';
import {
  type ConsensusConfig,
  type ConsensusConfigOverrides,
  consensusConfig,
  decidePerformer,
  detectSwaps,
  DISAGREEING_CODES,
  suggestIdentityLinks,
  updateReputation,
} from './consensus.rules.js';
import type { PerformerState } from './consensus.types.js';

/** Nearest established performers checked for a cross-stash-box identity link after each decision. */
const LINK_NEIGHBOURS = 20;
const DAY_MS = 86_400_000;

export interface ConsensusRunSummary {
  performerId: string;
  modelId: string;
  state: PerformerState | 'skipped';
  trusted: number;
  rejected: number;
  pending: number;
  conflicts: number;
  linkSuggestions: number;
  requeuedPartners: number;
}

/**
 * Runs the pure consensus rules for one performer × model against the database: reads every live
 * contribution, decides, and writes the decisions, conflicts, reputation and identity-link suggestions in
 * one transaction under a per-performer advisory lock. Recomputed from all inputs each time, so the
 * result does not depend on the order in which jobs ran.
 */
@Injectable()
export class ConsensusService {
  private readonly logger = new Logger(ConsensusService.name);
  readonly rules: ConsensusConfig;

  constructor(
    config: AppConfig,
    private readonly repository: ConsensusRepository,
    private readonly outbox: OutboxService,
  ) {
    this.rules = consensusConfig(config.consensusOverrides as ConsensusConfigOverrides);
  }

  async decide(performerId: string, modelId: string): Promise<ConsensusRunSummary> {
    const now = new Date();
    const { summary, outboxIds } = await this.repository.inTransaction(async (client) => {
      await this.repository.lockPerformer(client, performerId, modelId);
      const skipped = {
        performerId,
        modelId,
        state: 'skipped' as const,
        trusted: 0,
        rejected: 0,
        pending: 0,
        conflicts: 0,
        linkSuggestions: 0,
        requeuedPartners: 0,
      };
      const model = await this.repository.model(client, modelId);
      if (!model) return { summary: skipped, outboxIds: [] };
      const previous = await this.repository.previousState(client, performerId, modelId);
      const contributions = await this.repository.contributions(client, performerId, modelId);
      const notSame = await this.repository.notSame(client, performerId, modelId);
      if (!contributions.length && !previous) return { summary: skipped, outboxIds: [] };

      const contributorIds = [
        ...new Set([...contributions.map((c) => c.contributorId), ...notSame.map((n) => n.contributorId)]),
      ].sort();
      const result = decidePerformer(
        {
          performerId,
          contributions,
          contributors: await this.repository.contributorProfiles(client, contributorIds, now),
          otherPerformers: await this.repository.otherPerformers(client, performerId, modelId),
          notSame,
        },
        this.rules,
      );
      await this.repository.saveResult(client, result, modelId, model.dimension);

      // Swapped performers are a scene-level pattern: check every scene this performer is credited on.
      const scenes = await this.repository.scenePeers(client, performerId, modelId);
      let conflicts = result.conflicts.length;
      for (const scene of scenes) {
        const swaps = detectSwaps(scene, this.rules);
        conflicts += swaps.length;
        await this.repository.saveConflicts(client, swaps, modelId);
      }

      // Reputation from current totals over all the contributor's faces (idempotent recomputation).
      const tallies = await this.repository.faceTallies(client, contributorIds, [...DISAGREEING_CODES]);
      for (const counts of await this.repository.contributorCounts(client, contributorIds)) {
        const tally = tallies.get(counts.id) ?? { trusted: 0, disagreed: 0 };
        const r = updateReputation(
          {
            contributorId: counts.id,
            accountAgeDays: Math.floor((now.getTime() - counts.createdAt.getTime()) / DAY_MS),
            trustedFaces: tally.trusted,
            disagreedFaces: tally.disagreed,
            moderatorApproved: counts.moderatorApproved,
            moderatorRejected: counts.moderatorRejected,
          },
          this.rules,
        );
        await this.repository.saveReputation(client, {
          contributorId: counts.id,
          reputation: r.reputation,
          trusted: tally.trusted,
          disagreed: tally.disagreed,
          flagged: r.flagged,
          reason: r.reason,
        });
      }

      let linkSuggestions = 0;
      if (result.state === 'established' && result.centroid) {
        const candidates = await this.repository.linkCandidates(
          client,
          modelId,
          result.centroid,
          LINK_NEIGHBOURS,
        );
        for (const link of suggestIdentityLinks(candidates, this.rules)) {
          if (link.a !== performerId && link.b !== performerId) continue;
          await this.repository.saveLinkSuggestion(client, modelId, link);
          linkSuggestions += 1;
        }
      }

      // When this performer's consensus changed, its scene partners' look-alike and swap checks may too.
      const changed =
        !previous || previous.state !== result.state || previous.trustedFaces !== result.summary.trusted;
      const partners = changed
        ? [...new Set(scenes.flatMap((s) => s.performers.map((p) => p.performerId)))]
            .filter((id) => id !== performerId)
            .sort()
        : [];
      const outboxIds = await this.repository.queuePerformers(client, partners, modelId);
      return {
        summary: {
          performerId,
          modelId,
          state: result.state,
          trusted: result.summary.trusted,
          rejected: result.summary.rejected,
          pending: result.summary.pending,
          conflicts,
          linkSuggestions,
          requeuedPartners: partners.length,
        },
        outboxIds,
      };
    });
    await this.outbox.dispatch(outboxIds);
    if (summary.state !== 'skipped') {
      this.logger.log(
        `performer ${performerId}: ${summary.state}, ${summary.trusted} trusted / ${summary.rejected} rejected / ${summary.pending} pending, ${summary.conflicts} conflicts`,
      );
    }
    return summary;
  }
}
