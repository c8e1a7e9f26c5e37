// Prisma CLI configuration. Prisma 6's migrate commands run through a driver adapter here because
// its native schema engine is a download that cannot happen offline (see docs/architecture.md).
// adapter-pg 7.x is installed under an alias for the CLI only: 6.19's own adapter fails in migrate
// (`Column type 'name' could not be deserialized`, prisma/orm#27403). The runtime uses 6.19's adapter.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from 'pg-migrate-adapter';

const DEFAULT_DATABASE_URL = 'postgresql://stash_sense:stash_sense@127.0.0.1:5432/stash_sense';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => {
    const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
    return new PrismaPg({
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
    });
  },
});
