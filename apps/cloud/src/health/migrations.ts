import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folder of Prisma migrations, relative to the repository root the service runs from. */
export const MIGRATIONS_DIR = join(process.cwd(), 'prisma', 'migrations');

/** Migration names shipped with this build (folder names under prisma/migrations). */
export function shippedMigrations(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}
