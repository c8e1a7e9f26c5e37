/**
 * Identifying the people of a video from faces in sampled frames:
 * 1. every face is searched once: its nearest performers, of which those within 1 − minConfidence "support"
 *    the performer and the nearest one gets the face's vote;
 * 2. faces are clustered into people (cluster.ts: average linkage, never two faces of one frame);
 * 3. per person, performers are ranked by frequency across frames and best distance (rankPersonCandidates):
 *    only performers supported by ≥ minAppearances faces in ≥ minUniqueFrames frames count, the one that wins
 *    both the vote and the distance gets the hybrid boost, and the best match must be within the open-set
 *    threshold — otherwise the person stays unknown;
 * 4. one performer is one person: people with the same best match and no common frame are the same person
 *    split by clustering and are merged; people sharing a frame cannot be, so the lower score gives the
 *    performer up. The number of identified performers is thus capped by the number of people (clusters).
 * Deterministic for the same input.
 */
import type { PerformerRecord } from '@stash-sense/face-index';
import { clusterFaces } from './cluster.js';
import { bandOf, confidenceOf } from './confidence.js';
import { IDENTIFY_DEFAULTS, type IdentifyConfig } from './identify.config.js';
import type {
  Box,
  FaceInput,
  FaceTrack,
  FrameInput,
  PerformerSearch,
  SceneCandidate,
  SceneIdentification,
  ScenePerson,
} from './types.js';

export interface IdentifySceneOptions {
  /** Candidates per person. Default IDENTIFY_DEFAULTS.topK. */
  topK?: number;
  config?: Partial<IdentifyConfig>;
}

/** One face's view of the index, as the per-person ranking needs it. */
export interface FaceEvidence {
  frame: number;
  /** Performers within 1 − minConfidence, nearest first: each is "supported" by this face. */
  support: { performer: PerformerRecord; distance: number }[];
}

interface SceneFace {
  frame: number;
  timestampSec: number;
  /** Position of the face in its frame's `faces`. */
  face: number;
  input: FaceInput;
  evidence: FaceEvidence;
}

export function identifyScene<F extends FaceInput>(
  index: PerformerSearch,
  frames: readonly FrameInput<F>[],
  options: IdentifySceneOptions = {},
): SceneIdentification {
  const config: IdentifyConfig = { ...IDENTIFY_DEFAULTS, ...options.config };
  const topK = options.topK ?? config.topK;
  if (!Number.isInteger(topK) || topK < 1)
    throw new RangeError(`topK must be a positive integer, got ${topK}`);
  const seen = new Set<number>();
  for (const frame of frames) {
    if (seen.has(frame.index))
      throw new RangeError(
        `frame index ${frame.index} appears twice; every sampled frame needs its own index`,
      );
    seen.add(frame.index);
  }

  const ordered = [...frames].sort((a, b) => a.timestampSec - b.timestampSec || a.index - b.index);
  const supportLimit = 1 - config.minConfidence;
  const faces: SceneFace[] = ordered.flatMap((frame) =>
    frame.faces.map((input, face) => ({
      frame: frame.index,
      timestampSec: frame.timestampSec,
      face,
      input,
      evidence: {
        frame: frame.index,
        support: index
          .searchPerformers(input.embedding, config.performersPerFace)
          .filter((hit) => hit.distance <= supportLimit)
          .map((hit) => ({ performer: hit.performer, distance: hit.distance })),
      },
    })),
  );

  const clusters = clusterFaces(
    faces.map((f) => ({ frame: f.frame, embedding: f.input.embedding })),
    { distanceThreshold: config.clusterDistance },
  );
  const people = resolvePerformers(clusters, faces, config);

  const byPosition = (members: number[]) => Math.min(...members);
  people.sort((a, b) => b.members.length - a.members.length || byPosition(a.members) - byPosition(b.members));
  return {
    framesAnalyzed: frames.length,
    facesDetected: faces.length,
    people: people.map((person, personId): ScenePerson => ({
      personId,
      frameCount: new Set(person.members.map((m) => faces[m]!.frame)).size,
      faceCount: person.members.length,
      bestMatch: person.ranking.bestMatch,
      candidates: person.ranking.candidates.slice(0, topK),
      track: trackOf(
        personId,
        person.members.map((m) => faces[m]!),
      ),
    })),
  };
}

interface Person {
  members: number[];
  /** Performers this person may not take (given to another person seen in the same frame). */
  excluded: Set<number>;
  ranking: PersonRanking;
}

/** Step 4: merge people split by clustering, and give each performer to one person only. */
function resolvePerformers(
  clusters: number[][],
  faces: readonly SceneFace[],
  config: IdentifyConfig,
): Person[] {
  const rank = (members: number[], excluded: Set<number>) =>
    rankPersonCandidates(
      members.map((m) => faces[m]!.evidence),
      config,
      excluded,
    );
  let people: Person[] = clusters.map((members) => ({
    members,
    excluded: new Set<number>(),
    ranking: rank(members, new Set()),
  }));
  const framesOf = (p: Person) => new Set(p.members.map((m) => faces[m]!.frame));

  for (;;) {
    const byPerformer = new Map<number, Person[]>();
    for (const person of people) {
      const id = person.ranking.bestMatch?.performer.id;
      if (id !== undefined) byPerformer.set(id, [...(byPerformer.get(id) ?? []), person]);
    }
    const contested = [...byPerformer.entries()]
      .filter(([, group]) => group.length > 1)
      .sort(([a], [b]) => a - b)[0];
    if (!contested) return people;
    const [performerId, group] = contested;
    group.sort(
      (a, b) =>
        b.ranking.bestMatch!.score - a.ranking.bestMatch!.score ||
        Math.min(...a.members) - Math.min(...b.members),
    );
    const [keeper, ...rest] = group as [Person, ...Person[]];
    const keeperFrames = framesOf(keeper);
    const mergeable = rest.filter((p) => {
      const frames = framesOf(p);
      const disjoint = [...frames].every((f) => !keeperFrames.has(f));
      if (disjoint) for (const f of frames) keeperFrames.add(f);
      return disjoint;
    });
    if (mergeable.length > 0) {
      const members = [...keeper.members, ...mergeable.flatMap((p) => p.members)].sort((a, b) => a - b);
      const excluded = new Set([...keeper.excluded, ...mergeable.flatMap((p) => [...p.excluded])]);
      const merged: Person = { members, excluded, ranking: rank(members, excluded) };
      people = [...people.filter((p) => p !== keeper && !mergeable.includes(p)), merged];
    } else {
      for (const loser of rest) {
        loser.excluded.add(performerId);
        loser.ranking = rank(loser.members, loser.excluded);
      }
    }
  }
}

export interface PersonRanking {
  /** Eligible performers, best score first. */
  candidates: SceneCandidate[];
  bestMatch: SceneCandidate | null;
}

/**
 * Step 3 for one person, pure: frequency voting across frames + best distance, with the trainer rules.
 * `excluded` performers stay among the candidates but cannot be the best match.
 */
export function rankPersonCandidates(
  evidence: readonly FaceEvidence[],
  config: IdentifyConfig = IDENTIFY_DEFAULTS,
  excluded: ReadonlySet<number> = new Set(),
): PersonRanking {
  interface Tally {
    performer: PerformerRecord;
    appearances: number;
    frames: Set<number>;
    votes: number;
    best: number;
    sum: number;
  }
  const tallies = new Map<number, Tally>();
  for (const face of evidence) {
    face.support.forEach((hit, rank) => {
      let tally = tallies.get(hit.performer.id);
      if (!tally) {
        tally = {
          performer: hit.performer,
          appearances: 0,
          frames: new Set(),
          votes: 0,
          best: Infinity,
          sum: 0,
        };
        tallies.set(hit.performer.id, tally);
      }
      tally.appearances++;
      tally.frames.add(face.frame);
      if (rank === 0) tally.votes++;
      tally.best = Math.min(tally.best, hit.distance);
      tally.sum += hit.distance;
    });
  }
  const eligible = [...tallies.values()].filter(
    (t) =>
      t.appearances >= config.minAppearances &&
      t.frames.size >= config.minUniqueFrames &&
      confidenceOf(t.best) >= config.minConfidence,
  );
  const maxVotes = Math.max(0, ...eligible.map((t) => t.votes));
  const minBest = Math.min(Infinity, ...eligible.map((t) => t.best));
  const candidates = eligible.map((t): SceneCandidate => {
    const byFrequency = maxVotes > 0 && t.votes === maxVotes;
    const byDistance = t.best === minBest;
    const hybridBoost = byFrequency && byDistance ? config.hybridBoost : 0;
    return {
      performer: t.performer,
      distance: t.best,
      confidence: confidenceOf(t.best),
      band: bandOf(t.best, config.bands),
      appearances: t.appearances,
      uniqueFrames: t.frames.size,
      frequency: evidence.length > 0 ? t.appearances / evidence.length : 0,
      score: sceneScore(t.best, hybridBoost, t.frames.size, config.frameBonus),
      signals: { votes: t.votes, byFrequency, byDistance, hybridBoost, meanDistance: t.sum / t.appearances },
    };
  });
  candidates.sort((a, b) => b.score - a.score || a.distance - b.distance || a.performer.id - b.performer.id);
  const bestMatch =
    candidates.find((c) => c.distance <= config.unknownDistance && !excluded.has(c.performer.id)) ?? null;
  return { candidates, bestMatch };
}

/** min(1, confidence + boost) · (1 + frameBonus · (frames − 1)) — the original sidecar's hybrid score. */
export function sceneScore(
  bestDistance: number,
  boost: number,
  uniqueFrames: number,
  frameBonus: number,
): number {
  return Math.min(1, confidenceOf(bestDistance) + boost) * (1 + frameBonus * Math.max(0, uniqueFrames - 1));
}

function trackOf(trackId: number, faces: readonly SceneFace[]): FaceTrack {
  return {
    trackId,
    points: [...faces]
      .sort((a, b) => a.timestampSec - b.timestampSec || a.frame - b.frame || a.face - b.face)
      .map((f) => ({
        frame: f.frame,
        face: f.face,
        timestampSec: f.timestampSec,
        box: [...f.input.box] as Box,
        score: f.input.score,
        quality: f.input.quality,
      })),
  };
}
