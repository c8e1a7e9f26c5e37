// The client's Stash GraphQL documents against Stash's real schema, and the Stash client against a real GraphQL
// server built from that schema (test/support/stash-server.ts) with fixture data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse, validate } from 'graphql';
import { StashClient, StashError } from '../apps/client/src/stash/stash-client.js';
import { STASH_DOCUMENTS } from '../apps/client/src/stash/stash.queries.js';
import { loadSchema } from './support/graphql-schemas.js';
import { StashFixtureServer } from './support/stash-server.js';

const STASHDB = 'https://stashdb.org/graphql';
const JANE = '6a1f0c1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const KIM = '7b2e1d2c-4d5e-4f60-9bac-1d2e3f4a5b6c';
const NEW = '8c3f2e3d-5e6f-4071-8cbd-2e3f4a5b6c7d';

describe('Stash GraphQL documents', () => {
  it('every query and mutation the client sends validates against the real Stash schema', () => {
    const schema = loadSchema('stash');
    const names = Object.keys(STASH_DOCUMENTS);
    assert.ok(names.length >= 7, names.join(', '));
    for (const [name, document] of Object.entries(STASH_DOCUMENTS)) {
      const errors = validate(schema, parse(document));
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
        name,
      );
    }
  });

  it('the schema check is real: a field Stash does not have is refused', () => {
    const errors = validate(loadSchema('stash'), parse('query { findScene(id: "1") { id no_such_field } }'));
    assert.equal(errors.length, 1);
  });
});

describe('StashClient against a fixture Stash', () => {
  let stash: StashFixtureServer;
  let client: StashClient;

  before(async () => {
    stash = await new StashFixtureServer({ apiKey: 'secret-key' }).start();
    stash.addPerformer({ id: '1', name: 'Jane Doe', stashIds: [{ endpoint: STASHDB, stashId: JANE }] });
    stash.addPerformer({ id: '2', name: 'Kim Roe', stashIds: [{ endpoint: STASHDB, stashId: KIM }] });
    for (let i = 1; i <= 7; i++) {
      stash.addScene({
        id: String(i),
        title: `Scene ${i}`,
        files: [
          {
            path: `/media/scene-${i}.mp4`,
            duration: 100 + i,
            width: 1920,
            height: 1080,
            fingerprints: [
              { type: 'oshash', value: `00000000000000${String(i).padStart(2, '0')}` },
              { type: 'phash', value: 'a1b2c3d4e5f60718' },
            ],
          },
        ],
        stashIds: [{ endpoint: STASHDB, stashId: `scene-${i}` }],
        performerIds: i === 1 ? ['1'] : [],
      });
    }
    stash.stashBoxes.set(STASHDB, new Map([[NEW, { name: 'New Person', gender: 'FEMALE', country: 'US' }]]));
    client = new StashClient({ url: `${stash.url}/graphql`, apiKey: 'secret-key' });
  });
  after(() => stash.stop());

  it('reads a scene: files, fingerprints, duration, size, stash ids, performers with their stash ids, URLs', async () => {
    const scene = await client.findScene('1');
    assert.ok(scene);
    assert.equal(scene.id, '1');
    assert.equal(scene.durationSec, 101);
    assert.equal(scene.width, 1920);
    assert.equal(scene.height, 1080);
    assert.equal(scene.files[0]!.path, '/media/scene-1.mp4');
    assert.deepEqual(scene.files[0]!.fingerprints[0], { type: 'oshash', value: '0000000000000001' });
    assert.deepEqual(scene.stashIds, [{ endpoint: STASHDB, stashId: 'scene-1' }]);
    assert.deepEqual(
      scene.performers.map((p) => [p.id, p.name, p.stashIds]),
      [['1', 'Jane Doe', [{ endpoint: STASHDB, stashId: JANE }]]],
    );
    assert.equal(scene.streamUrl, `${stash.url}/scene/1/stream`);
    assert.equal(scene.screenshotUrl, `${stash.url}/scene/1/screenshot`);
    assert.equal(stash.requests.at(-1)!.apiKey, 'secret-key', 'the ApiKey header is sent');
  });

  it('answers null for a scene Stash does not have', async () => {
    assert.equal(await client.findScene('999'), null);
  });

  it('walks the library page by page', async () => {
    const seen: string[] = [];
    let count: number | undefined;
    for (let page = 1; ; page++) {
      const result = await client.findScenes({ page, perPage: 3 });
      count = result.count;
      seen.push(...result.scenes.map((s) => s.id));
      if (result.scenes.length < 3) break;
    }
    assert.equal(count, 7);
    assert.deepEqual(seen, ['1', '2', '3', '4', '5', '6', '7']);
  });

  it('finds a performer by stash-box id, and null for an unknown one', async () => {
    assert.equal((await client.findPerformerByStashId(STASHDB, KIM))?.id, '2');
    assert.equal(await client.findPerformerByStashId(STASHDB, NEW), null);
    assert.equal(await client.findPerformerByStashId('https://fansdb.cc/graphql', KIM), null);
  });

  it('adds performers to a scene and keeps the ones already on it', async () => {
    const ids = await client.addPerformersToScene('1', ['2', '1']);
    assert.deepEqual(ids.sort(), ['1', '2']);
    assert.deepEqual(stash.scenes.get('1')!.performerIds.sort(), ['1', '2']);
    await assert.rejects(client.addPerformersToScene('999', ['1']), (e: unknown) => {
      assert.ok(e instanceof StashError);
      assert.equal(e.kind, 'not-found');
      return true;
    });
  });

  it('creates a missing performer from its stash-box id with the stash-box data, once', async () => {
    const first = await client.createPerformerFromStashBox({ endpoint: STASHDB, stashId: NEW });
    assert.equal(first.created, true);
    assert.equal(first.source, 'stash-box');
    assert.equal(first.performer.name, 'New Person');
    assert.deepEqual(first.performer.stashIds, [{ endpoint: STASHDB, stashId: NEW }]);
    assert.equal(stash.performers.get(first.performer.id)!.gender, 'FEMALE');
    const again = await client.createPerformerFromStashBox({ endpoint: STASHDB, stashId: NEW });
    assert.equal(again.created, false);
    assert.equal(again.performer.id, first.performer.id);
  });

  it('creates a performer with the given name when Stash cannot reach that stash-box, and refuses without one', async () => {
    const endpoint = 'https://fansdb.cc/graphql';
    const made = await client.createPerformerFromStashBox({
      endpoint,
      stashId: 'f-1',
      fallbackName: 'Index Name',
    });
    assert.equal(made.source, 'fallback');
    assert.equal(made.performer.name, 'Index Name');
    await assert.rejects(
      client.createPerformerFromStashBox({ endpoint, stashId: 'f-2' }),
      /no name was given/,
    );
  });

  it('says what to set when the API key is wrong or Stash is unreachable', async () => {
    const wrong = new StashClient({ url: stash.url, apiKey: 'nope' });
    await assert.rejects(wrong.findScene('1'), /STASH_SENSE_STASH_API_KEY/);
    const down = new StashClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await assert.rejects(down.findScene('1'), /cannot reach Stash.*STASH_SENSE_STASH_URL/);
  });
});
