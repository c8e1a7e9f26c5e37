import { badRequest } from '../common/domain-errors.js';

/**
 * Opaque keyset cursors for the admin lists: the sort key of the last row of a page, as base64url JSON. Keyset
 * paging stays fast at any depth (an OFFSET over millions of faces would not) and is stable while rows arrive.
 */
export type CursorPart = string | number;

export function encodeCursor(parts: readonly CursorPart[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor made by encodeCursor with `kinds` (one per part); 400 for anything else. */
export function decodeCursor<const K extends readonly ('string' | 'number')[]>(
  cursor: string,
  kinds: K,
): { [I in keyof K]: K[I] extends 'number' ? number : string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== kinds.length ||
    parts.some((p, i) => typeof p !== kinds[i] || (typeof p === 'number' && !Number.isFinite(p)))
  ) {
    throw badRequest('invalid cursor: pass the nextCursor of the previous page unchanged', {
      fields: [{ field: 'cursor', message: 'not a cursor of this list' }],
    });
  }
  return parts as { [I in keyof K]: K[I] extends 'number' ? number : string };
}

/** A page of `limit` rows from a query that fetched `limit + 1`, and the cursor after its last row. */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
  key: (row: R) => readonly CursorPart[],
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return {
    items: page.map(map),
    nextCursor: rows.length > limit && page.length ? encodeCursor(key(page[page.length - 1]!)) : null,
  };
}
