import type { Type } from '@nestjs/common';
import { ConsensusPerformerHandler } from '../consensus/consensus-performer.handler.js';
import { IndexBuildHandler, ScheduleIndexBuildsHandler } from '../indexes/index-build.handler.js';
import { VerifyContributionHandler } from '../contributions/verify-contribution.handler.js';
import { PurgeExpiredSessionsHandler } from '../maintenance/purge-expired-sessions.handler.js';
import type { JobHandler } from './job-handler.js';

/** Every job handler, listed once; the worker process resolves them from the application. */
export const JOB_HANDLER_CLASSES: Type<JobHandler>[] = [
  PurgeExpiredSessionsHandler,
  VerifyContributionHandler,
  ConsensusPerformerHandler,
  IndexBuildHandler,
  ScheduleIndexBuildsHandler,
];
