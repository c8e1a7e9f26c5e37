import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../../apps/cloud/src/embedded/embedded-services.js';
import { databaseUrlFor, TEST_DATABASE_URL } from './services.js';

const TEMPLATE = 'stash_sense_test_template';
/** Arbitrary constant key for pg_advisory_lock: serialises template (re)builds and clones across test files. */
const LOCK_KEY = 74_157_321;

function migrationsFingerprint(): string {
  const dir = join(process.cwd(), 'prisma', 'migrations');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    try {
      hash.update(name).update(readFileSync(join(dir, name, 'migration.sql')));
    } catch {
      /* not a migration folder */
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: cloned from a template that carries every migration, so
 * test files run in parallel without seeing each other's rows. `migrated: false` gives an empty one.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const name = `ss_test_${randomBytes(6).toString('hex')}`;
  await admin(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      if (migrated) {
        const fingerprint = migrationsFingerprint();
        const { rows } = await client.query<{ description: string | null }>(
          `SELECT shobj_description(oid, 'pg_database') AS description FROM pg_database WHERE datname = $1`,
          [TEMPLATE],
        );
        if (rows[0]?.description !== fingerprint) {
          await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
          await client.query(`CREATE DATABASE ${TEMPLATE}`);
          await applyMigrations(databaseUrlFor(TEMPLATE));
          await client.query(`COMMENT ON DATABASE ${TEMPLATE} IS '${fingerprint}'`);
        }
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      } else {
        await client.query(`CREATE DATABASE ${name}`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
  return {
    name,
    url: databaseUrlFor(name),
    drop: () =>
      admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

export { TEST_DATABASE_URL };
