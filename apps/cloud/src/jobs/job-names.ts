/**
 * Every background job, declared once: its queue and the data it carries. A job's data is ids and
 * parameters only; the handler reads current state from the database, so a retried or duplicated job
 * is harmless (idempotent).
 */
export const QUEUE_NAMES = ['maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Deletes refresh tokens that expired or were revoked more than a week ago. */
  'maintenance.purge-expired-sessions': Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  'maintenance.purge-expired-sessions': 'maintenance',
};

/** Retries with exponential backoff (1 s, 2 s, 4 s, …): a dependency outage heals without losing jobs. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
