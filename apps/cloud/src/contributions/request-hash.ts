import { createHash } from 'node:crypto';
import type { ContributionRequest } from '@stash-sense/contracts';

/**
 * SHA-256 of a contribution's content, to tell a replay from a reused idempotency key. Hashed part by part: the
 * embeddings (≈ 1.4 KB of base64 each) go to the hash as they are, which spares serialising the whole request
 * again (≈ 1 ms of the service's CPU for 100 faces, against ≈ 0.26 ms this way).
 */
export function contributionRequestHash(request: ContributionRequest): string {
  const hash = createHash('sha256');
  const { performers, ...rest } = request;
  hash.update(JSON.stringify(rest));
  for (const { faces, ...performer } of performers) {
    hash.update('\n').update(JSON.stringify(performer));
    for (const { embedding, ...face } of faces)
      hash.update('\n').update(embedding).update(JSON.stringify(face));
  }
  return hash.digest('hex');
}
