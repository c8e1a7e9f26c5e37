import { Module } from '@nestjs/common';
import { StashBoxClient } from './stash-box.client.js';
import { StashBoxRepository } from './stash-box.repository.js';
import { StashBoxService } from './stash-box.service.js';

@Module({ providers: [StashBoxClient, StashBoxRepository, StashBoxService], exports: [StashBoxService] })
export class StashBoxModule {}
