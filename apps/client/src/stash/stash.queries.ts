// Every GraphQL document the client sends to Stash. Each one is validated against Stash's real schema
// (../shared/schemas/stash) by test/stash-queries.e2e.ts, so a field Stash does not have fails a test, not a user.

const SCENE_FIELDS = /* GraphQL */ `
  fragment SenseScene on Scene {
    id
    title
    files {
      id
      path
      duration
      width
      height
      fingerprints {
        type
        value
      }
    }
    paths {
      stream
      screenshot
    }
    stash_ids {
      endpoint
      stash_id
    }
    performers {
      id
      name
      disambiguation
      image_path
      stash_ids {
        endpoint
        stash_id
      }
    }
  }
`;

const PERFORMER_FIELDS = /* GraphQL */ `
  fragment SensePerformer on Performer {
    id
    name
    disambiguation
    image_path
    stash_ids {
      endpoint
      stash_id
    }
  }
`;

export const STASH_DOCUMENTS = {
  findScene: /* GraphQL */ `
    query SenseFindScene($id: ID!) {
      findScene(id: $id) {
        ...SenseScene
      }
    }
    ${SCENE_FIELDS}
  `,
  findScenes: /* GraphQL */ `
    query SenseFindScenes($filter: FindFilterType) {
      findScenes(filter: $filter) {
        count
        scenes {
          ...SenseScene
        }
      }
    }
    ${SCENE_FIELDS}
  `,
  findPerformerByStashId: /* GraphQL */ `
    query SenseFindPerformerByStashId($criterion: StashIDCriterionInput!) {
      findPerformers(performer_filter: { stash_id_endpoint: $criterion }, filter: { per_page: 2 }) {
        count
        performers {
          ...SensePerformer
        }
      }
    }
    ${PERFORMER_FIELDS}
  `,
  findImage: /* GraphQL */ `
    query SenseFindImage($id: ID!) {
      findImage(id: $id) {
        id
        paths {
          image
        }
        visual_files {
          ... on ImageFile {
            path
            width
            height
          }
        }
        performers {
          id
        }
      }
    }
  `,
  scrapePerformerFromStashBox: /* GraphQL */ `
    query SenseScrapeStashBoxPerformer($endpoint: String!, $performerId: ID!) {
      scrapeSinglePerformer(
        source: { stash_box_endpoint: $endpoint }
        input: { performer_id: $performerId }
      ) {
        stored_id
        name
        disambiguation
        gender
        birthdate
        country
        ethnicity
        aliases
        urls
        images
        details
        remote_site_id
      }
    }
  `,
  sceneUpdatePerformers: /* GraphQL */ `
    mutation SenseSceneUpdatePerformers($id: ID!, $performerIds: [ID!]!) {
      sceneUpdate(input: { id: $id, performer_ids: $performerIds }) {
        id
        performers {
          id
        }
      }
    }
  `,
  performerCreate: /* GraphQL */ `
    mutation SensePerformerCreate($input: PerformerCreateInput!) {
      performerCreate(input: $input) {
        ...SensePerformer
      }
    }
    ${PERFORMER_FIELDS}
  `,
  findGallery: /* GraphQL */ `
    query SenseFindGallery($id: ID!) {
      findGallery(id: $id) {
        id
        title
        image_count
      }
    }
  `,
  findGalleryImages: /* GraphQL */ `
    query SenseFindGalleryImages($galleryId: ID!, $page: Int!, $perPage: Int!) {
      findImages(
        image_filter: { galleries: { value: [$galleryId], modifier: INCLUDES } }
        filter: { page: $page, per_page: $perPage, sort: "id", direction: ASC }
      ) {
        count
        images {
          id
          paths {
            image
          }
        }
      }
    }
  `,
  searchPerformers: /* GraphQL */ `
    query SenseSearchPerformers($q: String!, $perPage: Int!) {
      findPerformers(filter: { q: $q, per_page: $perPage, sort: "name", direction: ASC }) {
        count
        performers {
          id
          name
          disambiguation
          alias_list
          image_path
        }
      }
    }
  `,
  findPerformerDetails: /* GraphQL */ `
    query SenseFindPerformerDetails($id: ID!) {
      findPerformer(id: $id) {
        id
        name
        disambiguation
        gender
        birthdate
        country
        ethnicity
        details
        alias_list
        urls
        image_path
        stash_ids {
          endpoint
          stash_id
        }
      }
    }
  `,
  performerUpdate: /* GraphQL */ `
    mutation SensePerformerUpdate($input: PerformerUpdateInput!) {
      performerUpdate(input: $input) {
        ...SensePerformer
      }
    }
    ${PERFORMER_FIELDS}
  `,
  stashBoxEndpoints: /* GraphQL */ `
    query SenseStashBoxEndpoints {
      configuration {
        general {
          stashBoxes {
            endpoint
            name
          }
        }
      }
    }
  `,
  version: /* GraphQL */ `
    query SenseVersion {
      version {
        version
      }
    }
  `,
} as const;

export type StashDocumentName = keyof typeof STASH_DOCUMENTS;
