// Pure rules of `index build-local`: what a gallery folder's name means and which face of a photo to enrol.
import type { FaceIndexStashId } from '@stash-sense/contracts';
import { CLIENT_LIMITS } from '../config.js';

/** StashDB's GraphQL endpoint, as Stash stores it in a performer's stash_ids. */
export const STASHDB_ENDPOINT = 'https://stashdb.org/graphql';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GalleryLabel {
  name: string;
  stashIds: FaceIndexStashId[];
}

/**
 * A gallery folder's name: a UUID is a StashDB performer id (the name shown is then the id itself, as the folder
 * carries nothing else); any other name is the performer's name, with no stash-box link.
 */
export function parseGalleryLabel(folderName: string): GalleryLabel {
  const name = folderName.trim();
  if (UUID.test(name))
    return {
      name: name.toLowerCase(),
      stashIds: [{ endpoint: STASHDB_ENDPOINT, stashId: name.toLowerCase() }],
    };
  return { name, stashIds: [] };
}

export type FaceChoice<T> =
  | { kind: 'single'; face: T }
  | { kind: 'dominant'; face: T; others: number }
  | { kind: 'none' }
  | { kind: 'ambiguous'; count: number };

/**
 * Which face of a gallery photo belongs to the folder's performer: the only face; or, with several, the largest
 * when its box area is at least `dominantRatio` times the next largest (a portrait with a small background face);
 * otherwise none — it is unclear whom the label means.
 */
export function chooseEnrolFace<T extends { box: readonly number[] }>(
  faces: readonly T[],
  dominantRatio: number = CLIENT_LIMITS.enrolDominantFaceAreaRatio,
): FaceChoice<T> {
  if (faces.length === 0) return { kind: 'none' };
  if (faces.length === 1) return { kind: 'single', face: faces[0]! };
  const area = (face: T) => (face.box[2] ?? 0) * (face.box[3] ?? 0);
  const bySize = [...faces].sort((a, b) => area(b) - area(a));
  const [largest, second] = [bySize[0]!, bySize[1]!];
  if (area(largest) >= dominantRatio * area(second))
    return { kind: 'dominant', face: largest, others: faces.length - 1 };
  return { kind: 'ambiguous', count: faces.length };
}
