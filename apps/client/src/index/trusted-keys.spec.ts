import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { IndexJwk } from '@stash-sense/contracts';
import { keyFingerprint, loadTrustedKeys, pinKeys, TrustedKeysError } from './trusted-keys.js';

const work = mkdtempSync(join(tmpdir(), 'trusted-keys-'));
after(() => rmSync(work, { recursive: true, force: true }));

const jwk = (kid: string, fill: number): IndexJwk => ({
  kty: 'OKP',
  crv: 'Ed25519',
  x: Buffer.alloc(32, fill).toString('base64url'),
  kid,
  alg: 'EdDSA',
  use: 'sig',
});

describe('trusted keys', () => {
  it('fingerprints the raw public key as sha256 in groups of four hex digits', () => {
    const fp = keyFingerprint(jwk('a', 1));
    assert.match(fp, /^[0-9a-f]{4}(:[0-9a-f]{4}){15}$/);
    assert.notEqual(fp, keyFingerprint(jwk('a', 2)));
  });

  it('pins new keys, keeps pinned ones, and refuses a key id pinned with another key', async () => {
    const file = join(work, 'keys.json');
    assert.deepEqual(await loadTrustedKeys(file), []);
    let result = await pinKeys(file, [jwk('a', 1)]);
    assert.deepEqual(
      result.added.map((k) => k.kid),
      ['a'],
    );
    result = await pinKeys(file, [jwk('b', 2), jwk('a', 1)]);
    assert.deepEqual([result.added.map((k) => k.kid), result.known.map((k) => k.kid)], [['b'], ['a']]);
    const before = readFileSync(file, 'utf8');
    await assert.rejects(
      pinKeys(file, [jwk('a', 9)]),
      (error: unknown) =>
        error instanceof TrustedKeysError && /different key with that id is pinned/.test(error.message),
    );
    assert.equal(readFileSync(file, 'utf8'), before, 'nothing changed');
    const configured = JSON.stringify({ keys: [jwk('c', 3)] });
    assert.deepEqual(
      (await loadTrustedKeys(file, configured)).map((k) => k.kid),
      ['a', 'b', 'c'],
    );
    await assert.rejects(loadTrustedKeys(file, '{"keys":[{"kty":"RSA"}]}'), TrustedKeysError);
  });
});
