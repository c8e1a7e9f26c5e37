// Index builds and downloads with INDEX_STORAGE=s3: the real cloud application, PostgreSQL + pgvector, Redis and
// the build service the worker runs, publishing into a real S3-compatible server (s3rver, its own process) and
// serving the files back from it through /v1/indexes with ETag and Range (docs/index-distribution.md#storage).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { IndexJwksSchema, IndexReleaseSchema, type IndexRelease } from '@stash-sense/contracts';
import { applyIndexDelta, FaceIndex, verifyManifestJws } from '@stash-sense/face-index';
import { IndexStorage } from '../apps/cloud/src/indexes/storage/index-storage.js';
import { S3IndexStorage } from '../apps/cloud/src/indexes/storage/s3-index-storage.js';
import { indexApi, sha256 } from './support/index-api.js';
import { addFaces, addPerformer, centre, indexWorld, near, type IndexWorld } from './support/index-world.js';
import { S3Server, S3RVER_VERSION } from './support/s3-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BUCKET = 'ss-e2e-indexes';
const PREFIX = 'prod/indexes';

describe(`index builds and distribution on S3 storage (s3rver ${S3RVER_VERSION})`, () => {
  let s3: S3Server;
  let ctx: TestApp;
  let world: IndexWorld;
  let dataDir: string;
  let localDir: string;
  let api: ReturnType<typeof indexApi>;

  before(async () => {
    s3 = await S3Server.start([BUCKET]);
    dataDir = await mkdtemp(join(tmpdir(), 'ss-s3-data-'));
    localDir = join(dataDir, 'index-scratch');
    ctx = await startTestApp({
      ...s3.env(BUCKET, PREFIX),
      DATA_DIR: dataDir,
      INDEX_STORAGE_DIR: localDir,
      INDEX_MAX_FACES_PER_PERFORMER: '5',
      INDEX_MIN_FACES: '2',
      INDEX_BUILD_INTERVAL_MS: '0',
    });
    world = await indexWorld(ctx, 7);
    api = indexApi(ctx, await ctx.login((await ctx.createUser('admin')).email));
    const a = centre(world);
    const pa = await addPerformer(world, 'Alpha', [{ endpoint: 'stashdb', stashId: 'sdb-alpha' }]);
    await addFaces(world, pa, [near(world, a), near(world, a), near(world, a)]);
    const b = centre(world);
    const pb = await addPerformer(world, 'Beta', [{ endpoint: 'stashdb', stashId: 'sdb-beta' }]);
    await addFaces(world, pb, [near(world, b), near(world, b)]);
  });

  after(async () => {
    await ctx?.close();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function objects(prefix: string): Promise<Map<string, number>> {
    const storage = ctx.app.get(IndexStorage) as S3IndexStorage;
    const res = await storage.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return new Map((res.Contents ?? []).map((o) => [o.Key!, o.Size!]));
  }

  let v1: IndexRelease;
  test('a build publishes every manifest file and the marker into the bucket, nothing into a local version folder', async () => {
    assert.ok(ctx.app.get(IndexStorage) instanceof S3IndexStorage, 'INDEX_STORAGE=s3 picks the S3 storage');
    const report = await api.queueAndRun();
    assert.equal(report.status, 'published');
    assert.equal(report.performers, 2);
    v1 = await api.latest();
    assert.equal(v1.version, report.version);

    const stored = await objects(`${PREFIX}/${v1.version}/`);
    assert.deepEqual(
      [...stored.keys()].sort(),
      [...v1.files.map((f) => f.name), 'manifest.json', '.published']
        .map((name) => `${PREFIX}/${v1.version}/${name}`)
        .sort(),
    );
    for (const file of v1.files) assert.equal(stored.get(`${PREFIX}/${v1.version}/${file.name}`), file.size);
    const local = await readdir(localDir);
    assert.ok(!local.includes(v1.version), 'versions live in the bucket only');
    assert.deepEqual(await readdir(join(localDir, '.work')), [], 'the build scratch folder is removed');
  });

  test('downloads come from the bucket: bytes match the manifest; ETag, 304, Range 206 and 416', async () => {
    const jwks = IndexJwksSchema.parse((await ctx.http().get('/v1/indexes/keys').expect(200)).body);
    const { manifest, manifestText } = await verifyManifestJws(v1.jws, jwks.keys);
    assert.deepEqual(
      IndexReleaseSchema.parse((await ctx.http().get(`/v1/indexes/${v1.version}/manifest`).expect(200)).body),
      v1,
    );
    const copy = join(dataDir, 'client-copy');
    await mkdir(copy);
    await writeFile(join(copy, 'manifest.json'), manifestText);
    for (const file of manifest.files) {
      const res = await api.download(`/v1/indexes/${v1.version}/files/${file.name}`).expect(200);
      const body = res.body as Buffer;
      assert.equal(sha256(body), file.sha256, file.name);
      assert.equal(res.headers.etag, `"${file.sha256}"`);
      assert.equal(res.headers['content-length'], String(file.size));
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      await writeFile(join(copy, file.name), body);
    }
    // What a client downloaded (with the signed manifest as manifest.json, as pull does) opens and verifies with the client's reader.
    const index = await FaceIndex.open(copy, { verify: true });
    try {
      assert.equal(index.manifest.counts.faces, 5);
    } finally {
      index.close();
    }

    const file = v1.files.find((f) => f.name === 'faces.usearch')!;
    const whole = (await api.download(file.url)).body as Buffer;
    const part = await api.download(file.url, { Range: 'bytes=10-99' }).expect(206);
    assert.equal(part.headers['content-range'], `bytes 10-99/${file.size}`);
    assert.deepEqual(part.body, whole.subarray(10, 100));
    const first = await api.download(file.url, { Range: 'bytes=0-0' }).expect(206);
    assert.deepEqual(first.body, whole.subarray(0, 1));
    const tail = await api.download(file.url, { Range: 'bytes=-16' }).expect(206);
    assert.deepEqual(tail.body, whole.subarray(whole.length - 16));
    const resumed = await api
      .download(file.url, { Range: `bytes=${file.size - 100}-`, 'If-Range': `"${file.sha256}"` })
      .expect(206);
    assert.deepEqual(resumed.body, whole.subarray(file.size - 100));
    await api.download(file.url, { Range: `bytes=${file.size}-` }).expect(416);
    await api.download(file.url, { 'If-None-Match': `"${file.sha256}"` }).expect(304);
    await ctx.http().get(`/v1/indexes/${v1.version}/files/nope.bin`).expect(404);
    await ctx.http().get(`/v1/indexes/${v1.version}/delta`).expect(404);
  });

  test('an incremental build downloads its parent from the bucket; its delta rebuilds the new version', async () => {
    // Another worker's view: no local copy of the parent, so localDir fetches it from the bucket.
    await rm(join(localDir, '.cache'), { recursive: true, force: true });
    const c = centre(world);
    const pc = await addPerformer(world, 'Gamma', [{ endpoint: 'stashdb', stashId: 'sdb-gamma' }]);
    await addFaces(world, pc, [near(world, c), near(world, c)]);

    const report = await api.queueAndRun();
    assert.equal(report.status, 'published');
    assert.equal(report.parentVersion, v1.version, 'built from the parent downloaded from the bucket');
    assert.deepEqual(report.changes, {
      facesAdded: 2,
      facesRemoved: 0,
      performersAdded: 1,
      performersRemoved: 0,
      performersChanged: 0,
    });
    assert.deepEqual((await readdir(join(localDir, '.cache'))).sort(), [v1.version, report.version!].sort());
    const v2 = await api.latest();
    assert.ok(v2.delta);
    assert.equal(v2.delta.fromVersion, v1.version);
    assert.ok((await objects(`${PREFIX}/${v2.version}/`)).has(`${PREFIX}/${v2.version}/${v2.delta.name}`));

    const res = await api.download(v2.delta.url).expect(200);
    assert.equal(sha256(res.body as Buffer), v2.delta.sha256);
    assert.equal(res.headers.etag, `"${v2.delta.sha256}"`);
    const deltaFile = join(dataDir, 'v2.delta');
    await writeFile(deltaFile, res.body as Buffer);
    const jwks = IndexJwksSchema.parse((await ctx.http().get('/v1/indexes/keys')).body).keys;
    const { manifest } = await verifyManifestJws(v2.jws, jwks);
    await applyIndexDelta(join(dataDir, 'client-copy'), deltaFile, join(dataDir, 'rebuilt-v2'), manifest);
    for (const file of manifest.files)
      assert.equal(sha256(await readFile(join(dataDir, 'rebuilt-v2', file.name))), file.sha256, file.name);
  });
});
