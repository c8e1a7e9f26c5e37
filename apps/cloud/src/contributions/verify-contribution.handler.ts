import { Injectable, Logger } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { StashBoxUnavailableError } from '../stash-box/stash-box.client.js';
import { StashBoxService } from '../stash-box/stash-box.service.js';
import { ContributionsRepository } from './contributions.repository.js';
import { verificationBackoffMs, verifyPerformer } from './verification.js';

/**
 * Verifies a contribution that was stored while its stash-box was unreachable. Idempotent: only a
 * contribution still `pending_verification` is touched. A stash-box still down postpones the next try
 * (exponential backoff, never dropped).
 */
@Injectable()
export class VerifyContributionHandler implements JobHandler<'contributions.verify'> {
  readonly name = 'contributions.verify' as const;
  private readonly logger = new Logger(VerifyContributionHandler.name);

  constructor(
    private readonly repository: ContributionsRepository,
    private readonly stashBox: StashBoxService,
    private readonly outbox: OutboxService,
  ) {}

  async handle({ contributionId }: { contributionId: string }): Promise<{ outcome: string }> {
    const row = await this.repository.findPendingVerification(contributionId);
    if (!row) return { outcome: 'nothing to verify' };
    const endpoint = await this.stashBox.findEndpointById(row.endpointId);
    if (!endpoint) return { outcome: 'endpoint gone' };
    try {
      const scene = await this.stashBox.findScene(endpoint, row.sceneStashId);
      const verdict = scene
        ? verifyPerformer(scene, row.performerStashId, row.fingerprints)
        : {
            status: 'rejected' as const,
            reason: `scene ${row.sceneStashId} does not exist on ${endpoint.graphqlUrl}`,
            fingerprintMatched: false,
          };
      const outboxId = await this.repository.completeVerification(row, {
        status: verdict.status,
        statusReason: verdict.reason,
        fingerprintMatched: scene ? verdict.fingerprintMatched : null,
        scene: {
          title: scene?.title ?? null,
          durationSec: scene?.durationSec ?? null,
          performerCount: scene?.performers.length ?? 0,
        },
      });
      if (outboxId !== null) await this.outbox.dispatch([outboxId]);
      return { outcome: verdict.status };
    } catch (err) {
      if (!(err instanceof StashBoxUnavailableError)) throw err;
      const next = new Date(Date.now() + verificationBackoffMs(row.verificationAttempts + 1));
      await this.repository.postponeVerification(
        row.id,
        next,
        `stash-box unreachable (${err.message}); next try ${next.toISOString()}`,
      );
      this.logger.warn(`verification of ${row.id} postponed to ${next.toISOString()}: ${err.message}`);
      return { outcome: 'postponed' };
    }
  }
}
