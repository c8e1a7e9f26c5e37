// S3IndexStorage against a real S3-compatible server (s3rver in its own process, over HTTP, path-style):
// publish with the completion marker, sizes, byte ranges, missing files, half-published versions, the local
// cache of localDir, and multipart uploads.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { AppConfig } from '../apps/cloud/src/config/app-config.js';
import { parseCloudEnv } from '../apps/cloud/src/config/config.schema.js';
import { createIndexStorage } from '../apps/cloud/src/indexes/indexes.module.js';
import { LocalIndexStorage } from '../apps/cloud/src/indexes/storage/local-index-storage.js';
import {
  PUBLISHED_MARKER,
  S3IndexStorage,
  type S3IndexStorageOptions,
} from '../apps/cloud/src/indexes/storage/s3-index-storage.js';
import { S3Server, S3RVER_VERSION } from './support/s3-server.js';

const MiB = 1024 * 1024;
const BUCKET = 'stash-sense-indexes';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe(`S3 index storage (s3rver ${S3RVER_VERSION})`, () => {
  let server: S3Server;
  let dir: string;
  const storages: S3IndexStorage[] = [];

  /** A storage on its own local folder, as another API or worker process would have. */
  async function storage(options: Partial<S3IndexStorageOptions> = {}): Promise<S3IndexStorage> {
    const s = new S3IndexStorage({
      endpoint: server.endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      prefix: 'indexes',
      forcePathStyle: true,
      credentials: {
        value: { accessKeyId: S3Server.accessKeyId, secretAccessKey: S3Server.secretAccessKey },
      },
      localRoot: await mkdtemp(join(dir, 'local-')),
      ...options,
    });
    storages.push(s);
    return s;
  }

  /** A finished build folder with the given files. */
  async function buildDir(s: S3IndexStorage, files: Record<string, Buffer>): Promise<string> {
    const out = join(await s.workDir(), 'index');
    await mkdir(out);
    for (const [name, content] of Object.entries(files)) await writeFile(join(out, name), content);
    return out;
  }

  async function keys(prefix: string): Promise<Map<string, number>> {
    const res = await storages[0]!.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return new Map((res.Contents ?? []).map((o) => [o.Key!, o.Size!]));
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ss-s3-storage-'));
    server = await S3Server.start([BUCKET]);
  });

  after(async () => {
    for (const s of storages) s.onModuleDestroy();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const files = {
    'manifest.json': Buffer.from('{"indexVersion":"2026.01.01-1"}'),
    'faces.u32': randomBytes(4096),
    'faces.usearch': randomBytes(300_000),
  };

  test('publish: every file under <prefix>/<version>/, the marker last; size and whole reads', async () => {
    const s = await storage();
    const out = await buildDir(s, files);
    const deltaDir = await s.workDir();
    const delta = randomBytes(777);
    await writeFile(join(deltaDir, 'delta.bin'), delta);
    await s.publish('2026.01.01-1', out, [{ name: 'delta.bin', path: join(deltaDir, 'delta.bin') }]);

    const stored = await keys('indexes/2026.01.01-1/');
    assert.deepEqual([...stored.keys()].sort(), [
      'indexes/2026.01.01-1/.published',
      'indexes/2026.01.01-1/delta.bin',
      'indexes/2026.01.01-1/faces.u32',
      'indexes/2026.01.01-1/faces.usearch',
      'indexes/2026.01.01-1/manifest.json',
    ]);
    for (const [name, content] of Object.entries({ ...files, 'delta.bin': delta })) {
      assert.equal(await s.size('2026.01.01-1', name), content.length, name);
      assert.equal(sha256(await bytes(await s.read('2026.01.01-1', name))), sha256(content), name);
    }
    // Another process (no marker cached, no local copy) sees the same.
    const other = await storage();
    assert.equal(await other.size('2026.01.01-1', 'faces.usearch'), files['faces.usearch'].length);
    await assert.rejects(
      s.publish('2026.01.01-1', await buildDir(s, files)),
      /2026\.01\.01-1 is published already/,
      'published versions are immutable',
    );
  });

  test('ranges: the inclusive byte range [start, end], as the download route asks for it', async () => {
    const s = await storage();
    const whole = files['faces.usearch'];
    for (const [start, end] of [
      [0, 0], // s3rver answers bytes=0-0 with the whole file: the storage cuts the byte out of it
      [10, 99],
      [whole.length - 16, whole.length - 1],
      [0, whole.length - 1],
    ] as const) {
      const part = await bytes(await s.read('2026.01.01-1', 'faces.usearch', { start, end }));
      assert.deepEqual(part, whole.subarray(start, end + 1), `bytes ${start}-${end}`);
    }
  });

  test('missing versions and files: size null, read rejects; names that could leave the prefix are refused', async () => {
    const s = await storage();
    assert.equal(await s.size('2026.01.01-1', 'nope.bin'), null);
    assert.equal(await s.size('1999.01.01-1', 'faces.u32'), null);
    assert.equal(await s.localDir('1999.01.01-1'), null);
    await assert.rejects(s.read('1999.01.01-1', 'faces.u32'), /no published file faces\.u32/);
    await assert.rejects(s.read('2026.01.01-1', 'nope.bin'), /no published file nope\.bin/);
    await assert.rejects(s.size('2026.01.01-1', '../x'), RangeError);
    await assert.rejects(s.size('..', 'faces.u32'), RangeError);
    await assert.rejects(s.read('2026.01.01-1', PUBLISHED_MARKER), RangeError, 'the marker is not a file');
  });

  test('a half-published version is invisible: files without a marker, or an upload that failed midway', async () => {
    const s = await storage();
    // Files of a version whose publisher died before the marker.
    for (const [name, content] of Object.entries(files))
      await s.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `indexes/2026.01.02-1/${name}`, Body: content }),
      );
    assert.equal(await s.size('2026.01.02-1', 'faces.u32'), null);
    await assert.rejects(s.read('2026.01.02-1', 'faces.u32'), /no published file/);
    assert.equal(await s.localDir('2026.01.02-1'), null);

    // A publish that fails after uploading some files (its extra file is gone) writes no marker.
    const out = await buildDir(s, files);
    await assert.rejects(
      s.publish('2026.01.03-1', out, [{ name: 'delta.bin', path: join(dir, 'no-such-delta.bin') }]),
      /ENOENT/,
    );
    assert.ok(!(await keys('indexes/2026.01.03-1/')).has(`indexes/2026.01.03-1/${PUBLISHED_MARKER}`));
    assert.equal(await s.size('2026.01.03-1', 'manifest.json'), null);
    // The same version published again (as a retried build would) becomes visible.
    await s.publish('2026.01.03-1', out);
    assert.equal(await s.size('2026.01.03-1', 'manifest.json'), files['manifest.json'].length);
  });

  test('localDir: downloads the index files (not the delta) into a local cache once, sizes checked', async () => {
    const s = await storage();
    const local = await s.localDir('2026.01.01-1');
    assert.ok(local);
    assert.deepEqual((await readdir(local)).sort(), Object.keys(files).sort());
    for (const [name, content] of Object.entries(files))
      assert.deepEqual(await readFile(join(local, name)), content, name);
    assert.equal(await s.localDir('2026.01.01-1'), local, 'the cached copy is used again');
    const cacheEntries = await readdir(join(local, '..'));
    assert.deepEqual(cacheEntries, ['2026.01.01-1'], 'no temporary download folder is left behind');

    // The publisher keeps the folder it published as its cached copy: no download.
    const publisher = await storage();
    const out = await buildDir(publisher, files);
    await publisher.publish('2026.01.04-1', out);
    const kept = await publisher.localDir('2026.01.04-1');
    assert.ok(kept && kept !== out);
    assert.deepEqual(await readFile(join(kept, 'faces.usearch')), files['faces.usearch']);

    // A file whose size differs from the marker's: the download fails and nothing is cached.
    await s.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'indexes/2026.01.04-1/faces.u32', Body: randomBytes(10) }),
    );
    const fresh = await storage();
    await assert.rejects(fresh.localDir('2026.01.04-1'), /faces\.u32 of index 2026\.01\.04-1 has 10 bytes/);
    assert.equal(await fresh.size('2026.01.04-1', 'faces.u32'), 10);
  });

  test('a file above the part size is uploaded in parts and reads back whole and in ranges', async () => {
    const s = await storage({ partSizeBytes: 5 * MiB });
    const commands: string[] = [];
    s.client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName!);
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const big = randomBytes(11 * MiB + 123);
    await s.publish('2026.01.05-1', await buildDir(s, { 'faces.usearch': big }));
    assert.equal(commands.filter((c) => c === 'CreateMultipartUploadCommand').length, 1);
    assert.equal(commands.filter((c) => c === 'UploadPartCommand').length, 3, '5 MiB + 5 MiB + the rest');
    assert.equal(commands.filter((c) => c === 'CompleteMultipartUploadCommand').length, 1);

    const reader = await storage();
    assert.equal(await reader.size('2026.01.05-1', 'faces.usearch'), big.length);
    assert.equal(sha256(await bytes(await reader.read('2026.01.05-1', 'faces.usearch'))), sha256(big));
    const across = { start: 5 * MiB - 100, end: 5 * MiB + 99 };
    assert.deepEqual(
      await bytes(await reader.read('2026.01.05-1', 'faces.usearch', across)),
      big.subarray(across.start, across.end + 1),
    );
    const local = await reader.localDir('2026.01.05-1');
    assert.equal((await stat(join(local!, 'faces.usearch'))).size, big.length);
  });

  test('an unknown access key is refused by the server', async () => {
    const s = await storage({ credentials: { value: { accessKeyId: 'nobody', secretAccessKey: 'x' } } });
    await assert.rejects(s.size('2026.01.01-1', 'faces.u32'), /Access Key Id you provided does not exist/);
  });

  test('configuration: INDEX_STORAGE=s3 builds this storage from INDEX_S3_*; credentials stay out of logs', async () => {
    // s3rver checks the access key id, not the SigV4 signature: any secret works, so this one can be unique.
    const secret = `secret-${randomBytes(8).toString('hex')}`;
    const env = {
      ...server.env(BUCKET, '/indexes/'),
      INDEX_S3_SECRET_ACCESS_KEY: secret,
      INDEX_STORAGE_DIR: join(dir, 'from-config'),
    };
    const config = new AppConfig({
      ...parseCloudEnv(env),
      DATABASE_URL: 'postgresql://unused',
      REDIS_URL: 'redis://unused',
    });
    const s = createIndexStorage(config);
    assert.ok(s instanceof S3IndexStorage);
    storages.push(s);
    assert.equal(s.prefix, 'indexes', 'slashes around the prefix are dropped');
    assert.equal(await s.size('2026.01.01-1', 'faces.u32'), files['faces.u32'].length);
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), inspect(s, { depth: 10 })])
      assert.ok(!shown.includes(secret), 'the secret key is never shown');
    const local = new AppConfig({ ...parseCloudEnv({}), DATABASE_URL: 'x', REDIS_URL: 'x' });
    assert.ok(createIndexStorage(local) instanceof LocalIndexStorage, 'local storage by default');
  });
});
