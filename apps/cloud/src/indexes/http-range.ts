// Conditional and partial downloads of immutable index files (RFC 9110 §13.1.2 and §14). Pure functions.

export type ByteRange = { start: number; end: number };

/**
 * Parses a Range header against a file of `size` bytes. Returns the one inclusive range to serve, null to
 * serve the whole file (no header, another unit, several ranges, or a syntax error: all allowed to be
 * ignored), or 'unsatisfiable' (416) when no byte of the range exists.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    if (size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Whether an If-None-Match header matches the strong ETag `etag` (weak comparison, as for GET). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}
