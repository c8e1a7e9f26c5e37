// The public keys the client trusts to sign index manifests: pinned in a file (`index trust`), and/or given in the
// configuration (STASH_SENSE_INDEX_KEYS). A manifest signed by any other key is refused (docs/client.md).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type IndexJwk, IndexJwksSchema } from '@stash-sense/contracts';

export class TrustedKeysError extends Error {
  override name = 'TrustedKeysError';
}

/** sha256 of the raw 32-byte Ed25519 public key, as colon-separated hex pairs in groups (what `trust` prints). */
export function keyFingerprint(jwk: Pick<IndexJwk, 'x'>): string {
  const raw = Buffer.from(jwk.x, 'base64url');
  const hex = createHash('sha256').update(raw).digest('hex');
  return hex.match(/.{1,4}/g)!.join(':');
}

export function parseJwks(text: string, where: string): IndexJwk[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TrustedKeysError(`${where} is not JSON (${(error as Error).message})`);
  }
  const parsed = IndexJwksSchema.safeParse(raw);
  if (!parsed.success)
    throw new TrustedKeysError(
      `${where} is not a key set { "keys": [Ed25519 JWK…] }: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.keys;
}

/** The pinned keys (none when the file does not exist yet) plus the configured ones. */
export async function loadTrustedKeys(file: string, configured?: string): Promise<IndexJwk[]> {
  const keys: IndexJwk[] = [];
  try {
    keys.push(...parseJwks(await readFile(file, 'utf8'), file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (configured) keys.push(...parseJwks(configured, 'STASH_SENSE_INDEX_KEYS'));
  return keys;
}

/**
 * Adds keys to the pinned file (atomically). A key id already pinned with another key is refused: that is
 * either an attack or a server mistake, and either way the user must look at it.
 */
export async function pinKeys(
  file: string,
  keys: readonly IndexJwk[],
): Promise<{ added: IndexJwk[]; known: IndexJwk[] }> {
  const pinned = await loadTrustedKeys(file);
  const added: IndexJwk[] = [];
  const known: IndexJwk[] = [];
  for (const key of keys) {
    const same = pinned.find((k) => k.kid === key.kid);
    if (same && same.x !== key.x)
      throw new TrustedKeysError(
        `the server offers key "${key.kid}" (${keyFingerprint(key)}), but a different key with that id is pinned ` +
          `(${keyFingerprint(same)}). Nothing was changed. If the publisher confirms the change, remove it from ${file} and trust again.`,
      );
    if (same) known.push(key);
    else {
      added.push(key);
      pinned.push(key);
    }
  }
  if (added.length > 0) {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, `${JSON.stringify({ keys: pinned }, null, 2)}\n`, { mode: 0o644 });
    await rename(temp, file);
  }
  return { added, known };
}
