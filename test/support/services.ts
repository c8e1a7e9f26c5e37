/** Connection settings of the real services the tests use (brought up by `npm test`). */
export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgresql://stash_sense:stash_sense@127.0.0.1:5432/stash_sense';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrlFor(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
