import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { contributionPayload, rng } from './support/contributions.js';
import { StashBoxFixtureServer } from './support/stash-box-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PERFORMER = '55555555-5555-4555-8555-555555555555';
const SCENE = 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee';
const BODIES = 1_200;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every value of a JSON document. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  if (!path.length) return value ?? null;
  let node = doc as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return doc;
}

/**
 * One malformed body: every mutation below makes a valid payload invalid (a required field gone, a
 * wrong type, a value out of range, an unknown field, a broken embedding, or not a payload at all).
 */
function malformed(random: () => number, base: Json): { body: string | Json; kind: string } {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const doc = structuredClone(base);
  const all = paths(doc).filter((p) => p.length > 0);
  const objectPaths = paths(doc).filter((p) => {
    let n: Json = doc;
    for (const k of p) n = (n as Record<string | number, Json>)[k]!;
    return n !== null && typeof n === 'object' && !Array.isArray(n);
  });
  const required = ['idempotencyKey', 'client', 'model', 'scene', 'performers'];
  switch (Math.floor(random() * 9)) {
    case 0:
      return { kind: 'missing field', body: setAt(doc, [pick(required)], undefined) };
    case 1: {
      const p = pick(objectPaths);
      return {
        kind: 'unknown field',
        body: setAt(doc, [...p, `x_${Math.floor(random() * 1e6)}`], pick<Json>([1, 'a', null, [], {}])),
      };
    }
    case 2: {
      const p = pick(all.filter((q) => typeof q.at(-1) === 'string'));
      // Each is invalid for every field of the schema: strings are at most 16,384 characters, numbers
      // are never below zero, objects are strict, arrays hold objects, numbers or strings.
      const wrong: Json[] = [
        { nested: { deeper: [1, 2, { x: 'y' }] } },
        [[[]]],
        true,
        -1e308,
        'x'.repeat(20_000),
      ];
      return { kind: 'wrong type at a named field', body: setAt(doc, p, pick(wrong)) };
    }
    case 3:
      return {
        kind: 'broken embedding',
        body: setAt(
          doc,
          ['performers', 0, 'faces', 0, 'embedding'],
          pick<Json>(['***', 'AAAA', 'A'.repeat(2049), '', '😀']),
        ),
      };
    case 4:
      return {
        kind: 'number out of range',
        body: setAt(
          doc,
          ['performers', 0, 'faces', 0, pick(['detectorScore', 'quality', 'sizePx', 'timestampSec'])],
          pick<Json>([-1, 2e9, 1.5e300]),
        ),
      };
    case 5:
      return { kind: 'not an object', body: pick<Json>([null, 42, 'text', [], [1, 2, 3], true]) };
    case 6:
      return {
        kind: 'invalid JSON',
        body: pick(['{', '{"a":', '[1,2', '\u0000\u0001', '{"idempotencyKey": "k" "x"}']),
      };
    case 7:
      return {
        kind: 'empty collection',
        body: setAt(
          doc,
          pick([
            ['performers'],
            ['scene', 'fingerprints'],
            ['performers', 0, 'faces'],
            ['performers', 0, 'tracks'],
          ]),
          [],
        ),
      };
    default: {
      const deep: Json = {};
      let node = deep as Record<string, Json>;
      for (let i = 0; i < 200; i++) node = (node.a = {}) as Record<string, Json>;
      return { kind: 'deeply nested value', body: setAt(doc, ['client'], deep) };
    }
  }
}

let ctx: TestApp;
let box: StashBoxFixtureServer;
let key: string;

before(async () => {
  box = await new StashBoxFixtureServer().start();
  box.scenes.set(SCENE, {
    id: SCENE,
    duration: 600,
    performers: [{ id: PERFORMER, name: 'Fuzz' }],
    fingerprints: [{ algorithm: 'PHASH', hash: 'c4d2a1b3e5f60718', duration: 600 }],
  });
  ctx = await startTestApp({ RATE_LIMIT_KEY_POINTS: '100000', RATE_LIMIT_IP_POINTS: '100000' });
  await ctx.db.query(
    `INSERT INTO stash_box_endpoints (id, key, name, graphql_url) VALUES (gen_random_uuid(), 'fuzzbox', 'Box', $1)`,
    [box.url],
  );
  const user = await ctx.createUser();
  key = (await ctx.createApiKey(await ctx.login(user.email), ['contribute'])).key;
});
after(async () => {
  await ctx.close();
  await box.stop();
});

test(`${BODIES} random malformed bodies get only 4xx answers, and the server stays healthy`, async () => {
  const random = rng(20261125);
  const base = contributionPayload({
    endpoint: box.url,
    sceneId: SCENE,
    performers: [{ stashId: PERFORMER, faces: 3 }],
    seed: 9,
  }) as unknown as Json;
  const statuses = new Map<number, number>();
  const bad: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < BODIES) {
      next += 1;
      const { body, kind } = malformed(random, base);
      const req = ctx
        .http()
        .post('/v1/contributions')
        .set('Authorization', `Bearer ${key}`)
        .set('Content-Type', 'application/json');
      const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status < 400 || res.status >= 500)
        bad.push(`${kind} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      else if (typeof res.body?.error !== 'string' || typeof res.body?.message !== 'string')
        bad.push(`${kind} → body ${res.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.deepEqual(bad.slice(0, 10), [], `statuses: ${JSON.stringify([...statuses])}`);
  await ctx.http().get('/health').expect(200);
  await ctx.http().get('/ready').expect(200);
  const stored = await ctx.db.query('SELECT count(*)::int AS n FROM contributions');
  assert.equal(stored.rows[0].n, 0, 'no malformed body was stored');
  // A valid body still goes through afterwards.
  await ctx
    .http()
    .post('/v1/contributions')
    .set('Authorization', `Bearer ${key}`)
    .send(base as object)
    .expect(202);
});
