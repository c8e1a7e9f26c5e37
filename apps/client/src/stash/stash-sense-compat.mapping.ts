// Our identification results in the old stash-sense sidecar's shapes (../shared/compat/stash-sense-plugin-api.md,
// sections 3, 3.1, 4 and 5). Pure functions of plain data: the adapters call the usual services, then these.
import {
  type IdentifyImageResult,
  type MatchCandidate,
  STASH_SENSE_COMPAT_LIMITS,
  type StashScenePerson,
  type StashSenseGalleryPerformer,
  type StashSenseImageResponse,
  type StashSenseMatch,
  type StashSensePerson,
} from '@stash-sense/contracts';

/** What the index knows of a performer beyond the match itself (the match objects carry both). */
export interface PerformerExtras {
  country: string | null;
  imageUrl: string | null;
}

export type PerformerExtrasLookup = (performerId: number) => PerformerExtras | undefined;

const STASHDB_DOMAIN = 'stashdb.org';
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** `https://stashdb.org/graphql` → `stashdb.org` (the plugin builds `https://<domain>/performers/<id>`). */
export function stashBoxDomain(endpoint: string): string {
  try {
    return new URL(endpoint).host.toLowerCase();
  } catch {
    return endpoint
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/.*$/, '')
      .toLowerCase();
  }
}

/** A bare domain (or a URL) → the GraphQL endpoint URL Stash stores in stash_ids (`https://<domain>/graphql`). */
export function stashBoxEndpointUrl(domainOrUrl: string, configured: readonly string[] = []): string {
  const domain = stashBoxDomain(domainOrUrl);
  const known = configured.find((endpoint) => stashBoxDomain(endpoint) === domain);
  if (known) return known;
  return /^https?:\/\//i.test(domainOrUrl) ? domainOrUrl : `https://${domain}/graphql`;
}

/** The performer's stash-box id shown to the plugin: StashDB's when there is one, else the first. */
export function primaryStashId(
  stashIds: readonly { endpoint: string; stashId: string }[],
): { domain: string; stashId: string } | null {
  const chosen = stashIds.find((s) => stashBoxDomain(s.endpoint) === STASHDB_DOMAIN) ?? stashIds[0];
  return chosen ? { domain: stashBoxDomain(chosen.endpoint), stashId: chosen.stashId } : null;
}

export function toStashSenseMatch(
  candidate: Pick<MatchCandidate, 'performerId' | 'name' | 'stashIds' | 'distance'>,
  extras: PerformerExtras | undefined,
  alreadyTagged = false,
): StashSenseMatch {
  const id = primaryStashId(candidate.stashIds);
  const distance = round4(candidate.distance);
  return {
    stashdb_id: id?.stashId ?? '',
    name: candidate.name,
    distance,
    confidence: round4(clamp01(1 - distance)),
    endpoint: id?.domain ?? null,
    image_url: extras?.imageUrl ?? null,
    country: extras?.country ?? null,
    already_tagged: alreadyTagged,
  };
}

export interface ScenePersonsOptions {
  /** Stash-box ids (any endpoint) of the performers the scene already credits: `scene_performer_stashdb_ids` plus Stash's own. */
  taggedStashIds: ReadonlySet<string>;
  maxDistance?: number;
  extras: PerformerExtrasLookup;
}

/**
 * Scene persons in the old shape. Performers the scene already credits are marked `already_tagged` and get the
 * reference's boost (their distance lowers by 0.03, which may reorder them). Only persons our scene rules matched
 * get a best match (the plugin lists no others); `max_distance`, when given, drops farther matches.
 */
export function toStashSensePersons(
  people: readonly StashScenePerson[],
  options: ScenePersonsOptions,
): StashSensePerson[] {
  return people.map((person) => {
    const seen = new Set<number>();
    const ranked = [...(person.bestMatch ? [person.bestMatch] : []), ...person.candidates]
      .filter((c) => !seen.has(c.performerId) && seen.add(c.performerId))
      .map((candidate) => {
        const tagged =
          candidate.onScene ||
          candidate.stashIds.some((s) => options.taggedStashIds.has(s.stashId.toLowerCase()));
        const distance = Math.max(
          0,
          candidate.distance - (tagged ? STASH_SENSE_COMPAT_LIMITS.taggedBoost : 0),
        );
        return toStashSenseMatch({ ...candidate, distance }, options.extras(candidate.performerId), tagged);
      })
      .filter((m) => options.maxDistance === undefined || m.distance <= options.maxDistance)
      .sort((a, b) => a.distance - b.distance);
    return {
      person_id: person.person,
      frame_count: person.frameCount,
      best_match: person.bestMatch ? (ranked[0] ?? null) : null,
      all_matches: ranked,
      signals_used: ['face'],
    };
  });
}

export interface ImageMatchOptions {
  /** Default: the old sidecar's 0.6 for images. A face our rules matched always keeps its best match. */
  maxDistance?: number;
  extras: PerformerExtrasLookup;
}

/** The old sidecar's image default (section 5: /identify, /identify/image, /identify/gallery). */
export const IMAGE_MAX_DISTANCE = 0.6;

/** Per face: its candidates as match objects, the face's best match first. An unknown face (no best match) has none. */
export function imageFaceMatches(
  result: Pick<IdentifyImageResult, 'faces' | 'people'>,
  options: ImageMatchOptions,
): StashSenseMatch[][] {
  const maxDistance = options.maxDistance ?? IMAGE_MAX_DISTANCE;
  return result.faces.map((_face, i) => {
    const person = result.people.find((p) => p.face === i);
    if (!person?.bestMatch) return [];
    const best = person.bestMatch;
    const others = person.candidates
      .filter((c) => c.performerId !== best.performerId && c.distance <= maxDistance)
      .sort((a, b) => a.distance - b.distance);
    return [best, ...others].map((c) => toStashSenseMatch(c, options.extras(c.performerId)));
  });
}

/** POST /identify/image and the old-shape POST /identify. */
export function toStashSenseImage(
  result: Pick<IdentifyImageResult, 'faces' | 'people'>,
  options: ImageMatchOptions,
): StashSenseImageResponse {
  const matches = imageFaceMatches(result, options);
  return {
    faces: result.faces.map((face, i) => ({
      box: {
        x: Math.round(face.box[0]),
        y: Math.round(face.box[1]),
        width: Math.round(face.box[2]),
        height: Math.round(face.box[3]),
        confidence: round4(face.score),
      },
      matches: matches[i] ?? [],
    })),
    face_count: result.faces.length,
  };
}

/** One analysed gallery image: its Stash id and each face's matches (best first). */
export interface GalleryImageMatches {
  imageId: string;
  faces: readonly (readonly StashSenseMatch[])[];
}

/**
 * The gallery's performers (section 4): each face's best match, grouped by performer over the images. Kept when
 * seen in ≥ 2 images or once with distance < 0.4; most images first, then nearest.
 */
export function aggregateGallery(images: readonly GalleryImageMatches[]): StashSenseGalleryPerformer[] {
  const byPerformer = new Map<
    string,
    { match: StashSenseMatch; distances: number[]; imageIds: Set<string> }
  >();
  for (const image of images) {
    for (const matches of image.faces) {
      const best = matches[0];
      if (!best) continue;
      const key = best.stashdb_id ? `${best.endpoint}#${best.stashdb_id}` : `name#${best.name}`;
      let entry = byPerformer.get(key);
      if (!entry) byPerformer.set(key, (entry = { match: best, distances: [], imageIds: new Set() }));
      entry.distances.push(best.distance);
      entry.imageIds.add(image.imageId);
      if (best.distance < entry.match.distance) entry.match = best;
    }
  }
  return [...byPerformer.values()]
    .map(({ match, distances, imageIds }) => {
      const best = Math.min(...distances);
      const avg = distances.reduce((a, b) => a + b, 0) / distances.length;
      return {
        performer_id: match.stashdb_id,
        name: match.name,
        best_distance: round4(best),
        avg_distance: round4(avg),
        confidence: round4(clamp01(1 - best)),
        image_count: imageIds.size,
        image_ids: [...imageIds],
        country: match.country,
        image_url: match.image_url,
        endpoint: match.endpoint,
      };
    })
    .filter(
      (p) => p.image_count >= 2 || p.best_distance < STASH_SENSE_COMPAT_LIMITS.gallerySingleImageMaxDistance,
    )
    .sort((a, b) => b.image_count - a.image_count || a.best_distance - b.best_distance);
}

/** `image_base64` as the fork sends it (raw base64); a `data:image/…;base64,` prefix and whitespace are accepted. */
export function decodeImageBase64(value: string): Buffer {
  const raw = value.replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) throw new Error('image_base64 is not base64');
  return Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64');
}
