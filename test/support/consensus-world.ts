import type { TestApp } from './test-app.js';
import { contributionPayload, faceVector, rng } from './contributions.js';
import type { StashBoxFixtureServer } from './stash-box-server.js';

/** Deterministic uuid-shaped ids for fixtures. */
export const fixtureId = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const P1 = fixtureId(0xa1, 1);
export const P2 = fixtureId(0xa1, 2);
export const sceneId = (n: number) => fixtureId(0x5c, n);

export interface Contributor {
  email: string;
  id: string;
  key: string;
}

/**
 * Accounts that consensus counts as established: 60 days old with one moderator approval (25 faces of
 * evidence at reputation ≈ 0.86, docs/consensus.md). New accounts stay on probation.
 */
export async function contributor(ctx: TestApp, established: boolean, name: string): Promise<Contributor> {
  const user = await ctx.createUser('contributor', `${name}@example.org`);
  if (established) {
    await ctx.db.query(
      `UPDATE users SET created_at = now() - interval '60 days', moderator_approved = 1, reputation = 0.857 WHERE id = $1`,
      [user.id],
    );
  }
  const key = (await ctx.createApiKey(await ctx.login(user.email), ['contribute'])).key;
  return { email: user.email, id: user.id, key };
}

/** Two people as embedding clusters, and scenes on a fixture stash-box: 1–6 with P1 alone, 7–9 with P2 alone, 10 with both. */
export function seedWorld(box: StashBoxFixtureServer) {
  const random = rng(4242);
  const centres = { [P1]: faceVector(random), [P2]: faceVector(random) };
  for (let n = 1; n <= 10; n++) {
    const performers =
      n <= 6
        ? [{ id: P1, name: 'Alice Example' }]
        : n <= 9
          ? [{ id: P2, name: 'Bea Example' }]
          : [
              { id: P1, name: 'Alice Example' },
              { id: P2, name: 'Bea Example' },
            ];
    box.scenes.set(sceneId(n), {
      id: sceneId(n),
      duration: 900,
      performers,
      fingerprints: [{ algorithm: 'PHASH', hash: `f${n}`, duration: 900 }],
    });
  }
  return centres;
}

/** One contribution: `faces` faces of the person `like` (a centre), credited to `performer`. */
export function contribution(
  box: StashBoxFixtureServer,
  scene: number,
  performer: string,
  like: Float32Array,
  faces: number,
  seed: number,
) {
  return contributionPayload({
    endpoint: box.url,
    sceneId: sceneId(scene),
    performers: [{ stashId: performer, faces, centre: like }],
    fingerprints: [{ algorithm: 'PHASH', hash: `f${scene}`, durationSec: 900 }],
    seed,
  });
}
