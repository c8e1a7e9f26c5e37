import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { IndexJwk, IndexJwks, IndexManifest } from '@stash-sense/contracts';
import { type ManifestSigningKey, signManifest } from '@stash-sense/face-index';
import { AppConfig } from '../config/app-config.js';
import { checkSigningJwk, type SigningJwk } from '../config/config.schema.js';

export const GENERATED_KEY_FILE = 'index-signing-key.json';

/** RFC 7638 thumbprint of an Ed25519 public key, shortened: a kid that names the key itself. */
export function ed25519Kid(x: string): string {
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url');
  return `ed25519-${thumbprint.slice(0, 16)}`;
}

/** A new private Ed25519 JWK with a kid. */
export function generateSigningJwk(): SigningJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid: ed25519Kid(jwk.x) };
}

/**
 * Reads the key kept in `dataDir`, or creates it there once (mode 0600) — the embedded/demo mode, where no
 * INDEX_SIGNING_KEY is configured. API and worker processes that share DATA_DIR share the key.
 */
export function loadOrCreateDataDirKey(dataDir: string): { key: SigningJwk; created: boolean } {
  const path = join(dataDir, GENERATED_KEY_FILE);
  try {
    const checked = checkSigningJwk(readFileSync(path, 'utf8'));
    if (typeof checked === 'string') throw new Error(`${path}: the index signing key ${checked}`);
    return { key: checked, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = generateSigningJwk();
  try {
    writeFileSync(path, `${JSON.stringify(key)}\n`, { mode: 0o600, flag: 'wx' });
    return { key, created: true };
  } catch (error) {
    // Another process of the same data dir wrote it first: use that one.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateDataDirKey(dataDir);
  }
}

/** The manifest signing key (current) and the public keys served to clients (current + retired). */
@Injectable()
export class IndexSigningService {
  private readonly logger = new Logger(IndexSigningService.name);
  private current: SigningJwk | undefined;

  constructor(private readonly config: AppConfig) {}

  private key(): SigningJwk {
    if (!this.current) {
      if (this.config.indexes.signingKey) this.current = this.config.indexes.signingKey;
      else {
        const { key, created } = loadOrCreateDataDirKey(this.config.dataDir);
        // The kid only: private keys are never logged.
        this.logger.log(
          `${created ? 'generated' : 'using'} the index signing key ${key.kid} kept in ${join(this.config.dataDir, GENERATED_KEY_FILE)}`,
        );
        this.current = key;
      }
    }
    return this.current;
  }

  get currentKid(): string {
    return this.key().kid;
  }

  sign(manifest: IndexManifest): Promise<string> {
    const { kid, kty, crv, x, d } = this.key();
    const signingKey: ManifestSigningKey = { kid, privateJwk: { kty, crv, x, d } };
    return signManifest(manifest, signingKey);
  }

  jwks(): IndexJwks {
    const current = this.key();
    const keys: IndexJwk[] = [
      { kty: 'OKP', crv: 'Ed25519', x: current.x, kid: current.kid, alg: 'EdDSA', use: 'sig' },
    ];
    for (const retired of this.config.indexes.retiredPublicKeys) {
      if (keys.some((k) => k.kid === retired.kid)) continue;
      keys.push({ kty: 'OKP', crv: 'Ed25519', x: retired.x, kid: retired.kid, alg: 'EdDSA', use: 'sig' });
    }
    return { keys };
  }
}
