/**
 * Every GraphQL document the cloud sends to a stash-box. Tests validate each against the real
 * stash-box schema (../shared/schemas/stash-box).
 */
export const FIND_SCENE_QUERY = /* GraphQL */ `
  query StashSenseFindScene($id: ID!) {
    findScene(id: $id) {
      id
      title
      duration
      deleted
      performers {
        performer {
          id
          name
          disambiguation
        }
      }
      fingerprints {
        algorithm
        hash
        duration
      }
    }
  }
`;

export const STASH_BOX_DOCUMENTS = { FIND_SCENE_QUERY } as const;

/** The answer to FIND_SCENE_QUERY, as far as the cloud reads it. */
export interface FindSceneResponse {
  findScene: {
    id: string;
    title: string | null;
    duration: number | null;
    deleted: boolean;
    performers: { performer: { id: string; name: string; disambiguation: string | null } }[];
    fingerprints: { algorithm: 'MD5' | 'OSHASH' | 'PHASH'; hash: string; duration: number }[];
  } | null;
}
