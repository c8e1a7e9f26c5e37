import { type PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { badRequest } from './domain-errors.js';

/**
 * Validates a body/query/param against a contract schema from `@stash-sense/contracts` and returns
 * the parsed value. Failures are 400s whose details name each offending field.
 */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const fields = result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    }));
    const first = fields[0]!;
    throw badRequest(`invalid request: ${first.field} ${first.message}`, { fields });
  }
}
