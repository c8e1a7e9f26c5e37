import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IndexJwk, IndexManifest } from '@stash-sense/contracts';
import { exportJWK, generateKeyPair } from 'jose';
import { FaceIndexError } from './errors.js';
import { serializeManifest } from './manifest.js';
import { signManifest, verifyManifestJws } from './manifest-signature.js';

const manifest: IndexManifest = {
  formatVersion: 1,
  indexVersion: '2026.12.06-1',
  createdAt: '2026-12-06T12:00:00.000Z',
  parentVersion: null,
  model: { name: 'm', version: '1', dimension: 4, metric: 'cosine' },
  storage: 'float16',
  counts: { performers: 1, faces: 2 },
  ann: { library: 'usearch', version: '2.25.3', connectivity: 16, expansionAdd: 128, expansionSearch: 64 },
  files: [{ name: 'faces.u32', sha256: 'a'.repeat(64), size: 8 }],
};

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as IndexJwk;
  return { signing: { kid, privateJwk: await exportJWK(privateKey) }, pub };
}

const rejects = (p: Promise<unknown>, re: RegExp) =>
  assert.rejects(
    p,
    (e: unknown) => e instanceof FaceIndexError && e.code === 'signature_invalid' && re.test(e.message),
  );

describe('signed manifests', () => {
  test('round trip: the payload is the canonical manifest, old keys stay usable after rotation', async () => {
    const [k1, k2] = [await key('k1'), await key('k2')];
    const jws = await signManifest(manifest, k1.signing);
    const verified = await verifyManifestJws(jws, [k2.pub, k1.pub]);
    assert.equal(verified.kid, 'k1');
    assert.equal(verified.manifestText, serializeManifest(manifest));
    assert.deepEqual(verified.manifest, manifest);
  });

  test('unknown key, another key under the same kid, tampered payload, garbage: refused', async () => {
    const [k1, k2] = [await key('k1'), await key('k2')];
    const jws = await signManifest(manifest, k1.signing);
    await rejects(verifyManifestJws(jws, [k2.pub]), /key "k1", which is not among the trusted keys \(k2\)/);
    await rejects(verifyManifestJws(jws, [{ ...k2.pub, kid: 'k1' }]), /does not verify/);
    const [h, , s] = jws.split('.');
    const forged = Buffer.from(
      serializeManifest({ ...manifest, counts: { performers: 1, faces: 3 } }),
    ).toString('base64url');
    await rejects(verifyManifestJws(`${h}.${forged}.${s}`, [k1.pub]), /does not verify/);
    await rejects(verifyManifestJws('not-a-jws', [k1.pub]), /not a JWS/);
  });
});
