// Index builds and signed, versioned distribution (docs/index-distribution.md), against the real service:
// PostgreSQL + pgvector, Redis, the HTTP API, the build service the worker runs, the index files on disk.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  IndexBuildListSchema,
  IndexJwksSchema,
  IndexReleaseSchema,
  IndexVersionListSchema,
  type IndexRelease,
} from '@stash-sense/contracts';
import {
  applyIndexDelta,
  FaceIndex,
  REMOVED_FACE,
  signManifest,
  verifyManifestJws,
} from '@stash-sense/face-index';
import { ScheduleIndexBuildsHandler } from '../apps/cloud/src/indexes/index-build.handler.js';
import { IndexBuildService } from '../apps/cloud/src/indexes/index-build.service.js';
import { ed25519Kid, generateSigningJwk } from '../apps/cloud/src/indexes/index-signing.service.js';
import { readFaceTable } from '../apps/cloud/src/indexes/index-builder.js';
import { IndexesRepository } from '../apps/cloud/src/indexes/indexes.repository.js';
import {
  addFaces,
  addPerformer,
  centre,
  faceIdMapping,
  indexWorld,
  near,
  performerIdMapping,
  type IndexWorld,
} from './support/index-world.js';
import { indexApi, sha256 } from './support/index-api.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('index builds and distribution', () => {
  let ctx: TestApp;
  let world: IndexWorld;
  let storageDir: string;
  let dataDir: string;
  let admin: string;
  let contributor: string;
  const current = generateSigningJwk();
  const retired = generateSigningJwk();
  const p: Record<string, string> = {};
  const faces: Record<string, number[]> = {};

  before(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'ss-indexes-'));
    dataDir = await mkdtemp(join(tmpdir(), 'ss-data-'));
    ctx = await startTestApp({
      DATA_DIR: dataDir,
      INDEX_STORAGE_DIR: storageDir,
      INDEX_SIGNING_KEY: JSON.stringify(current),
      INDEX_RETIRED_PUBLIC_KEYS: JSON.stringify([
        { kty: 'OKP', crv: 'Ed25519', x: retired.x, kid: retired.kid },
      ]),
      INDEX_MAX_FACES_PER_PERFORMER: '5',
      INDEX_MIN_FACES: '2',
      INDEX_BUILD_INTERVAL_MS: '0',
    });
    world = await indexWorld(ctx);
    admin = await ctx.login((await ctx.createUser('admin')).email);
    contributor = await ctx.login((await ctx.createUser('contributor')).email);
    ({ queueAndRun, latest, download } = indexApi(ctx, admin));

    // Many: 8 near-duplicates and 4 distinct looks, plus faces consensus did not trust.
    const many = centre(world);
    p.many = await addPerformer(world, 'Many Faces', [
      { endpoint: 'stashdb', stashId: 'sdb-many' },
      { endpoint: 'tpdb', stashId: 'tpdb-many' },
    ]);
    faces.manyDupes = await addFaces(
      world,
      p.many,
      Array.from({ length: 8 }, () => near(world, many, 0.005)),
    );
    faces.manyLooks = await addFaces(
      world,
      p.many,
      Array.from({ length: 4 }, () => near(world, many, 0.08)),
    );
    faces.manyPending = await addFaces(world, p.many, [near(world, many), near(world, many)], 'pending');
    faces.manyRejected = await addFaces(world, p.many, [centre(world)], 'rejected');
    const three = centre(world);
    p.three = await addPerformer(world, 'Three Faces', [{ endpoint: 'stashdb', stashId: 'sdb-three' }]);
    faces.three = await addFaces(world, p.three, [
      near(world, three),
      near(world, three),
      near(world, three),
    ]);
    // One trusted face: below INDEX_MIN_FACES (2), left out of the index but kept in the database.
    p.one = await addPerformer(world, 'One Face', [{ endpoint: 'fansdb', stashId: 'fdb-one' }]);
    faces.one = await addFaces(world, p.one, [centre(world)]);
    p.pending = await addPerformer(world, 'Pending Only', [{ endpoint: 'stashdb', stashId: 'sdb-pending' }]);
    faces.pending = await addFaces(world, p.pending, [centre(world), centre(world)], 'pending');
  });

  after(async () => {
    await ctx?.close();
    await rm(storageDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  let queueAndRun: ReturnType<typeof indexApi>['queueAndRun'];
  let latest: ReturnType<typeof indexApi>['latest'];
  let download: ReturnType<typeof indexApi>['download'];

  /** The faces present in a published version, as database face ids (through the persisted mapping). */
  async function presentFaces(version: string): Promise<Set<number>> {
    const table = await readFaceTable(join(storageDir, version));
    const mapping = await faceIdMapping(world);
    const out = new Set<number>();
    table.forEach((performer, indexFaceId) => {
      if (performer === REMOVED_FACE) return;
      const faceId = mapping.get(indexFaceId);
      assert.ok(faceId !== undefined, `index face ${indexFaceId} of ${version} has a mapping`);
      out.add(faceId);
    });
    return out;
  }

  test('builds are admin-only: 401 without credentials, 403 for a contributor', async () => {
    await ctx.http().post('/v1/admin/indexes/builds').send({}).expect(401);
    await ctx.http().post('/v1/admin/indexes/builds').set(auth(contributor)).send({}).expect(403);
    await ctx.http().get('/v1/admin/indexes/builds').set(auth(contributor)).expect(403);
    await ctx
      .http()
      .post('/v1/admin/indexes/x-1/withdraw')
      .set(auth(contributor))
      .send({ reason: 'x' })
      .expect(403);
    await ctx.http().get('/v1/indexes/latest').expect(404);
  });

  let v1: IndexRelease;
  test('a first build: trusted faces only, capped to a diverse subset, min-faces at export, a report', async () => {
    const report = await queueAndRun();
    assert.equal(report.status, 'published');
    assert.equal(report.parentVersion, null);
    assert.match(report.version!, /^\d{4}\.\d{2}\.\d{2}-\d+$/);
    assert.equal(report.performers, 2, 'Many and Three; One has 1 face (< 2) and Pending has none trusted');
    assert.equal(report.faces, 5 + 3);
    assert.deepEqual(report.buckets, { '1': 0, '2-3': 1, '4-5': 1, '6-10': 0, '11+': 0 });
    assert.deepEqual(report.bucketPercent, { '1': 0, '2-3': 50, '4-5': 50, '6-10': 0, '11+': 0 });
    assert.deepEqual(report.changes, {
      facesAdded: 8,
      facesRemoved: 0,
      performersAdded: 2,
      performersRemoved: 0,
      performersChanged: 0,
    });
    assert.ok(report.durationMs !== null && report.durationMs >= 0);

    v1 = await latest();
    assert.equal(v1.version, report.version);
    assert.equal(v1.status, 'published');
    assert.equal(v1.delta, null, 'a first build has no delta');
    const present = await presentFaces(v1.version);
    for (const id of faces.manyLooks!)
      assert.ok(present.has(id), 'the 4 distinct looks are kept (farthest-point)');
    assert.equal(
      faces.manyDupes!.filter((id) => present.has(id)).length,
      1,
      'and only one of 8 near-duplicates',
    );
    for (const id of faces.three!) assert.ok(present.has(id));
    for (const id of [...faces.manyPending!, ...faces.manyRejected!, ...faces.pending!, ...faces.one!])
      assert.ok(!present.has(id), 'untrusted faces and performers below min-faces are left out');
    const stillThere = await ctx.db.query(`SELECT count(*)::int AS n FROM faces WHERE id = $1`, [
      faces.one![0],
    ]);
    assert.equal(stillThere.rows[0].n, 1, 'min-faces filters the export only');

    // The index opens with the client's reader; performer records carry every stash-box id.
    const index = await FaceIndex.open(join(storageDir, v1.version), { verify: true });
    try {
      const records = [...index.performers.values()];
      const many = records.find((r) => r.name === 'Many Faces')!;
      assert.deepEqual(many.stashIds.map((s) => s.endpoint).sort(), [
        'https://stashdb.org/graphql',
        'https://theporndb.net/graphql',
      ]);
      assert.equal(many.faceCount, 5);
      assert.equal((await performerIdMapping(world)).get(p.many!), many.id);
    } finally {
      index.close();
    }
  });

  test('the manifest JWS verifies with the served keys; retired keys stay served (rotation)', async () => {
    const jwks = IndexJwksSchema.parse((await ctx.http().get('/v1/indexes/keys').expect(200)).body);
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [current.kid, retired.kid],
    );
    assert.equal(current.kid, ed25519Kid(current.x));
    assert.ok(
      jwks.keys.every((k) => !('d' in k)),
      'no private key material is served',
    );
    const verified = await verifyManifestJws(v1.jws, jwks.keys);
    assert.equal(verified.kid, current.kid);
    assert.deepEqual(verified.manifest, v1.manifest);
    // A manifest signed before the rotation (with the now retired key) still verifies.
    const oldJws = await signManifest(v1.manifest, {
      kid: retired.kid,
      privateJwk: { kty: 'OKP', crv: 'Ed25519', x: retired.x, d: retired.d },
    });
    assert.equal((await verifyManifestJws(oldJws, jwks.keys)).kid, retired.kid);
    // A key that is not served does not verify; neither does a tampered signature.
    const stranger = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as {
      x: string;
      d: string;
    };
    const strangerJws = await signManifest(v1.manifest, {
      kid: retired.kid,
      privateJwk: { kty: 'OKP', crv: 'Ed25519', x: stranger.x, d: stranger.d },
    });
    await assert.rejects(verifyManifestJws(strangerJws, jwks.keys), /does not verify/);
  });

  test('files: served bytes match the manifest sha256; ETag, immutable caching, Range 206/416, 304', async () => {
    for (const file of v1.files) {
      const res = await download(file.url).expect(200);
      const body = res.body as Buffer;
      assert.equal(body.length, file.size);
      assert.equal(sha256(body), file.sha256, `${file.name} matches its manifest sha256`);
      assert.equal(res.headers.etag, `"${file.sha256}"`);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(res.headers['accept-ranges'], 'bytes');
    }
    const file = v1.files.find((f) => f.name === 'faces.usearch')!;
    const whole = (await download(file.url)).body as Buffer;
    const part = await download(file.url, { Range: 'bytes=10-99' }).expect(206);
    assert.equal(part.headers['content-range'], `bytes 10-99/${file.size}`);
    assert.deepEqual(part.body, whole.subarray(10, 100));
    const tail = await download(file.url, { Range: 'bytes=-16' }).expect(206);
    assert.deepEqual(tail.body, whole.subarray(whole.length - 16));
    const beyond = await download(file.url, { Range: `bytes=${file.size}-` }).expect(416);
    assert.equal(beyond.headers['content-range'], `bytes */${file.size}`);
    await download(file.url, { 'If-None-Match': `"${file.sha256}"` }).expect(304);
    await download(file.url, { 'If-None-Match': '"something-else"' }).expect(200);
    await ctx.http().get(`/v1/indexes/${v1.version}/files/manifest.jsonx`).expect(404);
    await ctx.http().get(`/v1/indexes/${v1.version}/files/..%2F..%2Fetc%2Fpasswd`).expect(404);
    await ctx.http().get('/v1/indexes/1999.01.01-1/files/faces.u32').expect(404);
    await ctx.http().get(`/v1/indexes/${v1.version}/delta`).expect(404);
    const manifest = IndexReleaseSchema.parse(
      (await ctx.http().get(`/v1/indexes/${v1.version}/manifest`).expect(200)).body,
    );
    assert.deepEqual(manifest, v1);
  });

  let v2: IndexRelease;
  let v1Mapping: Map<number, number>;
  test('an incremental build keeps face and performer ids, removes untrusted faces, reports changes', async () => {
    v1Mapping = await faceIdMapping(world);
    const performersBefore = await performerIdMapping(world);
    assert.deepEqual((await readdir(join(storageDir, '.construction-cache'))).sort(), [
      `${v1.version}.int8.usearch`,
      `${v1.version}.json`,
    ]);
    // Three gets 2 more faces and loses one (no longer trusted); a new performer; Many is renamed.
    faces.threeMore = await addFaces(world, p.three!, [centre(world), centre(world)]);
    await ctx.db.query(`UPDATE faces SET status = 'rejected' WHERE id = $1`, [faces.three![0]]);
    p.fresh = await addPerformer(world, 'Fresh Face', [{ endpoint: 'stashdb', stashId: 'sdb-fresh' }]);
    const fresh = centre(world);
    faces.fresh = await addFaces(world, p.fresh, [near(world, fresh), near(world, fresh)]);
    await ctx.db.query(`UPDATE performers SET name = 'Many Faces (renamed)' WHERE id = $1`, [p.many]);

    const report = await queueAndRun();
    assert.equal(report.status, 'published');
    assert.equal(report.parentVersion, v1.version);
    assert.deepEqual(report.changes, {
      facesAdded: 4,
      facesRemoved: 1,
      performersAdded: 1,
      performersRemoved: 0,
      performersChanged: 1,
    });
    assert.equal(report.faces, 5 + 4 + 2);
    v2 = await latest();
    assert.equal(v2.version, report.version);
    assert.equal(v2.manifest.parentVersion, v1.version);
    // v2 started from v1's int8 construction graph, kept by v1's build; now v2's own is kept, and only it.
    assert.deepEqual((await readdir(join(storageDir, '.construction-cache'))).sort(), [
      `${v2.version}.int8.usearch`,
      `${v2.version}.json`,
    ]);

    const after = await faceIdMapping(world);
    for (const [indexFaceId, faceId] of v1Mapping)
      assert.equal(after.get(indexFaceId), faceId, 'ids never change');
    const performersAfter = await performerIdMapping(world);
    for (const [performer, id] of performersBefore) assert.equal(performersAfter.get(performer), id);
    const table2 = await readFaceTable(join(storageDir, v2.version));
    const table1 = await readFaceTable(join(storageDir, v1.version));
    const removed = [...v1Mapping].find(([, faceId]) => faceId === faces.three![0])![0];
    assert.equal(table2[removed], REMOVED_FACE, 'the withdrawn face is removed');
    for (let i = 0; i < table1.length; i++) if (i !== removed) assert.equal(table2[i], table1[i]);
    const present = await presentFaces(v2.version);
    for (const id of [...faces.threeMore!, ...faces.fresh!]) assert.ok(present.has(id));

    // The delta: served as published, and a client holding v1 rebuilds exactly v2 from it.
    assert.ok(v2.delta, 'an incremental version has a delta');
    assert.equal(v2.delta.fromVersion, v1.version);
    assert.equal(v2.delta.url, `/v1/indexes/${v2.version}/delta`);
    const res = await download(v2.delta.url).expect(200);
    assert.equal(sha256(res.body as Buffer), v2.delta.sha256);
    assert.equal(res.headers.etag, `"${v2.delta.sha256}"`);
    await download(`/v1/indexes/${v2.version}/files/${v2.delta.name}`).expect(200);
    const deltaFile = join(dataDir, 'v2.delta');
    await writeFile(deltaFile, res.body as Buffer);
    const { manifest } = await verifyManifestJws(
      v2.jws,
      IndexJwksSchema.parse((await ctx.http().get('/v1/indexes/keys')).body).keys,
    );
    await applyIndexDelta(join(storageDir, v1.version), deltaFile, join(dataDir, 'rebuilt-v2'), manifest);
    for (const file of manifest.files) {
      assert.equal(sha256(await readFile(join(dataDir, 'rebuilt-v2', file.name))), file.sha256);
    }
  });

  test('a build with nothing new publishes nothing; the schedule queues one build per active model', async () => {
    const report = await queueAndRun();
    assert.equal(report.status, 'unchanged');
    assert.equal(report.version, null);
    assert.equal((await latest()).version, v2.version);

    await ctx.app.get(ScheduleIndexBuildsHandler).handle();
    const builds = IndexBuildListSchema.parse(
      (await ctx.http().get('/v1/admin/indexes/builds').set(auth(admin)).expect(200)).body,
    ).builds;
    assert.equal(builds[0]!.status, 'queued');
    assert.equal(builds[0]!.full, false);
    await ctx.app.get(IndexBuildService).run(builds[0]!.id);
    await ctx.app.get(IndexBuildService).run(builds[0]!.id); // a duplicate delivery does nothing
    const after = IndexBuildListSchema.parse(
      (await ctx.http().get('/v1/admin/indexes/builds').set(auth(admin)).expect(200)).body,
    ).builds.find((b) => b.id === builds[0]!.id)!;
    assert.equal(after.status, 'unchanged');
  });

  test('withdrawal: latest points to the previous version; audited; the next build continues from it', async () => {
    await ctx.http().post(`/v1/admin/indexes/${v2.version}/withdraw`).set(auth(admin)).send({}).expect(400);
    const res = await ctx
      .http()
      .post(`/v1/admin/indexes/${v2.version}/withdraw`)
      .set(auth(admin))
      .send({ reason: 'bad faces' })
      .expect(200);
    assert.equal(res.body.status, 'withdrawn');
    assert.equal(res.body.withdrawnReason, 'bad faces');
    await ctx
      .http()
      .post(`/v1/admin/indexes/${v2.version}/withdraw`)
      .set(auth(admin))
      .send({ reason: 'again' })
      .expect(409);
    assert.equal((await latest()).version, v1.version);
    const list = IndexVersionListSchema.parse(
      (await ctx.http().get('/v1/indexes').expect(200)).body,
    ).versions;
    assert.deepEqual(
      list.map((v) => [v.version, v.status]),
      [
        [v2.version, 'withdrawn'],
        [v1.version, 'published'],
      ],
    );
    assert.equal(
      IndexVersionListSchema.parse(
        (await ctx.http().get('/v1/indexes?model=faceplugin-fr-feature').expect(200)).body,
      ).versions.length,
      2,
    );
    await ctx.http().get('/v1/indexes?model=no-such-model').expect(404);
    const withdrawn = IndexReleaseSchema.parse(
      (await ctx.http().get(`/v1/indexes/${v2.version}/manifest`).expect(200)).body,
    );
    assert.equal(withdrawn.status, 'withdrawn');
    const audit = await ctx.db.query(`SELECT action, target_id FROM audit_log WHERE action LIKE 'index.%'`);
    assert.ok(audit.rows.some((r) => r.action === 'index.withdrawn' && r.target_id === v2.version));
    assert.ok(audit.rows.some((r) => r.action === 'index.build_queued'));

    const report = await queueAndRun();
    assert.equal(report.status, 'published');
    assert.equal(report.parentVersion, v1.version, 'built from the latest published version');
    const v3 = await latest();
    assert.equal(v3.version, report.version);
    const present = await presentFaces(v3.version);
    for (const id of [...faces.threeMore!, ...faces.fresh!]) assert.ok(present.has(id));
    assert.ok(!present.has(faces.three![0]!));
    const mapping = await faceIdMapping(world);
    for (const [indexFaceId, faceId] of v1Mapping) assert.equal(mapping.get(indexFaceId), faceId);
  });

  test('a full build rebuilds the graph and keeps every id', async () => {
    const before = await faceIdMapping(world);
    const parent = await latest();
    const report = await queueAndRun({ full: true });
    assert.equal(report.status, 'published');
    assert.equal(report.full, true);
    assert.equal(report.parentVersion, parent.version);
    const next = await latest();
    assert.deepEqual(await faceIdMapping(world), before);
    assert.deepEqual(
      [...(await readFaceTable(join(storageDir, next.version)))],
      [...(await readFaceTable(join(storageDir, parent.version)))],
    );
    const index = await FaceIndex.open(join(storageDir, next.version), { verify: true });
    try {
      assert.equal(index.manifest.counts.faces, report.faces);
    } finally {
      index.close();
    }
  });

  test('the signed manifest of every version verifies, and served files match it', async () => {
    const jwks = IndexJwksSchema.parse((await ctx.http().get('/v1/indexes/keys').expect(200)).body);
    const list = IndexVersionListSchema.parse(
      (await ctx.http().get('/v1/indexes').expect(200)).body,
    ).versions;
    for (const summary of list) {
      const release = IndexReleaseSchema.parse(
        (await ctx.http().get(`/v1/indexes/${summary.version}/manifest`).expect(200)).body,
      );
      const { manifest } = await verifyManifestJws(release.jws, jwks.keys);
      assert.equal(manifest.indexVersion, summary.version);
      for (const file of manifest.files) {
        const onDisk = await readFile(join(storageDir, summary.version, file.name));
        assert.equal(sha256(onDisk), file.sha256);
      }
    }
  });

  test('one build per model at a time; a build whose worker died is failed by the next claim', async () => {
    const repo = ctx.app.get(IndexesRepository);
    const a = await repo.createBuild(world.modelId, false, null);
    const b = await repo.createBuild(world.modelId, false, null);
    assert.equal(await repo.claimBuild(a.id, world.modelId, 60_000), 'claimed');
    assert.equal(await repo.claimBuild(b.id, world.modelId, 60_000), 'busy');
    assert.equal(await repo.claimBuild(a.id, world.modelId, 60_000), 'gone', 'a duplicate job does nothing');
    await ctx.db.query(`UPDATE index_builds SET heartbeat_at = now() - interval '5 minutes' WHERE id = $1`, [
      a.id,
    ]);
    assert.equal(await repo.claimBuild(b.id, world.modelId, 60_000), 'claimed');
    const dead = (await repo.build(a.id))!;
    assert.equal(dead.status, 'failed');
    assert.match(dead.error ?? '', /no heartbeat/);
    await repo.finishBuild(b.id, { status: 'unchanged', durationMs: 0 });
    // Two workers claiming two builds of one model at the same moment: exactly one wins.
    const c = await repo.createBuild(world.modelId, false, null);
    const d = await repo.createBuild(world.modelId, false, null);
    const claims = await Promise.all([
      repo.claimBuild(c.id, world.modelId, 60_000),
      repo.claimBuild(d.id, world.modelId, 60_000),
    ]);
    assert.deepEqual([...claims].sort(), ['busy', 'claimed']);
    for (const build of [c, d]) await repo.finishBuild(build.id, { status: 'unchanged', durationMs: 0 });
  });
});
