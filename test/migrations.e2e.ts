import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { applyMigrations } from '../apps/cloud/src/embedded/embedded-services.js';
import { shippedMigrations } from '../apps/cloud/src/health/migrations.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('migrations on an empty database', () => {
  let database: TestDatabase;
  let db: pg.Client;
  before(async () => {
    database = await createTestDatabase({ migrated: false });
    await applyMigrations(database.url);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await database.drop();
  });

  test('one command creates the vector extension and every table', async () => {
    const ext = await db.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    assert.equal(ext.rows.length, 1);
    const tables = await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    const names = tables.rows.map((r) => r.tablename);
    for (const t of [
      'users',
      'api_keys',
      'refresh_tokens',
      'stash_box_endpoints',
      'performers',
      'performer_stash_ids',
      'scenes',
      'scene_fingerprints',
      'embedding_models',
      'contributions',
      'face_tracks',
      'faces',
      'audit_log',
    ]) {
      assert.ok(names.includes(t), `table ${t}`);
    }
  });

  test('reference data: the five public stash-boxes and the shipped 512-d embedder', async () => {
    const { rows } = await db.query('SELECT key, graphql_url FROM stash_box_endpoints ORDER BY key');
    assert.deepEqual(
      rows.map((r) => r.key),
      ['fansdb', 'javstash', 'pmvstash', 'stashdb', 'tpdb'],
    );
    assert.ok(rows.every((r) => /^https:\/\/[a-z.]+\/graphql$/.test(r.graphql_url)));
    const models = await db.query('SELECT name, version, dimension, metric FROM embedding_models');
    assert.deepEqual(models.rows, [
      { name: 'faceplugin-fr-feature', version: '0.0.1', dimension: 512, metric: 'cosine' },
    ]);
  });

  test('trusted faces carry a partial HNSW cosine index for 512-d halfvec embeddings, and vector search uses it', async () => {
    const idx = await db.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'faces_embedding_512_hnsw'`,
    );
    assert.match(idx.rows[0].indexdef, /USING hnsw \(\(\(embedding\)::halfvec\(512\)\) halfvec_cosine_ops\)/);
    assert.match(
      idx.rows[0].indexdef,
      /WHERE \(\(dimension = 512\) AND \(status = 'trusted'::"FaceStatus"\)\)/,
    );
    await db.query('SET enable_seqscan = off');
    const plan = await db.query(
      `EXPLAIN SELECT id FROM faces WHERE dimension = 512 AND status = 'trusted'
       ORDER BY embedding::halfvec(512) <=> $1::halfvec(512) LIMIT 5`,
      [`[${new Array(512).fill(0.01).join(',')}]`],
    );
    assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /faces_embedding_512_hnsw/);
  });

  test('a face whose vector does not match its dimension column is refused', async () => {
    const { rows: users } = await db.query(
      `INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), 'm@x.org', 'h', now()) RETURNING id`,
    );
    const { rows: eps } = await db.query(`SELECT id FROM stash_box_endpoints WHERE key = 'stashdb'`);
    const { rows: scenes } = await db.query(
      `INSERT INTO scenes (id, endpoint_id, stash_id) VALUES (gen_random_uuid(), $1, 's1') RETURNING id`,
      [eps[0].id],
    );
    const { rows: performers } = await db.query(
      `INSERT INTO performers (id, name, primary_source, updated_at) VALUES (gen_random_uuid(), 'P', 'stashdb', now()) RETURNING id`,
    );
    const { rows: models } = await db.query(
      `INSERT INTO embedding_models (id, name, version, dimension) VALUES (gen_random_uuid(), 'm', '1', 3) RETURNING id`,
    );
    const { rows: contributions } = await db.query(
      `INSERT INTO contributions (id, contributor_id, scene_id, performer_id, model_id, client_name, client_version, updated_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'test', '1', now()) RETURNING id`,
      [users[0].id, scenes[0].id, performers[0].id, models[0].id],
    );
    const insert = (dimension: number, vector: string) =>
      db.query(
        `INSERT INTO faces (contribution_id, performer_id, model_id, dimension, embedding, detector_score, size_px, quality, timestamp_sec)
         VALUES ($1, $2, $3, $4, $5::vector, 0.9, 80, 0.8, 1.0)`,
        [contributions[0].id, performers[0].id, models[0].id, dimension, vector],
      );
    await insert(3, '[1,0,0]');
    await assert.rejects(insert(4, '[1,0,0]'), /faces_embedding_dimension_check/);
  });

  test('faces are stored as halfvec (float16), inline, and a float32 vector is rounded to the nearest half', async () => {
    const column = await db.query(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attstorage AS storage
       FROM pg_attribute a WHERE a.attrelid = 'faces'::regclass AND a.attname = 'embedding'`,
    );
    assert.deepEqual(column.rows[0], { type: 'halfvec', storage: 'p' });
    const { rows } = await db.query(
      `SELECT embedding::text AS text FROM faces WHERE dimension = 3 ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(rows[0].text, '[1,0,0]');
    const rounded = await db.query(`SELECT '[0.1,0.2]'::vector::halfvec::text AS text`);
    assert.equal(rounded.rows[0].text, '[0.099975586,0.19995117]');
  });

  test('applying again is a no-op', async () => {
    await applyMigrations(database.url);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM _prisma_migrations');
    assert.equal(rows[0].n, shippedMigrations().length);
    const endpoints = await db.query('SELECT count(*)::int AS n FROM stash_box_endpoints');
    assert.equal(endpoints.rows[0].n, 5, 'reference rows are not inserted twice');
  });
});
