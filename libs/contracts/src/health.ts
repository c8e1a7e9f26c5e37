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

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({
      database: CheckSchema,
      redis: CheckSchema,
      migrations: CheckSchema.extend({ pending: z.array(z.string()).optional() }),
    }),
  })
  .meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof ReadinessSchema>;
