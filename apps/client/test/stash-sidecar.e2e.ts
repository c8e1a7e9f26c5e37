// Scene identification by Stash scene id over real HTTP: the sidecar as a real process with the real models and a
// face index built by the CLI, a fixture Stash (a real GraphQL server from Stash's schema, with an API key) that
// serves the scene's stream, and ffmpeg-made videos. Also adding performers to a scene through the sidecar.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  FeedbackRequestSchema,
  SidecarAddScenePerformersResponseSchema,
  SidecarErrorSchema,
  SidecarIdentifyStashSceneResponseSchema,
} from '@stash-sense/contracts';
import { decodeEmbedding } from '@stash-sense/vectors';
import { StashFixtureServer } from '../../../test/support/stash-server.js';
import {
  type SidecarProcess,
  startSidecarProcess,
  makeTwoPeopleScene,
  TWO_PEOPLE,
  startFeedbackCloud,
} from './support/client-fixtures.js';

const STASHDB = 'https://stashdb.org/graphql';
const OBAMA = TWO_PEOPLE.obama;
const JOLIE = TWO_PEOPLE.jolie;
const API_KEY = 'stash-api-key';

let work: string;
let stash: StashFixtureServer;
let sidecar: SidecarProcess;
let cloud: Awaited<ReturnType<typeof startFeedbackCloud>>;
let analysis: { id: string; person: number; distance: number } | undefined;

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(`${sidecar.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'stash-sidecar-e2e-'));
  const { indexDir, video } = await makeTwoPeopleScene(work);

  cloud = await startFeedbackCloud();
  stash = await new StashFixtureServer({ apiKey: API_KEY }).start();
  stash.addPerformer({ id: '10', name: 'Barack Obama', stashIds: [{ endpoint: STASHDB, stashId: OBAMA }] });
  const file = { duration: 4, width: 960, height: 540, fingerprints: [{ type: 'oshash', value: 'abc' }] };
  // Scene 1: its file is readable here. Scene 2: Stash's path is not on this machine → the stream is used.
  stash.addScene({ id: '1', files: [{ ...file, path: video }], performerIds: ['10'], streamFile: video });
  stash.addScene({
    id: '2',
    files: [{ ...file, path: '/mnt/elsewhere/scene.mp4' }],
    performerIds: [],
    streamFile: video,
  });
  stash.stashBoxes.set(STASHDB, new Map([[JOLIE, { name: 'Angelina Jolie', gender: 'FEMALE' }]]));

  sidecar = await startSidecarProcess(['--index', indexDir], {
    env: {
      STASH_SENSE_STASH_URL: stash.url,
      STASH_SENSE_STASH_API_KEY: API_KEY,
      STASH_SENSE_CLOUD_URL: '',
      STASH_SENSE_API_KEY: '',
    },
  });
});

after(async () => {
  await sidecar?.stop();
  await stash?.stop();
  cloud?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('POST /identify/scene with a Stash scene id', () => {
  it('reads the scene from Stash, samples its local file, and says which candidates are on the scene', async () => {
    const response = await postJson('/identify/scene', { scene_id: '1', frames: 8 });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const body = SidecarIdentifyStashSceneResponseSchema.parse(JSON.parse(text));
    assert.equal(body.sceneId, '1');
    assert.equal(body.source, 'file');
    assert.equal(body.framesSampled, 8);
    assert.deepEqual(
      body.scenePerformers.map((p) => p.id),
      ['10'],
    );
    const matched = new Map(body.people.flatMap((p) => (p.bestMatch ? [[p.bestMatch.name, p]] : [])));
    assert.deepEqual([...matched.keys()].sort(), [JOLIE, OBAMA].sort());
    const obama = matched.get(OBAMA)!.bestMatch!;
    assert.equal(obama.onScene, true);
    assert.equal(obama.stashPerformerId, '10');
    const jolie = matched.get(JOLIE)!.bestMatch!;
    analysis = { id: body.analysisId, person: matched.get(JOLIE)!.person, distance: jolie.distance };
    assert.equal(jolie.onScene, false);
    assert.equal(jolie.stashPerformerId, null, 'the library lacks her');
    for (const person of matched.values()) {
      assert.match(person.thumbnail ?? '', /^data:image\/jpeg;base64,\/9j\//, 'a JPEG face thumbnail');
      assert.ok(Buffer.from(person.thumbnail!.split(',')[1]!, 'base64').length > 500);
    }
    assert.ok(stash.requests.every((r) => r.apiKey === API_KEY));
  });

  it('uses the Stash stream (with the ApiKey header) when the file is not on this machine', async () => {
    stash.streamRequests = [];
    const response = await postJson('/identify/scene', { scene_id: 2, frames: 6, top_k: 3 });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const body = SidecarIdentifyStashSceneResponseSchema.parse(JSON.parse(text));
    assert.equal(body.source, 'stream');
    assert.ok(stash.streamRequests.length > 0, 'ffmpeg read the stream');
    assert.ok(stash.streamRequests.every((r) => r.sceneId === '2' && r.apiKey === API_KEY));
    assert.deepEqual(
      body.people.flatMap((p) => (p.bestMatch ? [p.bestMatch.name] : [])).sort(),
      [JOLIE, OBAMA].sort(),
    );
    assert.ok(body.people.every((p) => p.candidates.length <= 3));
  });

  it('answers 404 for a scene Stash does not have and 400 for path plus scene_id', async () => {
    const missing = await postJson('/identify/scene', { scene_id: '999' });
    assert.equal(missing.status, 404);
    assert.match(SidecarErrorSchema.parse(await missing.json()).detail, /no scene 999/);
    const both = await postJson('/identify/scene', { scene_id: '1', path: '/x.mp4' });
    assert.equal(both.status, 400);
  });
});

describe('POST /feedback ("Not this person")', () => {
  it("forwards the person's mean face embedding and the rejected performer to the cloud", async () => {
    assert.ok(analysis, 'the scene was identified first');
    const response = await postJson('/feedback', {
      analysis_id: analysis.id,
      person: analysis.person,
      endpoint: STASHDB,
      stash_id: JOLIE,
      distance: analysis.distance,
      cloud_url: cloud.url,
      api_key: 'ss_test_key',
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.equal(cloud.requests.length, 1);
    assert.equal(cloud.requests[0]!.authorization, 'Bearer ss_test_key');
    const sent = FeedbackRequestSchema.parse(cloud.requests[0]!.body);
    assert.deepEqual(sent.performer, { endpoint: STASHDB, stashId: JOLIE });
    const embedding = decodeEmbedding(sent.embedding, sent.encoding);
    assert.equal(embedding.length, 512);
    assert.ok(Math.abs(Math.hypot(...embedding) - 1) < 1e-3, 'unit length');
    assert.equal(sent.model.name.length > 0, true);
  });

  it('answers 404 for an unknown analysis and 503 without a cloud URL', async () => {
    const base = { person: 0, endpoint: STASHDB, stash_id: JOLIE, distance: 0.2 };
    assert.equal((await postJson('/feedback', { ...base, analysis_id: 'nope' })).status, 404);
    const noCloud = await postJson('/feedback', {
      ...base,
      analysis_id: analysis!.id,
      person: analysis!.person,
    });
    assert.equal(noCloud.status, 503);
  });
});

describe('POST /stash/scene/{id}/performers', () => {
  it('creates a missing performer from her stash-box id and adds her to the scene', async () => {
    const response = await postJson('/stash/scene/2/performers', {
      stash_ids: [{ endpoint: STASHDB, stash_id: JOLIE, name: 'fallback' }],
      performer_ids: ['10'],
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const body = SidecarAddScenePerformersResponseSchema.parse(JSON.parse(text));
    const created = body.added.find((a) => a.stashId === JOLIE)!;
    assert.equal(created.created, true);
    assert.equal(created.source, 'stash-box');
    assert.equal(created.name, 'Angelina Jolie');
    assert.deepEqual([...body.performerIds].sort(), ['10', created.performerId].sort());
    assert.deepEqual([...stash.scenes.get('2')!.performerIds].sort(), ['10', created.performerId].sort());
    const again = await postJson('/stash/scene/1/performers', {
      stash_ids: [{ endpoint: STASHDB, stash_id: JOLIE }],
    });
    const second = SidecarAddScenePerformersResponseSchema.parse(await again.json());
    assert.equal(second.added[0]!.created, false, 'found by stash id, not created twice');
  });

  it('refuses a bad body and an unknown scene with a detail', async () => {
    assert.equal((await postJson('/stash/scene/1/performers', {})).status, 400);
    assert.equal((await postJson('/stash/scene/abc/performers', { performer_ids: ['1'] })).status, 400);
    const missing = await postJson('/stash/scene/999/performers', { performer_ids: ['10'] });
    assert.equal(missing.status, 404);
  });

  it('lets only the Stash origin call it from a browser (CORS)', async () => {
    const ok = await fetch(`${sidecar.url}/identify/scene`, {
      method: 'OPTIONS',
      headers: { origin: stash.url, 'access-control-request-method': 'POST' },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), stash.url);
    const alias = stash.url.replace('127.0.0.1', 'localhost');
    const aliased = await fetch(`${sidecar.url}/stash/scene/1/performers`, {
      method: 'OPTIONS',
      headers: { origin: alias, 'access-control-request-method': 'POST' },
    });
    assert.equal(aliased.headers.get('access-control-allow-origin'), alias, 'the same Stash as localhost');
    const other = await fetch(`${sidecar.url}/identify/scene`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
