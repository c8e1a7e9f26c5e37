// Signed manifests (docs/index-distribution.md): a compact JWS, EdDSA over Ed25519, whose payload is the
// manifest's canonical bytes (serializeManifest). The cloud signs; the client verifies against keys it pinned.
// The signature covers the manifest only; the manifest's sha256s cover every file.
import { INDEX_MANIFEST_JWS_TYPE, type IndexJwk, type IndexManifest } from '@stash-sense/contracts';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { FaceIndexError } from './errors.js';
import { parseManifest, serializeManifest } from './manifest.js';

export interface ManifestSigningKey {
  kid: string;
  /** Private Ed25519 JWK: { kty: 'OKP', crv: 'Ed25519', x, d }. */
  privateJwk: JWK;
}

export async function signManifest(manifest: IndexManifest, key: ManifestSigningKey): Promise<string> {
  if (key.privateJwk.kty !== 'OKP' || key.privateJwk.crv !== 'Ed25519' || !key.privateJwk.d)
    throw new Error(`signing key ${key.kid} is not a private Ed25519 JWK`);
  const privateKey = await importJWK({ ...key.privateJwk, alg: 'EdDSA' }, 'EdDSA');
  return new CompactSign(new TextEncoder().encode(serializeManifest(manifest)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: INDEX_MANIFEST_JWS_TYPE })
    .sign(privateKey);
}

export interface VerifiedManifest {
  manifest: IndexManifest;
  kid: string;
  /** The exact signed bytes: write these as manifest.json. */
  manifestText: string;
}

/**
 * Verifies a signed manifest against trusted public keys and returns the manifest from the signed payload.
 * Throws FaceIndexError('signature_invalid') for a malformed JWS, an unknown key id, a wrong algorithm or
 * type, or a signature that does not verify.
 */
export async function verifyManifestJws(
  jws: string,
  trustedKeys: readonly IndexJwk[],
): Promise<VerifiedManifest> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch (error) {
    throw new FaceIndexError(
      'signature_invalid',
      `the manifest signature is not a JWS: ${(error as Error).message}`,
    );
  }
  if (header.alg !== 'EdDSA' || header.typ !== INDEX_MANIFEST_JWS_TYPE)
    throw new FaceIndexError(
      'signature_invalid',
      `unexpected manifest signature header (alg ${header.alg}, typ ${header.typ})`,
    );
  const jwk = trustedKeys.find((k) => k.kid === header.kid);
  if (!jwk)
    throw new FaceIndexError(
      'signature_invalid',
      `the manifest is signed with key "${header.kid}", which is not among the trusted keys (${trustedKeys.map((k) => k.kid).join(', ') || 'none'})`,
    );
  let payload: Uint8Array;
  try {
    const publicKey = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA');
    ({ payload } = await compactVerify(jws, publicKey, { algorithms: ['EdDSA'] }));
  } catch (error) {
    throw new FaceIndexError(
      'signature_invalid',
      `the manifest signature does not verify with key "${jwk.kid}": ${(error as Error).message}`,
    );
  }
  const manifestText = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  return { manifest: parseManifest(manifestText, 'the signed manifest'), kid: jwk.kid, manifestText };
}
