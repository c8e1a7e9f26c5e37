import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

/**
 * Server-side cursor paging kept in the URL (?cursor=…&prev=…&prev=…): links can be shared, Back works. The server
 * answers `nextCursor`; the cursors of the pages before are kept so that "Previous" goes back one page.
 */
export function useCursor() {
  const [params, setParams] = useSearchParams();
  const cursor = params.get('cursor') ?? undefined;
  const trail = useMemo(() => params.getAll('prev'), [params]);
  const go = useCallback(
    (next: string | undefined, nextTrail: string[]) => {
      setParams((p) => {
        const q = new URLSearchParams(p);
        if (next) q.set('cursor', next);
        else q.delete('cursor');
        q.delete('prev');
        for (const c of nextTrail) q.append('prev', c);
        return q;
      });
    },
    [setParams],
  );
  return {
    cursor,
    page: trail.length + (cursor ? 1 : 0) + 1,
    next: (nextCursor: string) => go(nextCursor, cursor ? [...trail, cursor] : trail),
    previous: () => go(trail.at(-1), trail.slice(0, -1)),
    first: () => go(undefined, []),
    hasPrevious: cursor !== undefined,
  };
}

/** Filters in the URL: changing one goes back to the first page. */
export function useFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  const set = useCallback(
    (key: K, value: string) =>
      setParams((p) => {
        const q = new URLSearchParams(p);
        if (value) q.set(key, value);
        else q.delete(key);
        q.delete('cursor');
        q.delete('prev');
        return q;
      }),
    [setParams],
  );
  return { values, set };
}

export function Pager({
  paging,
  nextCursor,
  count,
}: {
  paging: ReturnType<typeof useCursor>;
  nextCursor: string | null;
  count: number;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={paging.first} disabled={!paging.hasPrevious}>
        First
      </button>
      <button type="button" onClick={paging.previous} disabled={!paging.hasPrevious}>
        Previous
      </button>
      <span aria-live="polite">
        Page {paging.page} · {count} row{count === 1 ? '' : 's'}
      </span>
      <button type="button" onClick={() => nextCursor && paging.next(nextCursor)} disabled={!nextCursor}>
        Next
      </button>
    </nav>
  );
}
