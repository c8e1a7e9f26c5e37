import { Global, Module } from '@nestjs/common';
import { JobsService } from './jobs.service.js';

/** Queues in every process; workers start only in `--worker` processes (worker.ts). */
@Global()
@Module({ providers: [JobsService], exports: [JobsService] })
export class JobsModule {}
