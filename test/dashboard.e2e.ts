// The moderation dashboard in headless Chromium (Debian's, driven by playwright-core) against the real cloud on a
// port: real PostgreSQL+pgvector and Redis, real contributions through the API, real consensus finding a hostile
// swap. A moderator's job end to end — log in, resolve the conflict, ban the contributor, build and withdraw an
// index — each checked in the database afterwards; accounts without a moderator role are refused. Screenshots of
// every page go to $TEST_ARTIFACTS_DIR/dashboard or test-results/dashboard (1366×768, full page).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ConsensusService } from '../apps/cloud/src/consensus/consensus.service.js';
import { DASHBOARD_DIST } from '../apps/cloud/src/dashboard/dashboard-static.js';
import { IndexBuildService } from '../apps/cloud/src/indexes/index-build.service.js';
import {
  contribution,
  contributor,
  type Contributor,
  P1,
  P2,
  sceneId,
  seedWorld,
} from './support/consensus-world.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.env.TEST_ARTIFACTS_DIR ?? join(ROOT, 'test-results'), 'dashboard');
const DASHBOARD_SOURCES = [
  'apps/dashboard/src',
  'apps/dashboard/index.html',
  'apps/dashboard/vite.config.ts',
  'libs/contracts/src',
];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newestMtime(join(path, e))));
}

/** The install step builds the dashboard; a test run after a source change rebuilds it rather than test a stale one. */
async function ensureDashboardBuilt(): Promise<void> {
  const index = join(DASHBOARD_DIST, 'index.html');
  const sourcesAt = Math.max(...DASHBOARD_SOURCES.map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesAt) return;
  await promisify(execFile)('npm', ['run', 'build:dashboard', '--silent'], { cwd: ROOT });
}

describe('moderation dashboard in Chromium', () => {
  let ctx: TestApp;
  let box: StashBoxFixtureServer;
  let browser: Browser;
  let base: string;
  let dataDir: string;
  let admin: { id: string; email: string };
  let hostile: Contributor;
  /** A second swapper, whose contribution the reassign test moves to the performer it shows. */
  let swapper: Contributor;
  let p2: string;
  let p1: string;
  let itemId: string;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function login(page: Page, email: string): Promise<void> {
    await page.goto(`${base}/admin/`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  let adminPage: Page;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: apt-get install -y chromium (infra/setup.sh does)`,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'ss-dashboard-'));
    const built = ensureDashboardBuilt();

    box = await new StashBoxFixtureServer().start();
    const centres = seedWorld(box);
    ctx = await startTestApp({
      DATA_DIR: dataDir,
      INDEX_STORAGE_DIR: join(dataDir, 'indexes'),
      INDEX_BUILD_INTERVAL_MS: '0',
      INDEX_MIN_FACES: '2',
      RATE_LIMIT_KEY_POINTS: '100000',
      RATE_LIMIT_IP_POINTS: '100000',
    });
    await ctx.db.query(
      `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'dashbox', 'Dashboard Box', $1)`,
      [box.url],
    );
    // The consensus world of test/consensus.e2e.ts: three established honest accounts agree on P1 and P2; an
    // established hostile account credits P2's face to P1 (a targeted swap), which consensus flags for moderators.
    const suffix = () => Math.random().toString(36).slice(2, 6);
    const honest: Contributor[] = [];
    for (const name of ['ann', 'ben', 'cat'])
      honest.push(await contributor(ctx, true, `${name}-${suffix()}`));
    hostile = await contributor(ctx, true, `eve-${suffix()}`);
    const post = (c: Contributor, body: object) =>
      ctx.http().post('/v1/contributions').set('Authorization', `Bearer ${c.key}`).send(body).expect(202);
    for (const [i, c] of honest.entries()) {
      await post(c, contribution(box, i + 1, P1, centres[P1]!, 8, 100 + i));
      await post(c, contribution(box, 7 + i, P2, centres[P2]!, 8, 200 + i));
    }
    swapper = await contributor(ctx, true, `fay-${suffix()}`);
    await post(hostile, contribution(box, 5, P1, centres[P2]!, 8, 300));
    await post(swapper, contribution(box, 6, P1, centres[P2]!, 8, 301));
    const ids = await ctx.db.query<{ performer_id: string; stash_id: string }>(
      `SELECT performer_id, stash_id FROM performer_stash_ids`,
    );
    const performerIds = new Map(ids.rows.map((r) => [r.stash_id, r.performer_id]));
    p1 = performerIds.get(P1)!;
    p2 = performerIds.get(P2)!;
    const model = await ctx.db.query<{ id: string }>(
      `SELECT id FROM embedding_models WHERE name = 'faceplugin-fr-feature'`,
    );
    const consensus = ctx.app.get(ConsensusService);
    await consensus.decide(p1, model.rows[0]!.id);
    await consensus.decide(p2, model.rows[0]!.id);
    await consensus.decide(p1, model.rows[0]!.id);
    const items = await ctx.db.query<{ id: string }>(
      `SELECT id FROM moderation_items WHERE status = 'open' AND $1 = ANY(contributor_ids)`,
      [hostile.id],
    );
    assert.equal(items.rows.length, 1, 'consensus flags the hostile swap for moderators');
    itemId = items.rows[0]!.id;

    admin = await ctx.createUser('admin', `admin-${suffix()}@example.org`);
    await ctx.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(ctx.app.getHttpServer().address() as AddressInfo).port}`;
    await built;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await ctx?.close();
    await box?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the cloud serves the built dashboard under /admin: client routes get index.html, unknown files 404', async () => {
    for (const path of ['/admin', '/admin/', '/admin/moderation/some-id']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /<div id="root">/, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    }
    const missing = await fetch(`${base}/admin/assets/missing.js`);
    assert.equal(missing.status, 404);
    // The API keeps its own 404s.
    const api = await fetch(`${base}/v1/admin/no-such-route`);
    assert.notEqual(api.headers.get('content-type')?.includes('text/html'), true);
  });

  test('an account without a moderator role is refused, and its session is ended', async () => {
    const user = await ctx.createUser('contributor', `carol-${Date.now()}@example.org`);
    const page = await newPage();
    await login(page, user.email);
    await page.getByRole('alert').filter({ hasText: 'moderators and admins only' }).waitFor();
    await shot(page, '00-login-refused');
    assert.equal(await page.evaluate('window.sessionStorage.length'), 0);
    const tokens = await ctx.db.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`,
      [user.id],
    );
    assert.equal(tokens.rows[0]!.open, 0, 'the refresh token the login issued is revoked');

    await page.getByLabel('Password').fill('wrong password entirely');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }).waitFor();
  });

  test('an admin logs in and sees the overview with its charts', async () => {
    adminPage = await newPage();
    await login(adminPage, admin.email);
    await adminPage.getByRole('heading', { name: 'Overview' }).waitFor();
    await adminPage.getByText('Contributions per day').first().waitFor();
    await adminPage.locator('.recharts-surface').first().waitFor();
    assert.equal(await adminPage.getByRole('link', { name: 'Moderation queue' }).count(), 1);
    await shot(adminPage, '01-overview');
  });

  test('a moderator resolves the conflict (reject) from the queue, with its evidence; the database and audit log follow', async () => {
    const page = adminPage;
    await page.getByRole('link', { name: 'Moderation queue' }).click();
    await page.getByRole('heading', { name: 'Moderation queue' }).waitFor();
    const row = page.locator(`a[href="/admin/moderation/${itemId}"]`);
    await row.waitFor();
    await shot(page, '02-moderation-queue');
    await row.click();
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    // The evidence names the hostile contributor and links the scene on its stash-box.
    await page.getByRole('link', { name: hostile.email }).first().waitFor();
    const site = box.url.replace(/\/graphql\/?$/, '');
    assert.ok(
      (await page.locator(`a[href="${site}/scenes/${sceneId(5)}"]`).count()) > 0,
      'the hostile scene links to its page on the stash-box',
    );
    await shot(page, '03-moderation-item');

    await page.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Reject these contributions?' }).waitFor();
    await dialog.getByLabel(/Note/).fill('P2 credited as P1: a swap');
    await shot(page, '04-moderation-confirm');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Rejected: / })
      .waitFor();
    await dialog.waitFor({ state: 'hidden' });

    const item = await ctx.db.query(
      `SELECT status, resolved_by, resolution FROM moderation_items WHERE id = $1`,
      [itemId],
    );
    assert.equal(item.rows[0].status, 'resolved');
    assert.equal(item.rows[0].resolved_by, admin.id);
    const contributions = await ctx.db.query(
      `SELECT moderation FROM contributions WHERE contributor_id = $1`,
      [hostile.id],
    );
    assert.ok(contributions.rows.length > 0 && contributions.rows.every((r) => r.moderation === 'rejected'));
    const audit = await ctx.db.query(
      `SELECT action FROM audit_log WHERE actor_id = $1 AND target_type = 'moderation_item' AND target_id = $2`,
      [admin.id, itemId],
    );
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ['moderation.rejected'],
    );
  });

  test('reassign: the contributions move to the performer chosen in the dialog (the look-alike); the database follows', async () => {
    const items = await ctx.db.query<{ id: string }>(
      `SELECT id FROM moderation_items WHERE status = 'open' AND $1 = ANY(contributor_ids)`,
      [swapper.id],
    );
    assert.equal(items.rows.length, 1, 'consensus flags the second swap too');
    const page = adminPage;
    await page.goto(`${base}/admin/moderation/${items.rows[0]!.id}`);
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    await page.getByRole('button', { name: 'Reassign…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Reassign…' });
    assert.equal(await confirm.isDisabled(), true, 'no performer chosen yet');
    await dialog.getByRole('radio', { name: /Bea Example/ }).check();
    await shot(page, '04b-moderation-reassign');
    await confirm.click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Reassigned: 1 contribution\(s\)/ })
      .waitFor();
    const moved = await ctx.db.query(
      `SELECT c.performer_id, (SELECT array_agg(DISTINCT f.performer_id) FROM faces f WHERE f.contribution_id = c.id) AS faces
       FROM contributions c WHERE c.contributor_id = $1`,
      [swapper.id],
    );
    assert.deepEqual(moved.rows, [{ performer_id: p2, faces: [p2] }]);
    const item = await ctx.db.query(`SELECT status, resolved_by FROM moderation_items WHERE id = $1`, [
      items.rows[0]!.id,
    ]);
    assert.deepEqual(item.rows[0], { status: 'resolved', resolved_by: admin.id });
  });

  test('performer page: identity, trusted faces over time, distance histogram, contributors', async () => {
    const page = adminPage;
    await page.goto(`${base}/admin/performers`);
    await page.getByRole('heading', { name: 'Performers' }).waitFor();
    await page.getByRole('link', { name: 'Alice Example' }).waitFor();
    await shot(page, '05-performers');
    // Server-side search: the filter goes to the API and into the URL.
    await page.getByLabel('Name or stash-box id').fill('Bea');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Alice Example' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Bea Example' }).waitFor();
    assert.match(page.url(), /query=Bea/);
    await page.goBack();
    await page.getByRole('link', { name: 'Alice Example' }).click();
    await page.getByRole('heading', { name: 'Identity: stash-box ids' }).waitFor();
    await page
      .getByText(/Distance of contributed faces|No consensus centroid yet/)
      .first()
      .waitFor();
    await shot(page, '06-performer');
  });

  test('an admin bans the contributor from the keyboard; Escape cancels a dialog; the database follows', async () => {
    const page = adminPage;
    await page.goto(`${base}/admin/contributors?query=${encodeURIComponent(hostile.email)}`);
    await page.getByRole('link', { name: hostile.email }).waitFor();
    await shot(page, '07-contributors');
    await page.getByRole('link', { name: hostile.email }).click();
    await page.getByRole('heading', { name: 'Account actions' }).waitFor();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await shot(page, '08-contributor');

    // Escape closes the dialog and changes nothing.
    await page.getByRole('button', { name: 'Suspend' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // Keyboard only: Enter opens, the reason field has the focus, Tab reaches the confirm button.
    await page.getByRole('button', { name: 'Ban', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: /^Ban / }).waitFor();
    await page.keyboard.type('hostile swaps');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Ban
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Ban');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'active → banned' }).waitFor();
    await page.getByRole('heading', { name: /banned/ }).waitFor();

    const user = await ctx.db.query(`SELECT status FROM users WHERE id = $1`, [hostile.id]);
    assert.equal(user.rows[0].status, 'banned');
    const audit = await ctx.db.query(
      `SELECT action, details FROM audit_log WHERE actor_id = $1 AND target_type = 'user' AND target_id = $2`,
      [admin.id, hostile.id],
    );
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ['user.banned'],
    );
    assert.equal(audit.rows[0].details.reason, 'hostile swaps');
    // The ban takes effect at once: the contributor's API key is refused.
    const res = await ctx.http().get('/v1/me/contributions').set('Authorization', `Bearer ${hostile.key}`);
    assert.equal(res.status, 403);
  });

  test("an admin revokes the contributor's API key and purges every contribution; the database follows", async () => {
    const page = adminPage;
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: /^Revoke the key / }).waitFor();
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Key .* revoked/ })
      .waitFor();
    const keys = await ctx.db.query(`SELECT revoked_at FROM api_keys WHERE user_id = $1`, [hostile.id]);
    assert.ok(keys.rows.length > 0 && keys.rows.every((k) => k.revoked_at !== null));

    await page.getByRole('button', { name: 'Purge all contributions' }).click();
    const confirm = dialog.getByRole('button', { name: 'Purge all contributions' });
    assert.equal(await confirm.isDisabled(), true, 'the reason is required');
    await dialog.getByLabel(/Reason/).fill('every face of this account is suspect');
    await confirm.click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Purged: 1 contribution\(s\) withdrawn/ })
      .waitFor();
    const left = await ctx.db.query(
      `SELECT c.status, (SELECT count(*)::int FROM faces f WHERE f.contribution_id = c.id) AS faces
       FROM contributions c WHERE c.contributor_id = $1`,
      [hostile.id],
    );
    assert.deepEqual(left.rows, [{ status: 'withdrawn', faces: 0 }]);
    const audit = await ctx.db.query(
      `SELECT action FROM audit_log WHERE actor_id = $1 AND action IN ('contributor.purged', 'api_key.revoked')`,
      [admin.id],
    );
    assert.deepEqual(audit.rows.map((r) => r.action).sort(), ['api_key.revoked', 'contributor.purged']);
  });

  test('a link suggestion across stash-boxes is accepted on the performer page; the database follows', async () => {
    const model = await ctx.db.query<{ id: string }>(
      `SELECT id FROM embedding_models WHERE name = 'faceplugin-fr-feature'`,
    );
    const other = await ctx.db.query<{ id: string }>(
      `INSERT INTO performers (id, name, primary_source, updated_at) VALUES (gen_random_uuid(), 'Alice on StashDB', 'stashdb', now()) RETURNING id`,
    );
    const otherId = other.rows[0]!.id;
    await ctx.db.query(
      `INSERT INTO performer_stash_ids (id, performer_id, endpoint_id, stash_id)
       SELECT gen_random_uuid(), $1, id, 'alice-on-stashdb' FROM stash_box_endpoints WHERE key = 'stashdb'`,
      [otherId],
    );
    const [a, b] = [p1, otherId].sort();
    const link = await ctx.db.query<{ id: string }>(
      `INSERT INTO identity_link_suggestions (id, model_id, performer_a, performer_b, distance)
       VALUES (gen_random_uuid(), $1, $2, $3, 0.041) RETURNING id`,
      [model.rows[0]!.id, a, b],
    );
    const page = adminPage;
    await page.goto(`${base}/admin/performers/${p1}`);
    await page.getByRole('heading', { name: 'Link suggestions across stash-boxes' }).waitFor();
    await page.getByRole('link', { name: 'Alice on StashDB' }).waitFor();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Accept' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Link accepted/ })
      .waitFor();
    const after = await ctx.db.query(`SELECT status FROM identity_link_suggestions WHERE id = $1`, [
      link.rows[0]!.id,
    ]);
    assert.equal(after.rows[0].status, 'accepted');
    // The identity links page lists it among the accepted ones.
    await page.getByRole('link', { name: 'Identity links' }).click();
    await page.getByRole('heading', { name: 'Identity links' }).waitFor();
    await page.getByLabel('Status').selectOption('accepted');
    await page.getByRole('link', { name: 'Alice on StashDB' }).waitFor();
    await shot(page, '12-identity-links');
  });

  test('a moderator sees the admin-only actions disabled and cannot ban through the API either', async () => {
    const moderator = await ctx.createUser('moderator', `mod-${Date.now()}@example.org`);
    const page = await newPage();
    await login(page, moderator.email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const honest = await ctx.db.query<{ id: string }>(
      `SELECT id FROM users WHERE email LIKE 'ann-%' LIMIT 1`,
    );
    await page.goto(`${base}/admin/contributors/${honest.rows[0]!.id}`);
    await page.getByRole('heading', { name: 'Account actions' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Ban (admins only)' }).isDisabled(), true);
    assert.equal(
      await page.getByRole('button', { name: 'Purge contributions (admins only)' }).isDisabled(),
      true,
    );
    assert.equal(await page.getByRole('button', { name: 'Suspend' }).isDisabled(), false);
    await shot(page, '11-contributor-as-moderator');
    await page.getByRole('link', { name: 'Indexes' }).click();
    await page.getByText('Builds and withdrawals: admins only.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Build now' }).count(), 0);
    const token = await ctx.login(moderator.email);
    const res = await ctx
      .http()
      .post(`/v1/admin/contributors/${honest.rows[0]!.id}/ban`)
      .set('Authorization', `Bearer ${token}`)
      .send({});
    assert.equal(res.status, 403);
  });

  test('an admin builds an index now, then withdraws it (rollback); the database follows', async () => {
    const page = adminPage;
    await page.getByRole('link', { name: 'Indexes' }).click();
    await page.getByRole('heading', { name: 'Indexes' }).waitFor();
    await page.getByRole('button', { name: 'Build now' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Queue the build' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Build queued/ })
      .waitFor();

    const queued = await ctx.db.query<{ id: string; status: string; requested_by: string }>(
      `SELECT id, status, requested_by FROM index_builds ORDER BY created_at DESC`,
    );
    assert.equal(queued.rows.length, 1);
    assert.equal(queued.rows[0]!.requested_by, admin.id);
    // The worker's job (worker processes run it in production; test/indexes-worker.e2e.ts covers that path).
    await ctx.app.get(IndexBuildService).run(queued.rows[0]!.id);
    const version = await ctx.db.query<{ version: string; status: string }>(
      `SELECT version, status FROM index_versions`,
    );
    assert.equal(version.rows.length, 1, 'the build published a version');
    const v = version.rows[0]!.version;

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: v, exact: true }).waitFor();
    await page.getByRole('heading', { name: `${v}: face-count buckets and diff` }).waitFor();
    await shot(page, '09-indexes');

    await page.getByRole('button', { name: 'Withdraw (roll back)' }).click();
    await dialog.getByLabel(/Reason/).fill('bad faces slipped in');
    await dialog.getByRole('button', { name: 'Withdraw (roll back)' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${v} is withdrawn` })
      .waitFor();
    await page.getByRole('button', { name: 'Publish again' }).waitFor();

    const after = await ctx.db.query(
      `SELECT status, withdrawn_by, withdrawn_reason FROM index_versions WHERE version = $1`,
      [v],
    );
    assert.deepEqual(after.rows[0], {
      status: 'withdrawn',
      withdrawn_by: admin.id,
      withdrawn_reason: 'bad faces slipped in',
    });
    const latest = await fetch(`${base}/v1/indexes/latest`);
    assert.equal(latest.status, 404, 'no published version left to serve');
  });

  test('the audit log lists every action, filterable by action', async () => {
    const page = adminPage;
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    for (const action of ['moderation.rejected', 'user.banned', 'index.build_queued', 'index.withdrawn'])
      await page.getByRole('button', { name: action, exact: true }).first().waitFor();
    await shot(page, '10-audit');
    await page.getByLabel(/Action/).fill('index.');
    await page.getByLabel(/Action/).press('Enter');
    await page.getByRole('button', { name: 'user.banned', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'index.withdrawn', exact: true }).waitFor();
    assert.match(page.url(), /action=index\./);
  });
});
