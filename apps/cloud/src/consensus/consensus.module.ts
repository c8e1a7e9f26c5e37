import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ConsensusPerformerHandler } from './consensus-performer.handler.js';
import { ConsensusRepository } from './consensus.repository.js';
import { ConsensusService } from './consensus.service.js';

@Module({
  imports: [OutboxModule],
  providers: [ConsensusService, ConsensusRepository, ConsensusPerformerHandler],
  exports: [ConsensusService, ConsensusPerformerHandler],
})
export class ConsensusModule {}
