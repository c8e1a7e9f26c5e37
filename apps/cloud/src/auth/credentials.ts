import type { Request } from 'express';
import { looksLikeApiKey } from './secrets.js';

/** The credential a request presents: `Authorization: Bearer …` (API key or JWT) or `X-Api-Key`. */
export function presentedCredential(req: Request): { kind: 'api-key' | 'jwt'; value: string } | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return { kind: 'api-key', value: header.trim() };
  const auth = req.headers.authorization;
  if (!auth) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!match) return null;
  const value = match[1]!;
  return { kind: value.startsWith('ss_') ? 'api-key' : 'jwt', value };
}

export { looksLikeApiKey };
