import { z } from 'zod';

/** Uniform error body of every non-2xx response of the cloud API. */
export const ErrorBodySchema = z
  .object({
    error: z.string().describe('Short machine-readable error name, e.g. "bad_request"'),
    message: z.string().describe('What was wrong and what to do'),
    details: z.unknown().optional().describe('Per-field problems or other structured context'),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const StashBoxEndpointKeySchema = z.enum(['stashdb', 'tpdb', 'fansdb', 'javstash', 'pmvstash']);
export type StashBoxEndpointKey = z.infer<typeof StashBoxEndpointKeySchema>;

export const FingerprintAlgorithmSchema = z.enum(['PHASH', 'OSHASH', 'MD5']);
export type FingerprintAlgorithm = z.infer<typeof FingerprintAlgorithmSchema>;

/** Cursor pagination used by every list that can grow. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;
