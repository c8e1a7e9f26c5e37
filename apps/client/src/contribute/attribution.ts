/**
 * Which faces of a scene may be contributed, and as whom (docs/contributing.md). Only performers credited on
 * the stash-box scene can receive faces, and a person is attributed only when that is unambiguous:
 * - one credited performer: the scene's dominant person (clearly more faces than anyone else) is that performer;
 * - several credited performers: a person is attributed only when the local index matches it to exactly one of
 *   the credited performers clearly (close enough, and clearly closer than to every other credited one); without
 *   a local index, multi-performer scenes are left out.
 * Everything else is left out with its reason, so that the user (and the note on the contribution rate) can see
 * how often that happens. Pure: no I/O.
 */
import { centroid, cosineDistance } from '@stash-sense/vectors';
import { clusterFaces, IDENTIFY_DEFAULTS } from '../identify/index.js';
import type { Box, FrameInput, PerformerSearch } from '../identify/index.js';

export const ATTRIBUTION_DEFAULTS = {
  /** Same clustering as identification (identify.config.ts: 0.60, no mixed clusters on the fixtures). */
  clusterDistance: IDENTIFY_DEFAULTS.clusterDistance,
  /** A person needs this many faces … (trainer seed: min_appearances=2; the cloud rejects fewer). */
  minFaces: IDENTIFY_DEFAULTS.minAppearances,
  /** … in this many distinct frames (trainer seed: min_unique_frames=2; the cloud rejects fewer). */
  minFrames: IDENTIFY_DEFAULTS.minUniqueFrames,
  /**
   * Single-performer scene: the largest person must have at least this many times the faces of the next one,
   * or nobody is attributed (an uncredited extra as frequent as the star makes the label a guess). 2× is a
   * design choice: the credited performer of a solo scene is on screen most of the time.
   */
  dominance: 2,
  /**
   * Multi-performer scene: the person's centroid must be this close to the credited performer's nearest face in
   * the local index: 0.55, the open-set threshold (FAR 10⁻³ on the fixtures, identify.config.ts).
   */
  maxDistance: IDENTIFY_DEFAULTS.unknownDistance,
  /** … and closer by at least this much than to any other credited performer (design: look-alike partners stay out). */
  margin: 0.1,
  /** Performers fetched from the index per person when looking for the credited ones. */
  searchDepth: 50,
  /**
   * Faces of one person closer than this to an earlier one are the same shot (a still frame sampled twice, a
   * static scene): kept once. They add no evidence, and the cloud refuses identical embeddings in a payload.
   * 0.001 is far below the same-person spread of different frames (median 0.25, identify.config.ts).
   */
  duplicateDistance: 0.001,
  /** Faces sent per performer (the cloud's default limit per performer per scene is 60); the best quality first. */
  maxFacesPerPerformer: 60,
} as const;

export type AttributionConfig = { -readonly [K in keyof typeof ATTRIBUTION_DEFAULTS]: number };

export interface SceneFace {
  box: Box;
  score: number;
  quality: number;
  sizePx: number;
  embedding: Float32Array;
}

export interface AttributedFace<F extends SceneFace = SceneFace> {
  frame: number;
  timestampSec: number;
  face: F;
}

export interface AttributedPerformer<F extends SceneFace = SceneFace> {
  stashId: string;
  /** Time order. */
  faces: AttributedFace<F>[];
  /** Faces of the person before the per-performer cap. */
  personFaces: number;
  distance: number | null;
}

export type LeftOutReason =
  | 'too_few_faces'
  | 'not_dominant'
  | 'no_index_for_multi_performer_scene'
  | 'no_credited_match'
  | 'ambiguous_match'
  | 'claimed_twice'
  | 'extra_person';

export interface LeftOutPerson {
  faces: number;
  frames: number;
  reason: LeftOutReason;
  detail: string;
}

export interface SceneAttribution<F extends SceneFace = SceneFace> {
  attributed: AttributedPerformer<F>[];
  leftOut: LeftOutPerson[];
  facesDetected: number;
}

export interface CreditedScene {
  /** The stash-box GraphQL URL (as in the index's performer stashIds). */
  endpoint: string;
  /** Performer ids credited on the stash-box scene. */
  performers: readonly string[];
}

interface Person<F extends SceneFace> {
  members: AttributedFace<F>[];
  frames: number;
}

export function attributeScene<F extends SceneFace>(
  frames: readonly FrameInput<F>[],
  scene: CreditedScene,
  search: PerformerSearch | null,
  overrides: Partial<AttributionConfig> = {},
): SceneAttribution<F> {
  const config: AttributionConfig = { ...ATTRIBUTION_DEFAULTS, ...overrides };
  const credited = [...new Set(scene.performers)];
  if (credited.length === 0)
    throw new RangeError('the scene credits no performer: nothing can be attributed');
  const faces: AttributedFace<F>[] = [...frames]
    .sort((a, b) => a.timestampSec - b.timestampSec || a.index - b.index)
    .flatMap((frame) =>
      frame.faces.map((face) => ({ frame: frame.index, timestampSec: frame.timestampSec, face })),
    );
  const clusters = clusterFaces(
    faces.map((f) => ({ frame: f.frame, embedding: f.face.embedding })),
    { distanceThreshold: config.clusterDistance },
  );
  const people: Person<F>[] = clusters
    .map((members) =>
      withoutDuplicates(
        members.map((m) => faces[m]!),
        config.duplicateDistance,
      ),
    )
    .map((members) => ({ members, frames: new Set(members.map((m) => m.frame)).size }))
    .sort((a, b) => b.members.length - a.members.length);

  const leftOut: LeftOutPerson[] = [];
  const leave = (p: Person<F>, reason: LeftOutReason, detail: string) =>
    leftOut.push({ faces: p.members.length, frames: p.frames, reason, detail });
  const eligible: Person<F>[] = [];
  for (const p of people) {
    if (p.members.length < config.minFaces || p.frames < config.minFrames)
      leave(
        p,
        'too_few_faces',
        `${p.members.length} faces in ${p.frames} frames (needs ${config.minFaces} in ${config.minFrames})`,
      );
    else eligible.push(p);
  }
  const result = (attributed: AttributedPerformer<F>[]): SceneAttribution<F> => ({
    attributed,
    leftOut,
    facesDetected: faces.length,
  });
  if (eligible.length === 0) return result([]);

  if (credited.length === 1) {
    const [first, second] = eligible;
    if (second && first!.members.length < config.dominance * second.members.length) {
      for (const p of eligible)
        leave(
          p,
          'not_dominant',
          `${first!.members.length} vs ${second.members.length} faces: no person clearly dominates the solo scene`,
        );
      return result([]);
    }
    for (const p of eligible.slice(1)) leave(p, 'extra_person', 'not the solo scene’s dominant person');
    return result([performerOf(credited[0]!, first!, null, config)]);
  }

  if (!search) {
    for (const p of eligible)
      leave(
        p,
        'no_index_for_multi_performer_scene',
        `${credited.length} performers credited and no local index to tell them apart`,
      );
    return result([]);
  }
  const claims = new Map<string, { person: Person<F>; distance: number }[]>();
  for (const p of eligible) {
    const distances = creditedDistances(p, scene.endpoint, credited, search, config.searchDepth);
    const ranked = [...distances.entries()].sort((a, b) => a[1] - b[1]);
    const [best, next] = ranked;
    if (!best || best[1] > config.maxDistance) {
      leave(
        p,
        'no_credited_match',
        best
          ? `nearest credited performer at ${best[1].toFixed(3)} > ${config.maxDistance}`
          : 'no credited performer in the local index',
      );
      continue;
    }
    if (next && next[1] - best[1] < config.margin) {
      leave(
        p,
        'ambiguous_match',
        `${best[1].toFixed(3)} vs ${next[1].toFixed(3)}: two credited performers are too close to tell`,
      );
      continue;
    }
    const list = claims.get(best[0]) ?? [];
    list.push({ person: p, distance: best[1] });
    claims.set(best[0], list);
  }
  const attributed: AttributedPerformer<F>[] = [];
  for (const stashId of credited) {
    const list = claims.get(stashId);
    if (!list) continue;
    if (list.length > 1) {
      for (const c of list)
        leave(c.person, 'claimed_twice', `${list.length} people match performer ${stashId}`);
      continue;
    }
    attributed.push(performerOf(stashId, list[0]!.person, list[0]!.distance, config));
  }
  return result(attributed);
}

/** Drops faces within `maxDistance` of an earlier kept face (time order). */
function withoutDuplicates<F extends SceneFace>(
  members: AttributedFace<F>[],
  maxDistance: number,
): AttributedFace<F>[] {
  const kept: AttributedFace<F>[] = [];
  for (const m of members)
    if (!kept.some((k) => cosineDistance(k.face.embedding, m.face.embedding) < maxDistance)) kept.push(m);
  return kept;
}

/** Distance from the person's centroid to the nearest indexed face of each credited performer found. */
function creditedDistances<F extends SceneFace>(
  person: Person<F>,
  endpoint: string,
  credited: readonly string[],
  search: PerformerSearch,
  depth: number,
): Map<string, number> {
  const wanted = new Set(credited);
  const query = centroid(person.members.map((m) => m.face.embedding));
  const out = new Map<string, number>();
  for (const hit of search.searchPerformers(query, depth)) {
    for (const id of hit.performer.stashIds) {
      if (id.endpoint !== endpoint || !wanted.has(id.stashId)) continue;
      const known = out.get(id.stashId);
      if (known === undefined || hit.distance < known) out.set(id.stashId, hit.distance);
    }
  }
  return out;
}

function performerOf<F extends SceneFace>(
  stashId: string,
  person: Person<F>,
  distance: number | null,
  config: AttributionConfig,
): AttributedPerformer<F> {
  const best = [...person.members]
    .sort((a, b) => b.face.quality - a.face.quality || a.timestampSec - b.timestampSec)
    .slice(0, config.maxFacesPerPerformer)
    .sort((a, b) => a.timestampSec - b.timestampSec || a.frame - b.frame);
  return { stashId, faces: best, personFaces: person.members.length, distance };
}
