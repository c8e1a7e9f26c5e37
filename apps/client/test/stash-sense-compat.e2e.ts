// The stash-sense / stash-sense2 Stash plugins against our sidecar, in their exact request shapes: each call goes
// through a stand-in for the plugin's backend script (JSON on stdin → HTTP call → {"output": …} on stdout,
// support/stash-sense-backend.mjs), to the sidecar as a real process with the real models, a face index built by
// the CLI, and a fixture Stash (a real GraphQL server from Stash's schema, with an API key) that serves scenes,
// images and galleries and streams a generated video of fixture faces. Every field the plugin reads is checked
// with its type (../shared/compat/stash-sense-plugin-api.md, sections 3 and 3.1). The sidecar runs with a token,
// carried the only way the plugin can: as the password of its "Stash Sense API URL".
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  SidecarDatabaseInfoSchema,
  SidecarErrorSchema,
  SidecarHealthSchema,
  SidecarIdentifyStashSceneResponseSchema,
  StashSenseCreatePerformerResponseSchema,
  StashSenseGalleryResponseSchema,
  StashSenseImageResponseSchema,
  StashSenseLinkPerformerResponseSchema,
  StashSenseSearchPerformersResponseSchema,
} from '@stash-sense/contracts';
import { StashFixtureServer } from '../../../test/support/stash-server.js';
import {
  photo,
  type SidecarProcess,
  startSidecarProcess,
  writeCorruptImage,
  makeTwoPeopleScene,
  TWO_PEOPLE,
} from './support/client-fixtures.js';

const BACKEND = join(import.meta.dirname, 'support/stash-sense-backend.mjs');
const STASHDB = 'https://stashdb.org/graphql';
const OBAMA = TWO_PEOPLE.obama;
const JOLIE = TWO_PEOPLE.jolie;
const OTHER = '0c0c0c0c-1111-4222-8333-444455556666';
const API_KEY = 'stash-api-key-e2e-5f1c';
const TOKEN = 'sidecar-token-e2e-9d2b7a41c3';

let work: string;
let stash: StashFixtureServer;
let sidecar: SidecarProcess;
/** Every body the sidecar answered in this file (checked for secrets at the end). */
const answers: string[] = [];

/** Runs the plugin's backend with `args` (sidecar_url defaults to the sidecar with its token) and returns `output`. */
function plugin(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const port = new URL(sidecar.url).port;
  const input = {
    server_connection: { Scheme: 'http', Port: 9999 },
    args: { sidecar_url: `http://stash-sense:${TOKEN}@127.0.0.1:${port}/`, ...args },
  };
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BACKEND], { timeout: 320_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`backend failed: ${error.message}\n${stderr}`));
      answers.push(stdout);
      const lines = stdout.trim().split('\n');
      assert.equal(lines.length, 1, 'one JSON line on stdout');
      const parsed = JSON.parse(lines[0]!) as { output: Record<string, unknown> };
      assert.ok('output' in parsed);
      resolve(parsed.output);
    });
    child.stdin!.end(JSON.stringify(input));
  });
}

/** A success as the plugin's JS sees it: no truthy top-level `error`. */
function ok(output: Record<string, unknown>): Record<string, unknown> {
  assert.ok(!output.error, `the plugin would show an error: ${String(output.error)}`);
  return output;
}

async function call(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(`${sidecar.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response;
}

async function expectError(response: Response, status: number | number[], detail: RegExp): Promise<void> {
  const text = await response.text();
  answers.push(text);
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(
    statuses.includes(response.status),
    `status ${response.status}, wanted ${statuses.join('/')}: ${text}`,
  );
  const body = SidecarErrorSchema.parse(JSON.parse(text));
  assert.match(body.detail, detail);
  assert.equal('error' in body, false);
}

/** The match object of section 3.1: every field the plugin reads, with its type. */
function assertMatch(match: unknown, where: string): asserts match is Record<string, unknown> {
  assert.ok(match && typeof match === 'object', `${where}: an object`);
  const m = match as Record<string, unknown>;
  assert.equal(typeof m.stashdb_id, 'string', `${where}.stashdb_id`);
  assert.equal(typeof m.name, 'string', `${where}.name`);
  assert.equal(typeof m.distance, 'number', `${where}.distance`);
  assert.equal(typeof m.confidence, 'number', `${where}.confidence`);
  assert.ok((m.confidence as number) >= 0 && (m.confidence as number) <= 1);
  assert.ok(
    m.endpoint === null || (typeof m.endpoint === 'string' && !m.endpoint.includes('/')),
    `${where}.endpoint is a bare domain`,
  );
  assert.ok(m.image_url === null || typeof m.image_url === 'string', `${where}.image_url`);
  assert.ok(m.country === null || typeof m.country === 'string', `${where}.country`);
  assert.equal(typeof m.already_tagged, 'boolean', `${where}.already_tagged`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'stash-sense-compat-e2e-'));
  const { indexDir, video } = await makeTwoPeopleScene(work);
  const corrupt = writeCorruptImage(join(work, 'corrupt.jpg'));
  const corruptVideo = writeCorruptImage(join(work, 'corrupt.mp4'));

  stash = await new StashFixtureServer({ apiKey: API_KEY }).start();
  stash.addPerformer({ id: '10', name: 'Barack Obama', stashIds: [{ endpoint: STASHDB, stashId: OBAMA }] });
  stash.addPerformer({ id: '11', name: 'Jane Library', aliases: ['JL'], stashIds: [] });
  const file = { duration: 4, width: 960, height: 540 };
  stash.addScene({ id: '1', files: [{ ...file, path: video }], performerIds: ['10'], streamFile: video });
  // Scenes 2 and 3: their paths are not on this machine → the sidecar samples Stash's stream.
  stash.addScene({
    id: '2',
    files: [{ ...file, path: '/mnt/nas/scene-2.mp4' }],
    performerIds: ['10'],
    streamFile: video,
  });
  stash.addScene({
    id: '3',
    files: [{ ...file, path: '/mnt/nas/scene-3.mp4' }],
    performerIds: [],
    streamFile: corruptVideo,
  });
  stash.addImage({ id: '1', file: photo('barack_obama', '4.jpg'), galleryIds: ['1'] });
  stash.addImage({ id: '2', file: corrupt, galleryIds: ['1'] });
  stash.addImage({ id: '3', file: photo('barack_obama', '5.jpg'), galleryIds: ['1'] });
  stash.addImage({ id: '4', file: photo('angelina_jolie', '10.jpg'), galleryIds: ['1'] });
  stash.addImage({ id: '5', file: photo('angelina_jolie', '12.jpg'), galleryIds: ['1'] });
  stash.addGallery({ id: '1', title: 'Mixed' });
  stash.addGallery({ id: '2', title: 'Empty' });
  stash.stashBoxes.set(
    STASHDB,
    new Map([
      [JOLIE, { name: 'Angelina Jolie', gender: 'FEMALE', country: 'US' }],
      [OTHER, { name: 'Jane Library', gender: 'Female', country: 'CA', aliases: 'Janie, J. L.' }],
    ]),
  );

  sidecar = await startSidecarProcess(['--index', indexDir], {
    env: {
      STASH_SENSE_FROM_SOURCE: '1',
      STASH_SENSE_STASH_URL: stash.url,
      STASH_SENSE_STASH_API_KEY: API_KEY,
      STASH_SENSE_SIDECAR_TOKEN: TOKEN,
      STASH_SENSE_CLOUD_URL: '',
      STASH_SENSE_API_KEY: '',
    },
  });
});

after(async () => {
  await sidecar?.stop();
  await stash?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the stash-sense plugin through its backend', () => {
  it('health: 2xx with performer_count and version; our fields stay', async () => {
    const output = ok(await plugin({ mode: 'health' }));
    assert.equal(output.performer_count, 2);
    assert.equal(typeof output.version, 'string');
    assert.equal(output.database_loaded, true);
    assert.equal(typeof output.face_count, 'number');
    SidecarHealthSchema.parse(output);
  });

  it('database_info: version, performer_count, face_count, tattoo_embedding_count, sources', async () => {
    const output = ok(await plugin({ mode: 'database_info' }));
    SidecarDatabaseInfoSchema.parse(output);
    assert.equal(typeof output.version, 'string');
    assert.equal(output.version, output.indexVersion);
    assert.equal(output.performer_count, 2);
    assert.ok((output.face_count as number) >= 6);
    assert.equal(output.tattoo_embedding_count, 0);
    assert.deepEqual(output.sources, ['stashdb.org']);
  });

  it('db_check_update without a cloud: an error the dashboard can show, naming the setting', async () => {
    const output = await plugin({ mode: 'db_check_update' });
    assert.match(String(output.error), /STASH_SENSE_CLOUD_URL/);
  });

  it('identify_scene: reads the scene from Stash, samples its stream with seeks, and answers persons[]', async () => {
    stash.streamRequests = [];
    const output = ok(
      await plugin({
        mode: 'identify_scene',
        scene_id: '2',
        max_results: 5,
        scene_performer_stashdb_ids: [OBAMA],
        num_frames: 10,
      }),
    );
    assert.equal(typeof output.frames_analyzed, 'number');
    assert.equal(output.frames_analyzed, 10);
    assert.equal(typeof output.faces_detected, 'number');
    assert.ok((output.faces_detected as number) >= 8);
    const persons = output.persons as Record<string, unknown>[];
    assert.ok(Array.isArray(persons));
    for (const [i, person] of persons.entries()) {
      assert.equal(typeof person.person_id, 'number');
      assert.equal(typeof person.frame_count, 'number');
      assert.ok(Array.isArray(person.all_matches));
      assert.ok(Array.isArray(person.signals_used) && (person.signals_used as string[]).includes('face'));
      if (person.best_match !== null) assertMatch(person.best_match, `persons[${i}].best_match`);
      for (const [j, m] of (person.all_matches as unknown[]).entries())
        assertMatch(m, `persons[${i}].all_matches[${j}]`);
    }
    const best = new Map(
      persons.flatMap((p) =>
        p.best_match ? [[(p.best_match as { stashdb_id: string }).stashdb_id, p]] : [],
      ),
    );
    assert.deepEqual([...best.keys()].sort(), [JOLIE, OBAMA].sort());
    const obama = best.get(OBAMA)!.best_match as Record<string, unknown>;
    assert.equal(obama.already_tagged, true, 'the scene credits him');
    assert.equal(obama.endpoint, 'stashdb.org');
    assert.equal((best.get(JOLIE)!.best_match as Record<string, unknown>).already_tagged, false);
    assert.ok((best.get(OBAMA)!.frame_count as number) > 1);

    assert.ok(stash.streamRequests.length > 0, 'ffmpeg read the stream');
    assert.ok(stash.streamRequests.every((r) => r.sceneId === '2' && r.apiKey === API_KEY));
    assert.ok(
      stash.streamRequests.some((r) => r.range && !/^bytes=0-$/.test(r.range)),
      'ffmpeg seeks with Range requests instead of reading the file from the start',
    );
  });

  it('identify_image: face_count and faces[].matches[] of a Stash image', async () => {
    const output = ok(await plugin({ mode: 'identify_image', image_id: '1' }));
    const body = StashSenseImageResponseSchema.parse(output);
    assert.equal(body.face_count, 1);
    assert.equal(body.faces.length, 1);
    assertMatch(body.faces[0]!.matches[0], 'faces[0].matches[0]');
    assert.equal(body.faces[0]!.matches[0]!.stashdb_id, OBAMA);
    assert.equal(body.faces[0]!.matches[0]!.already_tagged, false);
  });

  it('identify_gallery: every image, performers with image_ids; a corrupt image is listed, not fatal', async () => {
    const output = ok(await plugin({ mode: 'identify_gallery', gallery_id: '1' }));
    const body = StashSenseGalleryResponseSchema.parse(output);
    assert.equal(body.total_images, 5);
    assert.equal(body.images_processed, 4);
    assert.ok(body.faces_detected >= 4);
    assert.equal(body.errors.length, 1);
    assert.match(body.errors[0]!, /image 2/);
    const byId = new Map(body.performers.map((p) => [p.performer_id, p]));
    assert.deepEqual(byId.get(OBAMA)?.image_ids.sort(), ['1', '3']);
    assert.deepEqual(byId.get(JOLIE)?.image_ids.sort(), ['4', '5']);
    for (const p of body.performers) {
      assert.equal(typeof p.name, 'string');
      assert.equal(typeof p.best_distance, 'number');
      assert.equal(p.image_count, p.image_ids.length);
      assert.equal(p.endpoint, 'stashdb.org');
    }
    assert.match(sidecar.log(), /gallery 1: image 5\/5/, 'a progress line per image');

    const empty = ok(await plugin({ mode: 'identify_gallery', gallery_id: '2' }));
    assert.equal(empty.total_images, 0);
    assert.deepEqual(empty.performers, []);
  });

  it('stash-sense2 "Identify current frame": POST /identify {image_base64}', async () => {
    const image_base64 = readFileSync(photo('angelina_jolie', '13.jpg')).toString('base64');
    const output = ok(await plugin({ mode: 'identify_frame', image_base64 }));
    const body = StashSenseImageResponseSchema.parse(output);
    assert.ok(body.face_count >= 1);
    assert.equal(body.faces[0]!.matches[0]!.stashdb_id, JOLIE);
    assert.equal(typeof body.faces[0]!.box.width, 'number');
  });

  it('search_performers: a bare array of the library performers', async () => {
    const output = await plugin({ mode: 'search_performers', query: 'ja' });
    const hits = StashSenseSearchPerformersResponseSchema.parse(output);
    assert.deepEqual(
      hits.map((h) => [h.id, h.name]),
      [['11', 'Jane Library']],
    );
    assert.equal(typeof hits[0]!.image_path, 'string');
    assert.equal(hits[0]!.disambiguation, null);
    assert.deepEqual(hits[0]!.alias_list, ['JL']);
  });

  it('create_performer_from_stashbox: created from the stash-box through Stash and added to the scene, once', async () => {
    const output = ok(
      await plugin({
        mode: 'create_performer_from_stashbox',
        scene_id: '2',
        endpoint: 'stashdb.org',
        stashdb_id: JOLIE,
      }),
    );
    const body = StashSenseCreatePerformerResponseSchema.parse(output);
    assert.equal(body.name, 'Angelina Jolie');
    assert.equal(body.created, true);
    assert.equal(stash.performers.get(body.performer_id)!.country, 'US');
    assert.deepEqual(stash.performers.get(body.performer_id)!.stashIds, [
      { endpoint: STASHDB, stashId: JOLIE },
    ]);
    assert.ok(stash.scenes.get('2')!.performerIds.includes(body.performer_id));
    const again = StashSenseCreatePerformerResponseSchema.parse(
      ok(
        await plugin({
          mode: 'create_performer_from_stashbox',
          scene_id: '1',
          endpoint: 'stashdb.org',
          stashdb_id: JOLIE,
        }),
      ),
    );
    assert.equal(again.created, false);
    assert.equal(again.performer_id, body.performer_id);
    const unknown = await plugin({
      mode: 'create_performer_from_stashbox',
      scene_id: '1',
      endpoint: 'fansdb.cc',
      stashdb_id: 'nobody',
    });
    assert.match(String(unknown.error), /configured in Stash/);
  });

  it('link_performer_stashbox: adds the performer to the scene, merges the stash id, fills empty fields', async () => {
    const output = ok(
      await plugin({
        mode: 'link_performer_stashbox',
        scene_id: '3',
        performer_id: '11',
        stash_ids: [{ endpoint: STASHDB, stash_id: OTHER }],
        update_metadata: true,
      }),
    );
    const body = StashSenseLinkPerformerResponseSchema.parse(output);
    assert.equal(body.stash_ids_added, 1);
    assert.deepEqual(stash.performers.get('11')!.stashIds, [{ endpoint: STASHDB, stashId: OTHER }]);
    assert.equal(stash.performers.get('11')!.country, 'CA');
    assert.equal(stash.performers.get('11')!.gender, 'FEMALE');
    assert.deepEqual(stash.performers.get('11')!.aliases, ['JL'], 'fields the performer has are kept');
    assert.ok(stash.scenes.get('3')!.performerIds.includes('11'));
    const plain = ok(
      await plugin({ mode: 'link_performer_stashbox', scene_id: '1', performer_id: '11', stash_ids: [] }),
    );
    assert.equal(plain.stash_ids_added, 0);
    assert.ok(stash.scenes.get('1')!.performerIds.includes('11'));
  });
});

describe('one handler for both plugins on shared paths', () => {
  it('POST /identify/scene {scene_id, top_k: 15, …} answers both shapes, ignores unknown fields, boosts tagged performers', async () => {
    const response = await call('/identify/scene', {
      scene_id: '2',
      top_k: 15,
      num_frames: 8,
      scene_performer_stashdb_ids: [OBAMA],
      matching_mode: 'frequency',
      use_tattoo: true,
      something_new: 'ignored',
    });
    const text = await response.text();
    answers.push(text);
    assert.equal(response.status, 200, text);
    const body = SidecarIdentifyStashSceneResponseSchema.parse(JSON.parse(text));
    assert.equal(body.framesSampled, 8);
    assert.equal(body.frames_analyzed, 8);
    assert.equal(body.persons.length, body.people.length);
    for (const person of body.people) {
      const compat = body.persons.find((p) => p.person_id === person.person)!;
      if (!person.bestMatch) {
        assert.equal(compat.best_match, null);
        continue;
      }
      // Obama by scene_performer_stashdb_ids; anyone Stash credits on the scene (onScene) too.
      const tagged = person.bestMatch.onScene || person.bestMatch.stashIds.some((s) => s.stashId === OBAMA);
      const expected = Math.max(0, person.bestMatch.distance - (tagged ? 0.03 : 0));
      assert.ok(
        Math.abs(compat.best_match!.distance - expected) < 1e-3,
        'tagged performers get the 0.03 boost',
      );
      assert.equal(compat.best_match!.already_tagged, tagged);
    }
    assert.equal(typeof body.timing.total_ms, 'number');
  });

  it('a top_k above 20 is clamped, not refused; a scene_id that is not a Stash id is refused', async () => {
    const response = await call('/identify/scene', { scene_id: '1', top_k: 50, num_frames: 5 });
    assert.equal(response.status, 200, await response.text());
    await expectError(await call('/identify/scene', { scene_id: 'abc' }), 400, /scene_id.*Stash id/);
  });

  it('our POST /identify answers carry face_count and faces[].matches too', async () => {
    const response = await call('/identify', { path: photo('barack_obama', '4.jpg') });
    const body = (await response.json()) as { face_count: number; faces: { matches: unknown[] }[] };
    assert.equal(response.status, 200);
    assert.equal(body.face_count, body.faces.length);
    assertMatch(body.faces[0]!.matches[0], 'faces[0].matches[0]');
  });

  it('the OpenAPI document lists the compat routes', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/database/check-update',
      '/identify/image',
      '/identify/gallery',
      '/stash/search-performers',
      '/stash/create-performer',
      '/stash/link-performer',
    ])
      assert.ok(path in doc.paths, path);
  });
});

describe('bad input: a 4xx or 502 with a clear detail, and the sidecar keeps running', () => {
  it('unknown ids: scene, image, gallery, performer', async () => {
    await expectError(await call('/identify/scene', { scene_id: '999', top_k: 5 }), 404, /no scene 999/);
    await expectError(await call('/identify/image', { image_id: '999' }), 404, /no image 999/);
    await expectError(await call('/identify/gallery', { gallery_id: '999' }), 404, /no gallery 999/);
    await expectError(
      await call('/stash/link-performer', { scene_id: '1', performer_id: '999' }),
      404,
      /no performer 999/,
    );
    const viaPlugin = await plugin({ mode: 'identify_scene', scene_id: '999' });
    assert.match(String(viaPlugin.error), /no scene 999/);
  });

  it('a corrupt image and a corrupt stream', async () => {
    await expectError(await call('/identify/image', { image_id: '2' }), 400, /Stash image 2/);
    await expectError(
      await call('/identify/scene', { scene_id: '3', num_frames: 5 }),
      [400, 502],
      /scene|stream|video/i,
    );
    await expectError(await call('/identify', { image_base64: 'bm90IGFuIGltYWdl' }), 400, /image_base64/);
  });

  it('missing or wrong fields', async () => {
    await expectError(await call('/identify/image', {}), 400, /image_id/);
    await expectError(await call('/stash/search-performers', { query: '' }), 400, /search text/);
    await expectError(await call('/stash/create-performer', { scene_id: '1' }), 400, /endpoint/);
  });

  it('a wrong Stash API key and a Stash that cannot be reached: 502 saying what to check', async () => {
    stash.apiKey = 'rotated-key';
    try {
      await expectError(await call('/identify/image', { image_id: '1' }), 502, /STASH_SENSE_STASH_API_KEY/);
      const output = await plugin({ mode: 'identify_scene', scene_id: '2' });
      assert.match(String(output.error), /STASH_SENSE_STASH_API_KEY/);
    } finally {
      stash.apiKey = API_KEY;
    }
    stash.unreachable = true;
    try {
      await expectError(await call('/identify/gallery', { gallery_id: '1' }), 502, /cannot reach Stash/);
      await expectError(
        await call('/stash/search-performers', { query: 'jane' }),
        502,
        /STASH_SENSE_STASH_URL/,
      );
    } finally {
      stash.unreachable = false;
    }
    ok(await plugin({ mode: 'health' }));
  });
});

describe('security', () => {
  it('every call needs the token; the plugin carries it in its URL', async () => {
    await expectError(await fetch(`${sidecar.url}/health`), 401, /STASH_SENSE_SIDECAR_TOKEN/);
    await expectError(
      await call('/health', undefined, { authorization: 'Bearer wrong-token-123456' }),
      401,
      /wrong sidecar token/,
    );
    assert.equal(
      (await call('/health', undefined, { authorization: '', 'x-stash-sense-token': TOKEN })).status,
      200,
    );
    const port = new URL(sidecar.url).port;
    const output = await plugin({ mode: 'health', sidecar_url: `http://127.0.0.1:${port}` });
    assert.match(String(output.error), /token/);
  });

  it('no wildcard CORS: only the Stash origin, and preflights allow the token headers', async () => {
    const preflight = await fetch(`${sidecar.url}/identify/image`, {
      method: 'OPTIONS',
      headers: { origin: stash.url, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), stash.url);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const other = await call('/health', undefined, { origin: 'http://evil.example' });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('the Stash API key, the stash-box key and the token appear in no answer and no log line', async () => {
    assert.ok(
      stash.requests.every((r) => !/api_key/.test(r.query)),
      'the stash-box API keys are never asked for',
    );
    for (const secret of [API_KEY, stash.stashBoxApiKey, TOKEN]) {
      assert.ok(!sidecar.log().includes(secret), 'not in the log');
      assert.ok(
        answers.every((a) => !a.includes(secret)),
        'not in an answer',
      );
    }
  });

  it('the sidecar is still up after all of it', async () => {
    assert.equal(sidecar.child.exitCode, null);
    await expectError(await call('/database/check-update'), 503, /STASH_SENSE_CLOUD_URL/);
  });
});
