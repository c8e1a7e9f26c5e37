import { useCallback, useEffect, useEffectEvent, useState } from 'react';

export interface Loaded<T> {
  /** The answer for the current key (kept while the same key reloads). */
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

interface Answer<T> {
  key: string;
  tick: number;
  data: T | undefined;
  error: unknown;
}

/** Runs `load` when `key` changes (and on reload()); the answer of a stale request is dropped. */
export function useApi<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [answer, setAnswer] = useState<Answer<T> | null>(null);
  const [tick, setTick] = useState(0);
  const run = useEffectEvent(load);
  useEffect(() => {
    let live = true;
    run().then(
      (data) => live && setAnswer({ key, tick, data, error: undefined }),
      (error: unknown) => live && setAnswer({ key, tick, data: undefined, error }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = answer?.key === key ? answer : null;
  return {
    data: current?.data,
    error: current?.error,
    loading: current === null || current.tick !== tick,
    reload,
  };
}
