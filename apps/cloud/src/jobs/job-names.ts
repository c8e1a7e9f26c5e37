/**
 * Every background job, declared once: its queue and the data it carries. A job's data is ids and
 * parameters only; the handler reads current state from the database, so a retried or duplicated job
 * is harmless (idempotent).
 */
export const QUEUE_NAMES = ['maintenance', 'contributions', 'consensus', 'indexes'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Deletes refresh tokens that expired or were revoked more than a week ago. */
  'maintenance.purge-expired-sessions': Record<string, never>;
  /** Verifies a contribution stored while its stash-box was unreachable. */
  'contributions.verify': { contributionId: string };
  /** Re-decides the trusted faces of one performer for one embedding model. */
  'consensus.performer': { performerId: string; modelId: string };
  /** Runs one queued index build (index_builds row); a second one for the same model waits its turn. */
  'indexes.build': { buildId: string };
  /** The schedule: queues an incremental index build for every active embedding model. */
  'indexes.schedule-builds': Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  'maintenance.purge-expired-sessions': 'maintenance',
  'contributions.verify': 'contributions',
  'consensus.performer': 'consensus',
  'indexes.build': 'indexes',
  'indexes.schedule-builds': 'indexes',
};

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(QUEUE_OF_JOB, name);
}

/** Retries with exponential backoff (1 s, 2 s, 4 s, …): a dependency outage heals without losing jobs. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
