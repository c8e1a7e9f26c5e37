// `contribute --all`: walks the Stash library page by page and yields the scenes that can be contributed — a scene
// with a file and a stash-box scene id, whose performers are all linked to that stash-box (their stash-box ids are
// the credits Stash's tagger copied from the stash-box scene; the cloud checks them against the stash-box again).
// The walk key (stash-box scene × file OSHASH × model × credits) is what the outbox journal remembers, so a rerun
// skips what was done and a changed file, model or credit list is contributed again.
import { createHash } from 'node:crypto';
import type { SceneFingerprint } from '@stash-sense/contracts';

export interface LibraryStashId {
  endpoint: string;
  stashId: string;
}

/** The fields of a Stash scene the walk needs (the Stash client's StashScene has them all). */
export interface LibraryScene {
  id: string;
  files: { path: string; fingerprints: { type: string; value: string }[] }[];
  stashIds: LibraryStashId[];
  performers: { id: string; name: string; stashIds: LibraryStashId[] }[];
}

/** A Stash library: `findScenes` pages from 1, oldest id first (the Stash client's findScenes). */
export interface LibrarySource {
  findScenes(options: {
    page?: number;
    perPage?: number;
  }): Promise<{ count: number; scenes: LibraryScene[] }>;
}

export interface WalkCandidate {
  localSceneId: string;
  file: string | null;
  endpoint: string;
  stashBoxSceneId: string;
  /** Credited performers' ids on that stash-box, sorted. */
  performers: string[];
  /** PHASH / MD5 fingerprints Stash computed for the file (the client adds the OSHASH itself). */
  fingerprints: Omit<SceneFingerprint, 'durationSec'>[];
  /** Why the scene cannot be contributed (no file, no performers, a performer without a stash-box id). */
  unusable: string | null;
}

export interface WalkStep {
  candidate: WalkCandidate;
  /** 0-based position among all (scene × stash-box) pairs seen so far, and the library's scene count. */
  index: number;
  total: number;
}

const STASH_FINGERPRINTS: Record<string, 'PHASH' | 'MD5'> = { phash: 'PHASH', md5: 'MD5' };

/** The contribution candidates of one Stash scene: one per stash-box the scene is linked to. */
export function sceneCandidates(scene: LibraryScene): WalkCandidate[] {
  const file = scene.files[0] ?? null;
  const fingerprints = (file?.fingerprints ?? []).flatMap((f) => {
    const algorithm = STASH_FINGERPRINTS[f.type.toLowerCase()];
    return algorithm && f.value ? [{ algorithm, hash: f.value }] : [];
  });
  return scene.stashIds.map(({ endpoint, stashId }) => {
    const linked = scene.performers.map((p) => ({
      p,
      id: p.stashIds.find((s) => s.endpoint === endpoint)?.stashId,
    }));
    const missing = linked.filter((l) => !l.id).map((l) => l.p.name);
    const unusable = !file
      ? 'the scene has no file'
      : scene.performers.length === 0
        ? 'no performer on the scene'
        : missing.length
          ? `performers not linked to ${endpoint}: ${missing.join(', ')} (the credits would be incomplete)`
          : null;
    return {
      localSceneId: scene.id,
      file: file?.path ?? null,
      endpoint,
      stashBoxSceneId: stashId,
      performers: [...new Set(linked.flatMap((l) => (l.id ? [l.id] : [])))].sort(),
      fingerprints,
      unusable,
    };
  });
}

/** Every scene of the library with a stash-box id, page by page. */
export async function* walkLibrary(
  source: LibrarySource,
  options: { perPage?: number; signal?: AbortSignal } = {},
): AsyncGenerator<WalkStep> {
  const perPage = options.perPage ?? 50;
  let index = 0;
  for (let page = 1; ; page++) {
    options.signal?.throwIfAborted();
    const { count, scenes } = await source.findScenes({ page, perPage });
    for (const scene of scenes)
      for (const candidate of sceneCandidates(scene)) yield { candidate, index: index++, total: count };
    if (scenes.length < perPage || page * perPage >= count) return;
  }
}

/** What the journal remembers a done scene by: a change of file, model or credits makes a new key. */
export function walkKey(
  candidate: Pick<WalkCandidate, 'endpoint' | 'stashBoxSceneId' | 'performers'>,
  fileOshash: string,
  model: { name: string; version: string },
): string {
  return createHash('sha256')
    .update(
      [
        candidate.endpoint,
        candidate.stashBoxSceneId,
        fileOshash,
        `${model.name}@${model.version}`,
        ...candidate.performers,
      ].join('\n'),
    )
    .digest('hex')
    .slice(0, 32);
}
