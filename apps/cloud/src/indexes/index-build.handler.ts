import { Injectable } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler.js';
import type { JobPayloads } from '../jobs/job-names.js';
import { IndexBuildService } from './index-build.service.js';
import { IndexesService } from './indexes.service.js';

/** `indexes.build`: runs one queued build (worker process only; the API only queues). */
@Injectable()
export class IndexBuildHandler implements JobHandler<'indexes.build'> {
  readonly name = 'indexes.build' as const;

  constructor(private readonly builds: IndexBuildService) {}

  handle(data: JobPayloads['indexes.build']): Promise<void> {
    return this.builds.run(data.buildId);
  }
}

/** `indexes.schedule-builds`: every INDEX_BUILD_INTERVAL_MS, an incremental build per active model. */
@Injectable()
export class ScheduleIndexBuildsHandler implements JobHandler<'indexes.schedule-builds'> {
  readonly name = 'indexes.schedule-builds' as const;

  constructor(private readonly indexes: IndexesService) {}

  async handle(): Promise<void> {
    await this.indexes.queueBuilds(null, { full: false }, null);
  }
}
