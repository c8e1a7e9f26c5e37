import { Injectable } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler.js';
import { type ConsensusRunSummary, ConsensusService } from './consensus.service.js';

/** BullMQ handler of `consensus.performer`: idempotent, serialised per performer by an advisory lock. */
@Injectable()
export class ConsensusPerformerHandler implements JobHandler<'consensus.performer'> {
  readonly name = 'consensus.performer' as const;

  constructor(private readonly consensus: ConsensusService) {}

  handle({ performerId, modelId }: { performerId: string; modelId: string }): Promise<ConsensusRunSummary> {
    return this.consensus.decide(performerId, modelId);
  }
}
