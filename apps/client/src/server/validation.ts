import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Turns zod issues into one sentence a plugin author can act on. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      if (issue.code === 'invalid_type') {
        return `${field ? `"${field}"` : 'body'} must be ${issue.expected}`;
      }
      return field ? `"${field}": ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Parses `value` with `schema` or throws 400 with what was wrong and which fields are allowed. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  allowed?: readonly string[],
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const hint = allowed ? ` (allowed fields: ${allowed.join(', ')})` : '';
  throw new HttpError(400, `${describeIssues(result.error.issues)}${hint}`);
}
