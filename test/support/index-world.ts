// Trusted faces for index builds, written straight into the database (what consensus would have decided):
// performers with stash-box ids, one contribution per performer, faces with a status.
import { randomUUID } from 'node:crypto';
import { perturb, randomUnitVector, seededRandom } from '@stash-sense/face-index';
import type { TestApp } from './test-app.js';

export interface IndexWorld {
  ctx: TestApp;
  modelId: string;
  dimension: number;
  endpoints: Record<string, { id: string; url: string }>;
  contributorId: string;
  random: () => number;
}

export async function indexWorld(ctx: TestApp, seed = 99): Promise<IndexWorld> {
  const model = await ctx.db.query<{ id: string; dimension: number }>(
    `SELECT id, dimension FROM embedding_models WHERE name = 'faceplugin-fr-feature'`,
  );
  const endpoints = await ctx.db.query<{ id: string; key: string; graphql_url: string }>(
    `SELECT id, key, graphql_url FROM stash_box_endpoints`,
  );
  const contributor = await ctx.createUser('contributor');
  return {
    ctx,
    modelId: model.rows[0]!.id,
    dimension: model.rows[0]!.dimension,
    endpoints: Object.fromEntries(endpoints.rows.map((e) => [e.key, { id: e.id, url: e.graphql_url }])),
    contributorId: contributor.id,
    random: seededRandom(seed),
  };
}

export async function addPerformer(
  world: IndexWorld,
  name: string,
  stashIds: { endpoint: string; stashId: string }[],
): Promise<string> {
  const id = randomUUID();
  await world.ctx.db.query(
    `INSERT INTO performers (id, name, primary_source, updated_at) VALUES ($1, $2, $3, now())`,
    [id, name, stashIds[0]?.endpoint ?? 'stashdb'],
  );
  for (const s of stashIds) {
    await world.ctx.db.query(
      `INSERT INTO performer_stash_ids (id, performer_id, endpoint_id, stash_id) VALUES (gen_random_uuid(), $1, $2, $3)`,
      [id, world.endpoints[s.endpoint]!.id, s.stashId],
    );
  }
  return id;
}

export function centre(world: IndexWorld): Float32Array {
  return randomUnitVector(world.dimension, world.random);
}

export function near(world: IndexWorld, like: Float32Array, sigma = 0.02): Float32Array {
  return perturb(like, sigma, world.random);
}

/** Faces of a performer in a new contribution (own scene); returns the face ids in order. */
export async function addFaces(
  world: IndexWorld,
  performerId: string,
  vectors: readonly Float32Array[],
  status: 'trusted' | 'pending' | 'rejected' = 'trusted',
): Promise<number[]> {
  const sceneId = randomUUID();
  const contributionId = randomUUID();
  await world.ctx.db.query(`INSERT INTO scenes (id, endpoint_id, stash_id) VALUES ($1, $2, $3)`, [
    sceneId,
    world.endpoints.stashdb!.id,
    randomUUID(),
  ]);
  await world.ctx.db.query(
    `INSERT INTO contributions (id, contributor_id, scene_id, performer_id, model_id, status, client_name, client_version, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'accepted', 'test', '0', now())`,
    [contributionId, world.contributorId, sceneId, performerId, world.modelId],
  );
  const ids: number[] = [];
  for (const [i, v] of vectors.entries()) {
    const { rows } = await world.ctx.db.query<{ id: string }>(
      `INSERT INTO faces (contribution_id, performer_id, model_id, dimension, embedding, detector_score, size_px, quality, timestamp_sec, status)
       VALUES ($1, $2, $3, $4, $5::vector, 0.99, 160, 0.9, $6, $7) RETURNING id`,
      [contributionId, performerId, world.modelId, v.length, `[${Array.from(v).join(',')}]`, i, status],
    );
    ids.push(Number(rows[0]!.id));
  }
  return ids;
}

/** index face id → database face id, as persisted for the model. */
export async function faceIdMapping(world: IndexWorld): Promise<Map<number, number>> {
  const { rows } = await world.ctx.db.query<{ i: number; f: string }>(
    `SELECT index_face_id AS i, face_id AS f FROM index_face_ids WHERE model_id = $1`,
    [world.modelId],
  );
  return new Map(rows.map((r) => [r.i, Number(r.f)]));
}

export async function performerIdMapping(world: IndexWorld): Promise<Map<string, number>> {
  const { rows } = await world.ctx.db.query<{ p: string; i: number }>(
    `SELECT performer_id AS p, index_performer_id AS i FROM index_performer_ids WHERE model_id = $1`,
    [world.modelId],
  );
  return new Map(rows.map((r) => [r.p, r.i]));
}
