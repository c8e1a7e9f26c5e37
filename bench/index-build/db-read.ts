// The PostgreSQL side of a build: how fast the trusted faces stream out of the database (server-side cursor,
// vectors in pgvector's binary form) — the part bench/index-build/main.ts leaves out.
import pg from 'pg';
import type { PgPoolService } from '../../apps/cloud/src/database/pg-pool.service.js';
import { IndexesRepository } from '../../apps/cloud/src/indexes/indexes.repository.js';
import { createTestDatabase } from '../../test/support/test-database.js';

export interface DbReadResult {
  faces: number;
  performers: number;
  seedSeconds: number;
  metaSeconds: number;
  streamSeconds: number;
  facesPerSec: number;
  /** The ids-only read incremental builds start with (trusted face ids per performer, no vectors). */
  idsSeconds: number;
}

export async function measureDbRead(
  faces: number,
  facesPerPerformer: number,
  progress: (m: string) => void,
): Promise<DbReadResult> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  try {
    let t = performance.now();
    const performers = Math.ceil(faces / facesPerPerformer);
    const model = (await pool.query(`SELECT id FROM embedding_models LIMIT 1`)).rows[0].id as string;
    const endpoint = (await pool.query(`SELECT id FROM stash_box_endpoints WHERE key = 'stashdb'`)).rows[0]
      .id as string;
    // A throwaway database: without the HNSW index, trusted faces insert at bulk speed.
    await pool.query(`DROP INDEX IF EXISTS faces_embedding_512_hnsw`);
    const user = (
      await pool.query(
        `INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), 'bench@example.org', 'x', now()) RETURNING id`,
      )
    ).rows[0].id as string;
    const scene = (
      await pool.query(
        `INSERT INTO scenes (id, endpoint_id, stash_id) VALUES (gen_random_uuid(), $1, 'bench') RETURNING id`,
        [endpoint],
      )
    ).rows[0].id as string;
    await pool.query(
      `INSERT INTO performers (id, name, primary_source, updated_at)
       SELECT gen_random_uuid(), 'P' || g, 'stashdb', now() FROM generate_series(1, $1) g`,
      [performers],
    );
    await pool.query(
      `INSERT INTO performer_stash_ids (id, performer_id, endpoint_id, stash_id)
       SELECT gen_random_uuid(), id, $1, id::text FROM performers`,
      [endpoint],
    );
    await pool.query(
      `INSERT INTO contributions (id, contributor_id, scene_id, performer_id, model_id, status, client_name, client_version, updated_at)
       SELECT gen_random_uuid(), $1, $2, id, $3, 'accepted', 'bench', '0', now() FROM performers`,
      [user, scene, model],
    );
    const { rows: contributions } = await pool.query<{ id: string; performer_id: string }>(
      `SELECT id, performer_id FROM contributions`,
    );
    const BATCH = 200;
    for (let i = 0; i < contributions.length; i += BATCH) {
      const chunk = contributions.slice(i, i + BATCH);
      await pool.query(
        `INSERT INTO faces (contribution_id, performer_id, model_id, dimension, embedding, detector_score, size_px, quality, timestamp_sec, status)
         SELECT c, p, $3, 512, ARRAY(SELECT random() - 0.5 + 0 * k FROM generate_series(1, 512))::real[]::vector,
                0.99, 160, 0.9, k, 'trusted'
         FROM unnest($1::uuid[], $2::uuid[]) AS t(c, p), generate_series(1, $4) AS k`,
        [chunk.map((c) => c.id), chunk.map((c) => c.performer_id), model, facesPerPerformer],
      );
      if (i % (BATCH * 20) === 0) progress(`  seeded ${i * facesPerPerformer} faces`);
    }
    await pool.query('ANALYZE faces');
    const seedSeconds = (performance.now() - t) / 1000;

    const repository = new IndexesRepository({ pool } as PgPoolService);
    t = performance.now();
    const meta = await repository.performerMeta(model);
    const metaSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    let count = 0;
    let checksum = 0;
    for await (const group of repository.trustedFaces(model, 512)) {
      count += group.faces.length;
      checksum += group.faces[0]!.vector[0]!;
    }
    const streamSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const ids = await repository.trustedFaceIds(model, 512);
    const idsSeconds = (performance.now() - t) / 1000;
    if ([...ids.values()].reduce((sum, list) => sum + list.length, 0) !== count)
      throw new Error('trustedFaceIds disagrees with trustedFaces');
    if (count !== performers * facesPerPerformer || meta.size !== performers || !Number.isFinite(checksum))
      throw new Error(
        `read ${count} faces of ${meta.size} performers, expected ${performers * facesPerPerformer}`,
      );
    return {
      faces: count,
      performers: meta.size,
      seedSeconds: +seedSeconds.toFixed(1),
      metaSeconds: +metaSeconds.toFixed(2),
      streamSeconds: +streamSeconds.toFixed(2),
      facesPerSec: Math.round(count / streamSeconds),
      idsSeconds: +idsSeconds.toFixed(2),
    };
  } finally {
    await pool.end();
    await database.drop();
  }
}
