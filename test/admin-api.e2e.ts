import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AdminContributorDetailSchema,
  AdminContributorListSchema,
  AdminIndexVersionListSchema,
  AdminOverviewSchema,
  AdminPerformerDetailSchema,
  AdminPerformerListSchema,
  AuditListSchema,
  ContributorActionResultSchema,
  IdentityLinkDecisionSchema,
  IdentityLinkListSchema,
  IndexBuildListSchema,
  ModerationItemDetailSchema,
  ModerationListSchema,
  ModerationResolveResultSchema,
  PurgeResultSchema,
} from '@stash-sense/contracts';
import { ConsensusService } from '../apps/cloud/src/consensus/consensus.service.js';
import { IndexBuildService } from '../apps/cloud/src/indexes/index-build.service.js';
import { ADMIN_ROUTES } from '../apps/cloud/src/openapi/admin-routes.js';
import { contribution, contributor, type Contributor, P1, P2, seedWorld } from './support/consensus-world.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NIL = '00000000-0000-4000-8000-000000000000';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('admin API (dashboard): roles, moderation, contributors, indexes, audit', () => {
  let box: StashBoxFixtureServer;
  let ctx: TestApp;
  let dir: string;
  let centres: Record<string, Float32Array>;
  let admin: string;
  let moderator: string;
  let plain: Contributor;
  let honest: Contributor[];
  let hostile: Contributor;
  let hostile2: Contributor;
  let p1: string;
  let p2: string;
  let modelId: string;

  before(async () => {
    box = await new StashBoxFixtureServer().start();
    centres = seedWorld(box);
    dir = await mkdtemp(join(tmpdir(), 'admin-api-'));
    ctx = await startTestApp({
      RATE_LIMIT_KEY_POINTS: '100000',
      RATE_LIMIT_IP_POINTS: '100000',
      DATA_DIR: dir,
      INDEX_STORAGE_DIR: join(dir, 'indexes'),
      INDEX_MIN_FACES: '2',
      INDEX_BUILD_INTERVAL_MS: '0',
    });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'adminbox', 'Box', $1)`,
      [`${box.url}`],
    );
    admin = await ctx.login((await ctx.createUser('admin')).email);
    moderator = await ctx.login((await ctx.createUser('moderator')).email);
    plain = await contributor(ctx, false, `plain-${Math.random().toString(36).slice(2, 6)}`);
    honest = [];
    for (const name of ['ann', 'ben', 'cat', 'dan'])
      honest.push(await contributor(ctx, true, `${name}-${Math.random().toString(36).slice(2, 6)}`));
    hostile = await contributor(ctx, true, `eve-${Math.random().toString(36).slice(2, 6)}`);
    hostile2 = await contributor(ctx, true, `fay-${Math.random().toString(36).slice(2, 6)}`);
    const post = (c: Contributor, body: object) =>
      ctx.http().post('/v1/contributions').set(bearer(c.key)).send(body).expect(202);
    for (const [i, c] of honest.entries()) {
      await post(c, contribution(box, i + 1, P1, centres[P1]!, 8, 100 + i));
      if (i < 3) await post(c, contribution(box, 7 + i, P2, centres[P2]!, 8, 200 + i));
    }
    // Two accounts credit P2's face to P1: look-alike conflicts once P2 has a consensus.
    await post(hostile, contribution(box, 5, P1, centres[P2]!, 8, 300));
    await post(hostile2, contribution(box, 6, P1, centres[P2]!, 8, 301));
    const ids = await ctx.db.query(`SELECT performer_id, stash_id FROM performer_stash_ids`);
    const byStash = new Map(ids.rows.map((r) => [r.stash_id, r.performer_id as string]));
    p1 = byStash.get(P1)!;
    p2 = byStash.get(P2)!;
    modelId = (await ctx.db.query(`SELECT id FROM embedding_models WHERE name = 'faceplugin-fr-feature'`))
      .rows[0].id;
    const consensus = ctx.app.get(ConsensusService);
    // P1 twice: the look-alike check compares with the performers nearest P1's previous centroid.
    await consensus.decide(p2, modelId);
    await consensus.decide(p1, modelId);
    await consensus.decide(p1, modelId);
  });

  after(async () => {
    await ctx?.close();
    await box?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const path = (p: string) => p.replace(/\{id\}/g, NIL).replace(/\{version\}/g, 'no-such-version');
  const call = (method: 'get' | 'post' | 'delete', p: string) => ctx.http()[method](path(p));

  test('every admin route: 401 without credentials, 403 for a contributor (session or key), moderators only where allowed', async () => {
    const contributorSession = await ctx.login(plain.email);
    for (const route of ADMIN_ROUTES) {
      const name = `${route.method.toUpperCase()} ${route.path}`;
      const none = await call(route.method, route.path).send({});
      assert.equal(none.status, 401, `${name} without credentials`);
      assert.equal(none.body.error, 'unauthorized', name);
      const bySession = await call(route.method, route.path).set(bearer(contributorSession)).send({});
      assert.equal(bySession.status, 403, `${name} as a contributor`);
      const byKey = await call(route.method, route.path).set(bearer(plain.key)).send({});
      assert.equal(byKey.status, 403, `${name} with a contributor's key`);
      const asModerator = await call(route.method, route.path).set(bearer(moderator)).send({});
      if (route.role === 'admin') assert.equal(asModerator.status, 403, `${name} as a moderator`);
      else
        assert.notEqual(
          asModerator.status,
          403,
          `${name} as a moderator: ${JSON.stringify(asModerator.body)}`,
        );
    }
  });

  test('overview: counts, a day per chart point, queues and latest indexes', async () => {
    const res = await ctx.http().get('/v1/admin/overview?days=7').set(bearer(moderator)).expect(200);
    const overview = AdminOverviewSchema.parse(res.body);
    assert.equal(overview.contributionsPerDay.length, 7);
    assert.equal(overview.contributionsPerDay.at(-1)!.contributions, 9);
    assert.ok(overview.faces.trusted > 0);
    assert.equal(overview.activeContributors.last7Days, 6);
    assert.ok(overview.moderation.open >= 2, JSON.stringify(overview.moderation));
    assert.ok(Array.isArray(overview.queues));
    await ctx.http().get('/v1/admin/overview?days=0').set(bearer(moderator)).expect(400);
  });

  async function itemOf(c: Contributor) {
    const res = await ctx
      .http()
      .get(`/v1/admin/moderation?contributor=${c.id}&kind=closer_to_other_performer`)
      .set(bearer(moderator))
      .expect(200);
    const list = ModerationListSchema.parse(res.body);
    assert.equal(list.items.length, 1, JSON.stringify(list));
    return list.items[0]!;
  }

  test('moderation queue: filters, paging and the evidence of an item (distances, contributors, scene links)', async () => {
    const all = ModerationListSchema.parse(
      (await ctx.http().get('/v1/admin/moderation?limit=1').set(bearer(moderator)).expect(200)).body,
    );
    assert.equal(all.items.length, 1);
    assert.ok(all.nextCursor);
    const next = ModerationListSchema.parse(
      (
        await ctx
          .http()
          .get(`/v1/admin/moderation?limit=1&cursor=${all.nextCursor}`)
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    assert.notEqual(next.items[0]!.id, all.items[0]!.id);
    await ctx.http().get('/v1/admin/moderation?cursor=garbage').set(bearer(moderator)).expect(400);
    await ctx.http().get('/v1/admin/moderation?kind=nonsense').set(bearer(moderator)).expect(400);

    const item = await itemOf(hostile);
    const detail = ModerationItemDetailSchema.parse(
      (await ctx.http().get(`/v1/admin/moderation/${item.id}`).set(bearer(moderator)).expect(200)).body,
    );
    assert.equal(detail.contributions.length, 1);
    assert.equal(detail.contributions[0]!.contributor.id, hostile.id);
    assert.equal(typeof detail.evidence.distanceToOther, 'number');
    assert.equal(
      detail.scenes[0]!.url,
      `${box.url.replace(/\/graphql$/, '')}/scenes/${detail.scenes[0]!.stashId}`,
    );
    assert.deepEqual(detail.performers.map((p) => p.id).sort(), [p1, p2].sort());
    assert.ok(detail.performers.every((p) => p.stashIds.length === 1));
    await ctx.http().get(`/v1/admin/moderation/${NIL}`).set(bearer(moderator)).expect(404);
  });

  test('reassign moves the contribution and its faces; consensus re-queued; audited; a second decision is 409', async () => {
    const item = await itemOf(hostile);
    const res = await ctx
      .http()
      .post(`/v1/admin/moderation/${item.id}/resolve`)
      .set(bearer(moderator))
      .send({ action: 'reassign', targetPerformerId: p2, note: 'this is Bea' })
      .expect(200);
    const result = ModerationResolveResultSchema.parse(res.body);
    assert.equal(result.item.status, 'resolved');
    assert.equal(result.contributionsAffected, 1);
    assert.equal(result.facesAffected, 8);
    assert.deepEqual(result.performersRequeued, [p1, p2].sort());
    const c = await ctx.db.query(
      `SELECT performer_id, moderation FROM contributions WHERE contributor_id = $1`,
      [hostile.id],
    );
    assert.deepEqual(c.rows[0], { performer_id: p2, moderation: 'approved' });
    const f = await ctx.db.query(
      `SELECT DISTINCT f.performer_id FROM faces f JOIN contributions c ON c.id = f.contribution_id WHERE c.contributor_id = $1`,
      [hostile.id],
    );
    assert.deepEqual(f.rows, [{ performer_id: p2 }]);
    const stored = await ctx.db.query(
      `SELECT status, resolved_by, resolution FROM moderation_items WHERE id = $1`,
      [item.id],
    );
    assert.equal(stored.rows[0].status, 'resolved');
    assert.match(stored.rows[0].resolution, /reassigned to performer .*: this is Bea/);
    const audit = await ctx.db.query(
      `SELECT action, details FROM audit_log WHERE target_type = 'moderation_item' AND target_id = $1`,
      [item.id],
    );
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].action, 'moderation.reassigned');
    assert.equal(audit.rows[0].details.targetPerformerId, p2);
    const outbox = await ctx.db.query(
      `SELECT payload->>'performerId' AS p FROM outbox_events WHERE kind = 'consensus.performer' AND created_at > now() - interval '1 minute'`,
    );
    assert.ok(outbox.rows.some((r) => r.p === p2));
    // Consensus now counts the faces for P2: the moderator vouched, so they are trusted there.
    await ctx.app.get(ConsensusService).decide(p2, modelId);
    const trusted = await ctx.db.query(
      `SELECT count(*)::int AS n FROM faces f JOIN contributions c ON c.id = f.contribution_id
       WHERE c.contributor_id = $1 AND f.status = 'trusted'`,
      [hostile.id],
    );
    assert.ok(trusted.rows[0].n > 0);
    const again = await ctx
      .http()
      .post(`/v1/admin/moderation/${item.id}/resolve`)
      .set(bearer(moderator))
      .send({ action: 'approve' })
      .expect(409);
    assert.match(again.body.message, /resolved already/);
    await ctx
      .http()
      .post(`/v1/admin/moderation/${item.id}/resolve`)
      .set(bearer(moderator))
      .send({ action: 'reassign' })
      .expect(400);
  });

  test('reject: faces rejected, left out of consensus, the contributor’s moderator rejections count', async () => {
    const item = await itemOf(hostile2);
    const result = ModerationResolveResultSchema.parse(
      (
        await ctx
          .http()
          .post(`/v1/admin/moderation/${item.id}/resolve`)
          .set(bearer(admin))
          .send({ action: 'reject', note: 'wrong person' })
          .expect(200)
      ).body,
    );
    assert.equal(result.facesAffected, 8);
    assert.equal(result.contributorsUpdated, 1);
    await ctx.app.get(ConsensusService).decide(p1, modelId);
    const c = await ctx.db.query(
      `SELECT c.status, c.moderation, array_agg(DISTINCT f.decision_code) AS codes, u.moderator_rejected
       FROM contributions c JOIN faces f ON f.contribution_id = c.id JOIN users u ON u.id = c.contributor_id
       WHERE c.contributor_id = $1 GROUP BY c.id, u.id`,
      [hostile2.id],
    );
    assert.deepEqual(c.rows[0], {
      status: 'rejected',
      moderation: 'rejected',
      codes: ['moderator_rejected'],
      moderator_rejected: 1,
    });
    const open = await ctx.db.query(
      `SELECT count(*)::int AS n FROM moderation_items WHERE status = 'open' AND $1::uuid = ANY(contributor_ids)`,
      [hostile2.id],
    );
    assert.equal(open.rows[0].n, 0, 'consensus does not file the rejected contribution again');
  });

  test('performers: search, paging, and the page of one (identity graph, contributors, histogram)', async () => {
    const found = AdminPerformerListSchema.parse(
      (await ctx.http().get('/v1/admin/performers?query=alice').set(bearer(moderator)).expect(200)).body,
    );
    assert.deepEqual(
      found.items.map((p) => p.id),
      [p1],
    );
    const byStashId = AdminPerformerListSchema.parse(
      (await ctx.http().get(`/v1/admin/performers?query=${P2}`).set(bearer(moderator)).expect(200)).body,
    );
    assert.deepEqual(
      byStashId.items.map((p) => p.id),
      [p2],
    );
    const first = AdminPerformerListSchema.parse(
      (await ctx.http().get('/v1/admin/performers?limit=1').set(bearer(moderator)).expect(200)).body,
    );
    const second = AdminPerformerListSchema.parse(
      (
        await ctx
          .http()
          .get(`/v1/admin/performers?limit=1&cursor=${first.nextCursor}`)
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    assert.deepEqual([first.items[0]!.name, second.items[0]!.name], ['Alice Example', 'Bea Example']);
    assert.equal(second.nextCursor, null);

    const detail = AdminPerformerDetailSchema.parse(
      (await ctx.http().get(`/v1/admin/performers/${p1}?days=3`).set(bearer(moderator)).expect(200)).body,
    );
    assert.equal(detail.stashIds[0]!.stashId, P1);
    assert.equal(detail.consensus?.state, 'established');
    assert.equal(detail.trustedOverTime.length, 3);
    assert.equal(detail.trustedOverTime.at(-1)!.trusted, detail.faces.trusted);
    assert.ok(detail.contributors.length >= 4);
    assert.ok(detail.distanceHistogram.centroidAvailable);
    const faces = detail.faces.pending + detail.faces.trusted + detail.faces.rejected;
    assert.equal(detail.distanceHistogram.total, faces);
    assert.ok(
      detail.distanceHistogram.buckets[0]!.from === 0 && detail.distanceHistogram.buckets.at(-1)!.to === 2,
    );
    await ctx.http().get(`/v1/admin/performers/${NIL}`).set(bearer(moderator)).expect(404);
  });

  test('identity links: list, accept (both performers re-queued, audited), a second decision is 409', async () => {
    const { rows } = await ctx.db.query(
      `INSERT INTO identity_link_suggestions (id, model_id, performer_a, performer_b, distance)
       VALUES (gen_random_uuid(), $1, $2, $3, 0.12) RETURNING id`,
      [modelId, p1 < p2 ? p1 : p2, p1 < p2 ? p2 : p1],
    );
    const id = rows[0].id as string;
    const list = IdentityLinkListSchema.parse(
      (await ctx.http().get(`/v1/admin/identity-links?performer=${p1}`).set(bearer(moderator)).expect(200))
        .body,
    );
    assert.deepEqual(
      list.items.map((l) => l.id),
      [id],
    );
    const decision = IdentityLinkDecisionSchema.parse(
      (
        await ctx
          .http()
          .post(`/v1/admin/identity-links/${id}/accept`)
          .set(bearer(moderator))
          .send({ note: 'same person' })
          .expect(200)
      ).body,
    );
    assert.equal(decision.link.status, 'accepted');
    assert.deepEqual(decision.performersRequeued, [p1, p2].sort());
    const stored = await ctx.db.query(`SELECT status FROM identity_link_suggestions WHERE id = $1`, [id]);
    assert.equal(stored.rows[0].status, 'accepted');
    const audit = await ctx.db.query(`SELECT action FROM audit_log WHERE target_id = $1`, [id]);
    assert.deepEqual(audit.rows, [{ action: 'identity_link.accepted' }]);
    await ctx
      .http()
      .post(`/v1/admin/identity-links/${id}/decline`)
      .set(bearer(moderator))
      .send({})
      .expect(409);
  });

  test('contributors: filter and page; the detail has reputation, agreement rate and API keys', async () => {
    const page1 = AdminContributorListSchema.parse(
      (
        await ctx
          .http()
          .get('/v1/admin/contributors?role=contributor&limit=4')
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    const page2 = AdminContributorListSchema.parse(
      (
        await ctx
          .http()
          .get(`/v1/admin/contributors?role=contributor&limit=4&cursor=${page1.nextCursor}`)
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    const ids = [...page1.items, ...page2.items].map((c) => c.id);
    assert.equal(ids.length, 7);
    assert.equal(new Set(ids).size, 7);
    const search = AdminContributorListSchema.parse(
      (
        await ctx
          .http()
          .get(`/v1/admin/contributors?query=${honest[0]!.email}`)
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    assert.deepEqual(
      search.items.map((c) => c.id),
      [honest[0]!.id],
    );
    const detail = AdminContributorDetailSchema.parse(
      (await ctx.http().get(`/v1/admin/contributors/${honest[0]!.id}`).set(bearer(moderator)).expect(200))
        .body,
    );
    assert.ok(detail.agreementRate !== null && detail.agreementRate > 0.9);
    assert.equal(detail.apiKeys.length, 1);
    assert.equal(detail.contributionsPerDay.length, 30);
    const history = await ctx
      .http()
      .get(`/v1/admin/contributors/${honest[0]!.id}/contributions?limit=1`)
      .set(bearer(moderator))
      .expect(200);
    assert.equal(history.body.items.length, 1);
    assert.ok(history.body.nextCursor);
  });

  test('suspend and ban stop the account at once (403 on POST /v1/contributions); moderators cannot ban', async () => {
    const target = honest[3]!;
    const body = contribution(box, 4, P1, centres[P1]!, 8, 999);
    const suspended = ContributorActionResultSchema.parse(
      (
        await ctx
          .http()
          .post(`/v1/admin/contributors/${target.id}/suspend`)
          .set(bearer(moderator))
          .send({ reason: 'spam' })
          .expect(200)
      ).body,
    );
    assert.equal(suspended.contributor.status, 'suspended');
    await ctx.http().post('/v1/contributions').set(bearer(target.key)).send(body).expect(403);
    await ctx
      .http()
      .post(`/v1/admin/contributors/${target.id}/suspend`)
      .set(bearer(moderator))
      .send({})
      .expect(409);
    await ctx
      .http()
      .post(`/v1/admin/contributors/${target.id}/ban`)
      .set(bearer(moderator))
      .send({})
      .expect(403);
    await ctx.http().post(`/v1/admin/contributors/${target.id}/ban`).set(bearer(admin)).send({}).expect(200);
    const row = await ctx.db.query(`SELECT status FROM users WHERE id = $1`, [target.id]);
    assert.equal(row.rows[0].status, 'banned');
    await ctx.http().post('/v1/contributions').set(bearer(target.key)).send(body).expect(403);
    await ctx
      .http()
      .post(`/v1/admin/contributors/${target.id}/reinstate`)
      .set(bearer(moderator))
      .send({})
      .expect(403);
    await ctx
      .http()
      .post(`/v1/admin/contributors/${target.id}/reinstate`)
      .set(bearer(admin))
      .send({})
      .expect(200);
    await ctx.http().post('/v1/contributions').set(bearer(target.key)).send(body).expect(202);
    const audit = await ctx.db.query(
      `SELECT action FROM audit_log WHERE target_id = $1 AND action IN ('user.suspended', 'user.banned', 'user.active') ORDER BY id`,
      [target.id],
    );
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ['user.suspended', 'user.banned', 'user.active'],
    );
  });

  test('revoking an API key stops it at once', async () => {
    const key = (await ctx.db.query(`SELECT id FROM api_keys WHERE user_id = $1`, [plain.id])).rows[0].id;
    await ctx.http().get('/v1/me').set(bearer(plain.key)).expect(403); // contribute-only key: no `read`
    const res = await ctx.http().delete(`/v1/admin/api-keys/${key}`).set(bearer(admin)).expect(200);
    assert.ok(res.body.revokedAt);
    await ctx.http().get('/v1/me').set(bearer(plain.key)).expect(401);
    await ctx.http().delete(`/v1/admin/api-keys/${key}`).set(bearer(admin)).expect(409);
  });

  test('indexes: build now, list with buckets and diff, withdraw (rollback), publish again; a purge reaches the next build', async () => {
    const auth = bearer(admin);
    const build = async () => {
      const queued = IndexBuildListSchema.parse(
        (await ctx.http().post('/v1/admin/indexes/builds').set(auth).send({}).expect(202)).body,
      ).builds;
      await ctx.app.get(IndexBuildService).run(queued[0]!.id);
    };
    await build();
    const list = AdminIndexVersionListSchema.parse(
      (await ctx.http().get('/v1/admin/indexes').set(bearer(moderator)).expect(200)).body,
    );
    const v1 = list.items[0]!;
    assert.equal(v1.latest, true);
    assert.ok(v1.build && v1.build.changes.facesAdded === v1.counts.faces);
    assert.ok(v1.counts.performers >= 1);
    await ctx
      .http()
      .post(`/v1/admin/indexes/${v1.version}/withdraw`)
      .set(bearer(moderator))
      .send({})
      .expect(403);
    await ctx
      .http()
      .post(`/v1/admin/indexes/${v1.version}/withdraw`)
      .set(auth)
      .send({ reason: 'check' })
      .expect(200);
    let row = await ctx.db.query(`SELECT status, withdrawn_by FROM index_versions WHERE version = $1`, [
      v1.version,
    ]);
    assert.equal(row.rows[0].status, 'withdrawn');
    await ctx.http().get('/v1/indexes/latest').expect(404);
    const republished = await ctx
      .http()
      .post(`/v1/admin/indexes/${v1.version}/publish`)
      .set(auth)
      .send({ reason: 'false alarm' })
      .expect(200);
    assert.equal(republished.body.status, 'published');
    row = await ctx.db.query(`SELECT status FROM index_versions WHERE version = $1`, [v1.version]);
    assert.equal(row.rows[0].status, 'published');
    await ctx.http().post(`/v1/admin/indexes/${v1.version}/publish`).set(auth).send({}).expect(409);

    // Purge an honest account: its faces leave consensus and the next build removes them.
    const purged = honest[0]!;
    const result = PurgeResultSchema.parse(
      (
        await ctx
          .http()
          .post(`/v1/admin/contributors/${purged.id}/purge`)
          .set(auth)
          .send({ reason: 'asked to leave' })
          .expect(200)
      ).body,
    );
    assert.equal(result.withdrawnContributions, 2);
    assert.equal(result.deletedFaces, 16);
    const left = await ctx.db.query(
      `SELECT count(*) FILTER (WHERE status <> 'withdrawn')::int AS live, count(*)::int AS all FROM contributions WHERE contributor_id = $1`,
      [purged.id],
    );
    assert.deepEqual(left.rows[0], { live: 0, all: 2 });
    await ctx.app.get(ConsensusService).decide(p1, modelId);
    await ctx.app.get(ConsensusService).decide(p2, modelId);
    await build();
    const after = AdminIndexVersionListSchema.parse(
      (await ctx.http().get('/v1/admin/indexes?limit=1').set(auth).expect(200)).body,
    );
    const v2 = after.items[0]!;
    assert.notEqual(v2.version, v1.version);
    assert.ok(v2.build!.changes.facesRemoved > 0, JSON.stringify(v2.build));
    assert.ok(after.nextCursor);
    // v1 now has a newer version: publishing it again would clash with the ids v2 allocated.
    await ctx
      .http()
      .post(`/v1/admin/indexes/${v2.version}/withdraw`)
      .set(auth)
      .send({ reason: 'x' })
      .expect(200);
    await ctx
      .http()
      .post(`/v1/admin/indexes/${v1.version}/withdraw`)
      .set(auth)
      .send({ reason: 'y' })
      .expect(200);
    await ctx.http().post(`/v1/admin/indexes/${v1.version}/publish`).set(auth).send({}).expect(409);
  });

  test('audit log: filter by action prefix, actor and target, paged newest first', async () => {
    const moderation = AuditListSchema.parse(
      (await ctx.http().get('/v1/admin/audit?action=moderation.').set(bearer(moderator)).expect(200)).body,
    );
    assert.deepEqual(
      moderation.items.map((e) => e.action),
      ['moderation.rejected', 'moderation.reassigned'],
    );
    assert.ok(moderation.items[1]!.actor);
    const index = AuditListSchema.parse(
      (
        await ctx
          .http()
          .get('/v1/admin/audit?targetType=index_version&limit=2')
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    assert.equal(index.items.length, 2);
    const rest = AuditListSchema.parse(
      (
        await ctx
          .http()
          .get(`/v1/admin/audit?targetType=index_version&limit=50&cursor=${index.nextCursor}`)
          .set(bearer(moderator))
          .expect(200)
      ).body,
    );
    const actions = [...index.items, ...rest.items].map((e) => e.action);
    assert.deepEqual(actions.slice().reverse(), [
      'index.withdrawn',
      'index.republished',
      'index.withdrawn',
      'index.withdrawn',
    ]);
    const purge = AuditListSchema.parse(
      (await ctx.http().get(`/v1/admin/audit?targetId=${honest[0]!.id}`).set(bearer(moderator)).expect(200))
        .body,
    );
    assert.ok(
      purge.items.some((e) => e.action === 'contributor.purged' && e.details.reason === 'asked to leave'),
    );
    const future = AuditListSchema.parse(
      (await ctx.http().get('/v1/admin/audit?from=2999-01-01T00:00:00Z').set(bearer(moderator)).expect(200))
        .body,
    );
    assert.equal(future.items.length, 0);
  });
});
