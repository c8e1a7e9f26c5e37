// The Stash UI plugin in headless Chromium (Debian's, driven by playwright-core): a fixture Stash (real GraphQL
// server from Stash's schema) serves a minimal Stash-like page that loads the plugin's JavaScript and CSS the way
// Stash does (/plugin/<id>/javascript, /plugin/<id>/css), and the real sidecar (models, an index built by the CLI)
// identifies the scene. Clicks "Identify performers", checks the modal, clicks "Add to scene" and checks the
// request and Stash's scene. Screenshots go to $TEST_ARTIFACTS_DIR or test-results/plugin.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, validate } from 'graphql';
import { type Browser, chromium } from 'playwright-core';
import { loadSchema } from '../../../test/support/graphql-schemas.js';
import { StashFixtureServer } from '../../../test/support/stash-server.js';
import {
  photo,
  REPO_ROOT,
  type SidecarProcess,
  startSidecarProcess,
  makeTwoPeopleScene,
  TWO_PEOPLE,
  startFeedbackCloud,
} from './support/client-fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLUGIN_DIR = join(REPO_ROOT, 'plugins/stash-sense');
const ARTIFACTS = join(process.env.TEST_ARTIFACTS_DIR ?? join(REPO_ROOT, 'test-results'), 'plugin');
const STASHDB = 'https://stashdb.org/graphql';
const OBAMA = TWO_PEOPLE.obama;
const JOLIE = TWO_PEOPLE.jolie;

/** A page like Stash's: the React root renders the scene toolbar a moment after load, then the plugin is injected. */
const SCENE_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Stash</title>
<link rel="stylesheet" href="/plugin/stash-sense/css">
<style>body{background:#202b33;color:#f5f8fa;font-family:sans-serif}</style>
</head><body><div id="root"><div class="scene-page"><h2>Scene 2</h2></div></div>
<script>
  window.__locationListeners = [];
  window.PluginApi = { Event: { addEventListener: function (name, fn) { window.__locationListeners.push(fn); } } };
  setTimeout(function () {
    var bar = document.createElement('div'); bar.className = 'scene-toolbar';
    var group = document.createElement('div'); group.className = 'scene-toolbar-group';
    bar.appendChild(group); document.querySelector('.scene-page').appendChild(bar);
  }, 300);
</script>
<script src="/plugin/stash-sense/javascript"></script>
</body></html>`;

const PERFORMER_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Stash</title><link rel="stylesheet" href="/plugin/stash-sense/css"></head>
<body><div id="root"><div class="performer-head"><h2>Barack Obama</h2></div></div>
<script src="/plugin/stash-sense/javascript"></script></body></html>`;

let work: string;
let stash: StashFixtureServer;
let sidecar: SidecarProcess;
let browser: Browser;
let cloud: Awaited<ReturnType<typeof startFeedbackCloud>>;
/** The sidecar's answer of the first test, replayed in the second one. */
let sceneAnswer: unknown;

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y chromium (infra/setup.sh does)`,
  );
  work = mkdtempSync(join(tmpdir(), 'plugin-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const { indexDir, video } = await makeTwoPeopleScene(work);

  cloud = await startFeedbackCloud();
  stash = await new StashFixtureServer().start();
  stash.addPerformer({
    id: '10',
    name: 'Barack Obama',
    stashIds: [{ endpoint: STASHDB, stashId: OBAMA }],
    imageFile: photo('barack_obama', '4.jpg'),
  });
  stash.addScene({
    id: '2',
    files: [{ path: video, duration: 4, width: 960, height: 540 }],
    performerIds: ['10'],
    streamFile: video,
  });
  stash.stashBoxes.set(STASHDB, new Map([[JOLIE, { name: 'Angelina Jolie' }]]));
  stash.pages.set('/scenes/2', { body: SCENE_PAGE, contentType: 'text/html; charset=utf-8' });
  stash.pages.set('/performers/10', { body: PERFORMER_PAGE, contentType: 'text/html; charset=utf-8' });
  stash.pages.set('/plugin/stash-sense/javascript', {
    body: readFileSync(join(PLUGIN_DIR, 'stash-sense.js')),
    contentType: 'text/javascript',
  });
  stash.pages.set('/plugin/stash-sense/css', {
    body: readFileSync(join(PLUGIN_DIR, 'stash-sense.css')),
    contentType: 'text/css',
  });

  sidecar = await startSidecarProcess(['--index', indexDir], {
    env: { STASH_SENSE_STASH_URL: stash.url, STASH_SENSE_OUTBOX: join(work, 'outbox.jsonl') },
  });
  stash.pluginSettings['stash-sense'] = {
    sidecarUrl: sidecar.url,
    contributeOptIn: true,
    cloudUrl: cloud.url,
    cloudApiKey: 'ss_plugin_key',
  };
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  await sidecar?.stop();
  await stash?.stop();
  cloud?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the Stash plugin on a scene page', () => {
  it('identifies the performers, shows faces and candidates, adds one to the scene, sends "Not this person" (opted in)', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${stash.url}/scenes/2`);

    const button = page.locator('.scene-toolbar .ss-launch');
    await button.waitFor({ timeout: 10_000 });
    assert.equal(await button.textContent(), 'Identify performers');

    // The plugin's own Stash GraphQL documents are valid against Stash's schema.
    const queries = await page.evaluate(
      () =>
        (globalThis as unknown as { __stashSense: { queries: Record<string, string> } }).__stashSense.queries,
    );
    for (const [name, query] of Object.entries(queries)) {
      assert.deepEqual(
        validate(loadSchema('stash'), parse(query)).map((e) => e.message),
        [],
        name,
      );
    }

    const identify = page.waitForRequest((r) => r.url() === `${sidecar.url}/identify/scene`);
    const answered = page.waitForResponse((r) => r.url() === `${sidecar.url}/identify/scene`, {
      timeout: 180_000,
    });
    await button.click();
    assert.deepEqual((await identify).postDataJSON(), { scene_id: '2' });
    sceneAnswer = await (await answered).json();
    await page.locator('.ss-modal .ss-person').first().waitFor({ timeout: 180_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'scene-modal.png') });

    const people = page.locator('.ss-modal .ss-person');
    assert.equal(await people.count(), 2);
    const thumbsLoaded = await page.$$eval('.ss-modal img.ss-thumb', (imgs) =>
      imgs.map((img) => {
        const i = img as unknown as { complete: boolean; naturalWidth: number };
        return i.complete && i.naturalWidth > 0;
      }),
    );
    assert.deepEqual(thumbsLoaded, [true, true], 'a face thumbnail per person');

    const obamaRow = page.locator(`.ss-candidate[data-performer="${OBAMA}"]`).first();
    assert.equal(await obamaRow.locator('.ss-on-scene').textContent(), 'On scene');
    const jolieRow = page.locator(`.ss-candidate[data-performer="${JOLIE}"]`).first();
    assert.match((await jolieRow.locator('.ss-confidence').textContent()) ?? '', /^\d+%$/);
    assert.match((await jolieRow.locator('.ss-distance').textContent()) ?? '', /^d 0\.\d{3}$/);
    assert.ok(await jolieRow.locator('.ss-band').isVisible());
    assert.ok(await jolieRow.locator('.ss-not').isVisible(), '"Not this person" shows when opted in');
    assert.equal(await page.locator('.ss-add-all').count(), 1);
    // Opted in: the scene's contribution state from the client's outbox (nothing sent for this scene yet).
    await page.locator('.ss-contribution').waitFor({ timeout: 20_000 });
    assert.match(
      (await page.locator('.ss-contribution').textContent()) ?? '',
      /^Contribution: not contributed yet/,
    );

    const add = page.waitForRequest((r) => r.url() === `${sidecar.url}/stash/scene/2/performers`);
    await jolieRow.locator('.ss-add').click();
    const request = await add;
    assert.equal(request.method(), 'POST');
    assert.deepEqual(request.postDataJSON(), {
      stash_ids: [{ endpoint: STASHDB, stash_id: JOLIE, name: JOLIE }],
    });
    await jolieRow.locator('.ss-on-scene').waitFor({ timeout: 20_000 });
    assert.equal(await jolieRow.locator('.ss-on-scene').textContent(), 'Added');
    await page.screenshot({ path: join(ARTIFACTS, 'scene-added.png') });

    const created = [...stash.performers.values()].find((p) => p.stashIds.some((s) => s.stashId === JOLIE));
    assert.ok(created, 'Stash has the performer, created from the stash-box');
    assert.equal(created.name, 'Angelina Jolie');
    assert.deepEqual([...stash.scenes.get('2')!.performerIds].sort(), ['10', created.id].sort());

    const feedback = page.waitForRequest((r) => r.url() === `${sidecar.url}/feedback`);
    await obamaRow.locator('.ss-not').click();
    const sent = (await feedback).postDataJSON() as Record<string, unknown>;
    assert.equal(sent.endpoint, STASHDB);
    assert.equal(sent.stash_id, OBAMA);
    assert.equal(sent.cloud_url, cloud.url);
    await obamaRow.locator('.ss-not:has-text("Thanks: sent")').waitFor({ timeout: 20_000 });
    assert.equal(cloud.requests.length, 1);
    assert.equal(cloud.requests[0]!.authorization, 'Bearer ss_plugin_key');
    assert.deepEqual(cloud.requests[0]!.body.performer, { endpoint: STASHDB, stashId: OBAMA });
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('keeps "Not this person" hidden when contribution is off (the same answer replayed)', async () => {
    assert.ok(sceneAnswer, 'the first test identified the scene');
    stash.pluginSettings['stash-sense'] = { sidecarUrl: sidecar.url, contributeOptIn: false };
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.route(`${sidecar.url}/identify/scene`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': stash.url },
        body: JSON.stringify(sceneAnswer),
      }),
    );
    await page.goto(`${stash.url}/scenes/2`);
    await page.locator('.scene-toolbar .ss-launch').click();
    await page.locator('.ss-modal .ss-person').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.ss-modal .ss-person').count(), 2);
    assert.equal(await page.locator('.ss-not').count(), 0);
    assert.equal(await page.locator('.ss-contribution').count(), 0, 'no contribution state when opted out');
    await page.screenshot({ path: join(ARTIFACTS, 'scene-opted-out.png') });
    await page.close();
  });
});

describe('the Stash plugin on a performer page', () => {
  it("identifies the faces of the performer's picture (fetched from Stash, uploaded to the sidecar)", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(`${stash.url}/performers/10`);
    const button = page.locator('.performer-head .ss-launch');
    await button.waitFor({ timeout: 10_000 });
    assert.equal(await button.textContent(), 'Identify faces');
    const upload = page.waitForRequest((r) => r.url() === `${sidecar.url}/identify`);
    await button.click();
    assert.match((await upload).headers()['content-type'] ?? '', /^multipart\/form-data/);
    await page.locator('.ss-modal .ss-person').first().waitFor({ timeout: 60_000 });
    const row = page.locator(`.ss-candidate[data-performer="${OBAMA}"]`).first();
    assert.ok(await row.isVisible());
    assert.equal(await page.locator('.ss-modal .ss-add').count(), 0, 'no "Add to scene" outside a scene');
    assert.match((await page.locator('.ss-person-title').first().textContent()) ?? '', new RegExp(OBAMA));
    await page.screenshot({ path: join(ARTIFACTS, 'performer-modal.png') });
    await page.close();
  });
});
