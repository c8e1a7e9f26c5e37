const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) of a time. */
export const utcDay = (t: Date): string => t.toISOString().slice(0, 10);

/** Midnight UTC of the first day of a window of `days` days ending today (the day of `now`). */
export function windowStart(now: Date, days: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/**
 * One entry per UTC day from `start` for `days` days, oldest first: the values of `rows` for that day, or `empty`
 * for days without a row (charts need the gaps as zeros).
 */
export function dailySeries<T extends { day: string }>(
  start: Date,
  days: number,
  rows: readonly T[],
  empty: (day: string) => T,
): T[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: T[] = [];
  for (let i = 0; i < days; i++) {
    const day = utcDay(new Date(start.getTime() + i * DAY_MS));
    out.push(byDay.get(day) ?? empty(day));
  }
  return out;
}
