import { createHash, randomBytes } from 'node:crypto';

/** API keys: `ss_` + 43 base64url characters (256 random bits). */
export const API_KEY_PREFIX = 'ss_';
const API_KEY_PATTERN = /^ss_[A-Za-z0-9_-]{43}$/;
/** Characters of the key kept in clear for display (`ss_` + 8). */
const VISIBLE_PREFIX_LENGTH = 11;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, VISIBLE_PREFIX_LENGTH), hash: sha256Hex(key) };
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/** Opaque refresh token (256 random bits); only its SHA-256 is stored. */
export function generateRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token) };
}
