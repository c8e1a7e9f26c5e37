import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyManifestJws } from '@stash-sense/face-index';
import { AppConfig } from '../config/app-config.js';
import { checkSigningJwk, parseCloudEnv } from '../config/config.schema.js';
import {
  GENERATED_KEY_FILE,
  generateSigningJwk,
  IndexSigningService,
  loadOrCreateDataDirKey,
} from './index-signing.service.js';

const manifest = {
  formatVersion: 1,
  indexVersion: '2026.12.06-1',
  createdAt: '2026-12-06T12:00:00.000Z',
  parentVersion: null,
  model: { name: 'm', version: '1', dimension: 4, metric: 'cosine' },
  storage: 'float16',
  counts: { performers: 0, faces: 0 },
  ann: { library: 'usearch', version: '2.25.3', connectivity: 16, expansionAdd: 128, expansionSearch: 64 },
  files: [
    { name: 'faces.u32', sha256: '0'.repeat(64), size: 0 },
    { name: 'faces.usearch', sha256: '1'.repeat(64), size: 0 },
    { name: 'performers.jsonl', sha256: '2'.repeat(64), size: 0 },
  ],
} as const;

function config(env: Record<string, string>): AppConfig {
  const parsed = parseCloudEnv({
    DATABASE_URL: 'postgresql://x@127.0.0.1/x',
    REDIS_URL: 'redis://127.0.0.1:6379',
    ...env,
  });
  return new AppConfig({ ...parsed, DATABASE_URL: parsed.DATABASE_URL!, REDIS_URL: parsed.REDIS_URL! });
}

describe('index signing keys', () => {
  test('with no key configured, one is generated once in the data dir (mode 0600) and reused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ss-key-'));
    try {
      const first = loadOrCreateDataDirKey(dir);
      assert.equal(first.created, true);
      assert.equal((await stat(join(dir, GENERATED_KEY_FILE))).mode & 0o777, 0o600);
      const second = loadOrCreateDataDirKey(dir);
      assert.equal(second.created, false);
      assert.deepEqual(second.key, first.key);

      const service = new IndexSigningService(config({ DATA_DIR: dir }));
      const jws = await service.sign(manifest as never);
      const verified = await verifyManifestJws(jws, service.jwks().keys);
      assert.equal(verified.kid, first.key.kid);
      assert.ok(!JSON.stringify(service.jwks()).includes(first.key.d), 'the private key is never served');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a corrupt key file stops the start with a message instead of being replaced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ss-key-'));
    try {
      await writeFile(join(dir, GENERATED_KEY_FILE), '{"kty":"OKP"}');
      assert.throws(() => loadOrCreateDataDirKey(dir), /index signing key must be a private Ed25519 JWK/);
      assert.equal(await readFile(join(dir, GENERATED_KEY_FILE), 'utf8'), '{"kty":"OKP"}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('INDEX_SIGNING_KEY and INDEX_RETIRED_PUBLIC_KEYS are checked at start-up, without echoing the key', () => {
    const key = generateSigningJwk();
    const other = generateSigningJwk();
    assert.deepEqual(checkSigningJwk(JSON.stringify(key)), key);
    assert.match(String(checkSigningJwk(JSON.stringify({ ...key, x: other.x }))), /does not belong/);
    assert.match(String(checkSigningJwk('not json')), /must be a private Ed25519 JWK/);
    assert.throws(
      () => config({ INDEX_SIGNING_KEY: JSON.stringify({ ...key, d: undefined }) }),
      (error: Error) => /INDEX_SIGNING_KEY/.test(error.message) && !error.message.includes(key.x),
    );
    assert.throws(
      () => config({ INDEX_RETIRED_PUBLIC_KEYS: '[{"kty":"RSA"}]' }),
      /INDEX_RETIRED_PUBLIC_KEYS/,
    );
    const configured = config({
      INDEX_SIGNING_KEY: JSON.stringify(key),
      INDEX_RETIRED_PUBLIC_KEYS: JSON.stringify([{ kty: 'OKP', crv: 'Ed25519', x: other.x, kid: other.kid }]),
    });
    const jwks = new IndexSigningService(configured).jwks();
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [key.kid, other.kid],
    );
  });
});
