import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** The real GraphQL schemas of Stash and stash-box, kept in ../shared/schemas beside the repository. */
export const SCHEMAS_DIR =
  process.env.STASH_SENSE_SCHEMAS_DIR ?? resolve(import.meta.dirname, '../../../shared/schemas');

function collect(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? collect(join(dir, e.name)) : e.name.endsWith('.graphql') ? [join(dir, e.name)] : [],
    );
}

const cache = new Map<string, GraphQLSchema>();

/** Builds the executable-shape schema from every .graphql file of `stash` or `stash-box`. */
export function loadSchema(name: 'stash' | 'stash-box'): GraphQLSchema {
  let schema = cache.get(name);
  if (!schema) {
    const sdl = collect(join(SCHEMAS_DIR, name))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    schema = buildSchema(sdl, { assumeValidSDL: true });
    cache.set(name, schema);
  }
  return schema;
}
