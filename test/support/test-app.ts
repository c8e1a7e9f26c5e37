import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { createCloudApp } from '../../apps/cloud/src/app.factory.js';
import { AppConfig } from '../../apps/cloud/src/config/app-config.js';
import { parseCloudEnv } from '../../apps/cloud/src/config/config.schema.js';
import { UsersService } from '../../apps/cloud/src/users/users.service.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { TEST_REDIS_URL } from './services.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  db: pg.Pool;
  database: TestDatabase;
  redisPrefix: string;
  createUser(
    role?: 'contributor' | 'moderator' | 'admin',
    email?: string,
  ): Promise<{ id: string; email: string }>;
  login(email: string, password?: string): Promise<string>;
  createApiKey(accessToken: string, scopes: string[]): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // The Redis of this test may be the one a test stopped on purpose.
  } finally {
    redis.disconnect();
  }
}

/**
 * Passport strategies register in passport's process-wide registry by name, so with several Nest
 * applications alive in one process, every one authenticates through the strategies of the one created
 * last. Tests therefore keep one application per test file, or several only on the same database.
 *
 * The real cloud application on a database of its own and a Redis key prefix of its own (real
 * PostgreSQL+pgvector and Redis; nothing mocked). `env` overrides any setting.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { database?: TestDatabase; redisPrefix?: string } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const redisPrefix = options.redisPrefix ?? `test-${randomBytes(4).toString('hex')}`;
  const parsed = parseCloudEnv({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    DATABASE_POOL_MAX: '4',
    // Tests log in many times from one IP; the rate-limit tests set their own budgets.
    RATE_LIMIT_AUTH_POINTS: '1000',
    ...env,
  });
  const config = new AppConfig({
    ...parsed,
    DATABASE_URL: parsed.DATABASE_URL!,
    REDIS_URL: parsed.REDIS_URL!,
  });
  const app = await createCloudApp(config);
  await app.init();
  const server = app.getHttpServer();
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  db.on('error', () => undefined); // idle connections are terminated when the database is dropped
  let counter = 0;

  const testApp: TestApp = {
    app,
    http: () => request(server),
    db,
    database,
    redisPrefix,
    async createUser(role = 'contributor', email) {
      const address = email ?? `${role}-${++counter}-${randomBytes(3).toString('hex')}@example.org`;
      const user = await app.get(UsersService).create({ email: address, password: TEST_PASSWORD, role });
      return { id: user.id, email: user.email };
    },
    async login(email, password = TEST_PASSWORD) {
      const res = await request(server).post('/v1/auth/login').send({ email, password });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    async createApiKey(accessToken, scopes) {
      const res = await request(server)
        .post('/v1/me/api-keys')
        .set('Authorization', `Bearer ${accessToken}`)
        .send({ name: `key ${++counter}`, scopes });
      if (res.status !== 201)
        throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, key: res.body.key as string };
    },
    async close() {
      await app.close();
      await db.end();
      if (!options.database) await database.drop();
      if (!options.redisPrefix) await deleteRedisKeys(`${redisPrefix}:*`);
    },
  };
  return testApp;
}
