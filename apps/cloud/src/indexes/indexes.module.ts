import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { IndexBuildHandler, ScheduleIndexBuildsHandler } from './index-build.handler.js';
import { IndexBuildService } from './index-build.service.js';
import { IndexSigningService } from './index-signing.service.js';
import { IndexesAdminController } from './indexes-admin.controller.js';
import { IndexesController } from './indexes.controller.js';
import { IndexesRepository } from './indexes.repository.js';
import { IndexesService } from './indexes.service.js';
import { IndexStorage } from './storage/index-storage.js';
import { LocalIndexStorage } from './storage/local-index-storage.js';
import { S3IndexStorage } from './storage/s3-index-storage.js';

/** The storage the configuration names (INDEX_STORAGE): the one provider every caller gets as IndexStorage. */
export function createIndexStorage(config: AppConfig): IndexStorage {
  const { s3, storageDir } = config.indexes;
  return s3 ? new S3IndexStorage({ ...s3, localRoot: storageDir }) : new LocalIndexStorage(storageDir);
}

@Module({
  controllers: [IndexesController, IndexesAdminController],
  providers: [
    IndexesRepository,
    IndexesService,
    IndexBuildService,
    IndexSigningService,
    IndexBuildHandler,
    ScheduleIndexBuildsHandler,
    {
      provide: IndexStorage,
      useFactory: createIndexStorage,
      inject: [AppConfig],
    },
  ],
  exports: [IndexBuildHandler, ScheduleIndexBuildsHandler, IndexesService],
})
export class IndexesModule implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
  ) {}

  /** Worker processes (`--worker`, as main.ts decides) keep the build schedule; upserting it is idempotent. */
  async onApplicationBootstrap(): Promise<void> {
    if (!process.argv.includes('--worker') || this.config.indexes.buildIntervalMs === 0) return;
    await this.jobs
      .schedule('indexes.schedule-builds', {}, this.config.indexes.buildIntervalMs)
      .catch((error: Error) => new Logger(IndexesModule.name).warn(`index build schedule: ${error.message}`));
  }
}
