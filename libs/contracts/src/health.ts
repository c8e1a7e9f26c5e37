import { z } from 'zod';

export const HealthSchema = z
  .object({ status: z.literal('ok'), uptimeSec: z.number() })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;

const CheckSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
});

/** Jobs of one background queue by state. */
export const QueueStatsSchema = z
  .object({
    name: z.string(),
    waiting: z.number().int(),
    active: z.number().int(),
    delayed: z.number().int(),
    failed: z.number().int().describe('Failed after the last retry (kept for inspection)'),
    completed: z.number().int().describe('Completed jobs still kept by the queue'),
  })
  .meta({ id: 'QueueStats' });
export type QueueStats = z.infer<typeof QueueStatsSchema>;

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({
      database: CheckSchema,
      redis: CheckSchema,
      migrations: CheckSchema.extend({ pending: z.array(z.string()).optional() }),
    }),
    /** Background queues (informational: depth and failures do not make the service unready). */
    queues: z.array(QueueStatsSchema).optional(),
  })
  .meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof ReadinessSchema>;
