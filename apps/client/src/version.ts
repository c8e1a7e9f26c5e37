import { readFileSync } from 'node:fs';

/** The client's version, from apps/client/package.json (this file is one level below src/ or dist/). */
export const CLIENT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
