import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConsensusService } from '../apps/cloud/src/consensus/consensus.service.js';
import { contributor, contribution, type Contributor, P1, P2, seedWorld } from './support/consensus-world.js';
import { faceVector, rng } from './support/contributions.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface World {
  ctx: TestApp;
  modelId: string;
  performerIds: Map<string, string>;
  honest: Contributor[];
  attackers: Contributor[];
}

/** Contributions of four established honest accounts, one hostile established account and five sybils. */
async function buildWorld(box: StashBoxFixtureServer, centres: Record<string, Float32Array>): Promise<World> {
  const ctx = await startTestApp({ RATE_LIMIT_KEY_POINTS: '100000', RATE_LIMIT_IP_POINTS: '100000' });
  await ctx.db.query(
    `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'consensusbox', 'Box', $1)`,
    [box.url],
  );
  const honest = [];
  for (const name of ['ann', 'ben', 'cat', 'dan'])
    honest.push(await contributor(ctx, true, `${name}-${Math.random().toString(36).slice(2, 6)}`));
  const hostile = await contributor(ctx, true, `eve-${Math.random().toString(36).slice(2, 6)}`);
  const sybils = [];
  for (let i = 0; i < 5; i++)
    sybils.push(await contributor(ctx, false, `sybil${i}-${Math.random().toString(36).slice(2, 6)}`));
  const post = (c: Contributor, body: object) =>
    ctx.http().post('/v1/contributions').set('Authorization', `Bearer ${c.key}`).send(body).expect(202);

  // Honest: P1 on single-performer scenes 1–4, P2 on 7–9.
  for (const [i, c] of honest.entries()) {
    await post(c, contribution(box, i + 1, P1, centres[P1]!, 8, 100 + i));
    if (i < 3) await post(c, contribution(box, 7 + i, P2, centres[P2]!, 8, 200 + i));
  }
  // Hostile: P2's face credited to P1 (a targeted swap); sybils: a stranger's face pushed as P1.
  await post(hostile, contribution(box, 5, P1, centres[P2]!, 8, 300));
  const stranger = faceVector(rng(999));
  for (const [i, s] of sybils.entries()) await post(s, contribution(box, 6, P1, stranger, 8, 400 + i));

  const { rows } = await ctx.db.query(`SELECT performer_id, stash_id FROM performer_stash_ids`);
  const model = await ctx.db.query(`SELECT id FROM embedding_models WHERE name = 'faceplugin-fr-feature'`);
  return {
    ctx,
    modelId: model.rows[0].id,
    performerIds: new Map(rows.map((r) => [r.stash_id, r.performer_id])),
    honest,
    attackers: [hostile, ...sybils],
  };
}

/** Trusted faces as "contributor email / performer stash id / timestamp": comparable across databases. */
async function trustedSet(ctx: TestApp): Promise<string[]> {
  const { rows } = await ctx.db.query(
    `SELECT u.email, psi.stash_id, f.timestamp_sec FROM faces f
     JOIN contributions c ON c.id = f.contribution_id JOIN users u ON u.id = c.contributor_id
     JOIN performer_stash_ids psi ON psi.performer_id = f.performer_id
     WHERE f.status = 'trusted' ORDER BY 1, 2, 3`,
  );
  return rows.map((r) => `${r.email.replace(/-\w+@/, '@')}/${r.stash_id}/${r.timestamp_sec}`);
}

describe('consensus on real PostgreSQL', () => {
  let box: StashBoxFixtureServer;
  let centres: Record<string, Float32Array>;
  let a: World;

  before(async () => {
    box = await new StashBoxFixtureServer().start();
    centres = seedWorld(box);
    a = await buildWorld(box, centres);
  });
  after(async () => {
    await a.ctx.close();
    await box.stop();
  });

  test('independent honest contributors establish the performer; hostile and sybil faces stay out', async () => {
    const consensus = a.ctx.app.get(ConsensusService);
    const p1 = a.performerIds.get(P1)!;
    const p2 = a.performerIds.get(P2)!;
    const first = await consensus.decide(p1, a.modelId);
    await consensus.decide(p2, a.modelId);
    await consensus.decide(p1, a.modelId);
    assert.equal(first.state, 'established', JSON.stringify(first));

    const trusted = await trustedSet(a.ctx);
    assert.ok(trusted.length >= 24, `honest faces trusted: ${trusted.length}`);
    for (const attacker of a.attackers) {
      const local = attacker.email.replace(/-\w+@/, '@');
      assert.ok(!trusted.some((t) => t.startsWith(local)), `${local}'s faces must not be trusted`);
    }
    const rows = await a.ctx.db.query(
      `SELECT c.status, c.status_reason, u.email FROM contributions c JOIN users u ON u.id = c.contributor_id WHERE u.id = ANY($1::uuid[])`,
      [a.attackers.map((x) => x.id)],
    );
    assert.ok(
      rows.rows.every((r) => r.status !== 'accepted'),
      JSON.stringify(rows.rows),
    );
    const state = await a.ctx.db.query(
      `SELECT state, trusted_faces, centroid IS NOT NULL AS has_centroid FROM performer_consensus WHERE performer_id = $1`,
      [p1],
    );
    assert.deepEqual(state.rows[0], { state: 'established', trusted_faces: 32, has_centroid: true });
    // Every decision carries its reason.
    const undecided = await a.ctx.db.query(
      `SELECT count(*)::int AS n FROM faces WHERE performer_id = $1 AND (decision_code IS NULL OR status_reason IS NULL)`,
      [p1],
    );
    assert.equal(undecided.rows[0].n, 0);
  });

  test('the hostile swap is flagged for moderators with its evidence', async () => {
    const items = await a.ctx.db.query(
      `SELECT kind, summary, evidence, contributor_ids FROM moderation_items WHERE status = 'open'`,
    );
    const hostile = a.attackers[0]!;
    const item = items.rows.find((r) => r.contributor_ids.includes(hostile.id));
    assert.ok(
      item,
      `a moderation item names the hostile account: ${JSON.stringify(items.rows.map((r) => r.kind))}`,
    );
    assert.match(item.kind, /closer_to_other_performer|swapped_performers/);
    assert.ok(Object.keys(item.evidence).length > 0);
  });

  test('reputation follows agreement: honest accounts gain, the swapping account loses', async () => {
    const { rows } = await a.ctx.db.query(
      `SELECT id, reputation, trusted_faces, disagreed_faces FROM users WHERE id = ANY($1::uuid[])`,
      [[...a.honest.map((h) => h.id), a.attackers[0]!.id]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const h of a.honest) assert.ok(byId.get(h.id).trusted_faces > 0);
    const hostile = byId.get(a.attackers[0]!.id);
    assert.equal(hostile.trusted_faces, 0);
    assert.ok(hostile.disagreed_faces > 0);
    assert.ok(hostile.reputation < Math.min(...a.honest.map((h) => byId.get(h.id).reputation)));
  });

  test('determinism: the same contributions decided in another job order give the same trusted set', async () => {
    const consensus = a.ctx.app.get(ConsensusService);
    const p1 = a.performerIds.get(P1)!;
    const p2 = a.performerIds.get(P2)!;
    await consensus.decide(p2, a.modelId);
    const first = await trustedSet(a.ctx);
    const reputations = await a.ctx.db.query(
      'SELECT id, reputation, trusted_faces, disagreed_faces FROM users ORDER BY id',
    );
    // Forget every decision (inputs stay: contributions, faces, accounts), then decide in another order.
    await a.ctx.db.query(
      `UPDATE faces SET status = 'pending', status_reason = NULL, decision_code = NULL, consensus_distance = NULL`,
    );
    await a.ctx.db.query('DELETE FROM performer_consensus');
    await a.ctx.db.query(
      `UPDATE contributions SET status = CASE WHEN fingerprint_matched THEN 'verified' ELSE 'unverified' END::"ContributionStatus", centre = NULL WHERE status <> 'withdrawn'`,
    );
    for (const order of [
      [p2, p1, p2, p1],
      [p1, p2, p1, p2],
    ]) {
      for (const id of order) await consensus.decide(id, a.modelId);
      assert.deepEqual(await trustedSet(a.ctx), first);
    }
    const after = await a.ctx.db.query(
      'SELECT id, reputation, trusted_faces, disagreed_faces FROM users ORDER BY id',
    );
    assert.deepEqual(after.rows, reputations.rows, 'reputation is recomputed from totals, not accumulated');
  });

  test('withdrawal: a withdrawn contribution leaves the trusted set at the next decision', async () => {
    const consensus = a.ctx.app.get(ConsensusService);
    const ann = a.honest[0]!;
    const before = (await trustedSet(a.ctx)).filter((t) =>
      t.startsWith(ann.email.replace(/-\w+@/, '@')),
    ).length;
    assert.ok(before > 0);
    const withdrawn = await a.ctx
      .http()
      .delete('/v1/me/contributions')
      .set('Authorization', `Bearer ${ann.key}`);
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    await consensus.decide(a.performerIds.get(P1)!, a.modelId);
    await consensus.decide(a.performerIds.get(P2)!, a.modelId);
    const after = (await trustedSet(a.ctx)).filter((t) =>
      t.startsWith(ann.email.replace(/-\w+@/, '@')),
    ).length;
    assert.equal(after, 0);
  });
});
