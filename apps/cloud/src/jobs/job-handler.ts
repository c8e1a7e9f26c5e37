import type { JobName, JobPayloads } from './job-names.js';

/** One handler per job name; registered with the JobsService by the module that owns the job. */
export interface JobHandler<N extends JobName = JobName> {
  readonly name: N;
  handle(data: JobPayloads[N]): Promise<unknown>;
}
