import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  FaceIndex,
  FaceIndexWriter,
  perturb,
  type PerformerRecord,
  seededRandom,
  SyntheticFaceSpace,
} from '@stash-sense/face-index';
import { ExactPerformerSearch } from './exact-performer-search.js';
import { IDENTIFY_DEFAULTS } from './identify.config.js';
import { type FaceEvidence, identifyScene, rankPersonCandidates, sceneScore } from './scene.js';
import type { FaceInput, FrameInput } from './types.js';

const space = new SyntheticFaceSpace({ dimension: 512, seed: 41 });
const PERFORMERS = 60;
const performerRecord = (p: number) => ({
  id: p,
  name: `P${p}`,
  stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: `s${p}` }],
});
const galleryFaces = (p: number) => [0, 1, 2, 3].map((f) => space.face(p, f));
const gallery = new ExactPerformerSearch(
  Array.from({ length: PERFORMERS }, (_, p) => ({
    performer: performerRecord(p),
    embeddings: galleryFaces(p),
  })),
);

/** Face of `who` (a performer id, or a stranger as "s<i>") in a given frame: video frames vary less than photos. */
function videoFace(
  who: number | string,
  frame: number,
  box: [number, number, number, number] = [10, 20, 80, 80],
): FaceInput {
  const look =
    typeof who === 'number'
      ? space.face(who, 500, space.faceNoise * 0.6)
      : space.stranger(Number(who.slice(1)));
  const seed = typeof who === 'number' ? who * 7919 + frame : 1e6 + Number(who.slice(1)) * 7919 + frame;
  return {
    box,
    score: 0.9,
    quality: 0.8,
    embedding: perturb(look, space.faceNoise * 0.6, seededRandom(seed)),
  };
}

function scene(cast: (number | string)[][], options: { timestep?: number } = {}): FrameInput[] {
  return cast.map((people, index) => ({
    index,
    timestampSec: index * (options.timestep ?? 2),
    faces: people.map((who, i) => videoFace(who, index, [100 * i, 50, 60, 60])),
  }));
}

const idsOf = (result: ReturnType<typeof identifyScene>) =>
  result.people.map((p) => p.bestMatch?.performer.id ?? null);

test('two performers and a stranger: two identified, the stranger stays unknown', () => {
  const frames = scene(Array.from({ length: 8 }, (_, i) => (i < 5 ? [4, 30, 's1'] : [4, 30])));
  const result = identifyScene(gallery, frames);
  assert.equal(result.framesAnalyzed, 8);
  assert.equal(result.facesDetected, 8 * 2 + 5);
  assert.equal(result.people.length, 3);
  assert.deepEqual(idsOf(result), [4, 30, null]);
  const [a, , stranger] = result.people;
  assert.equal(a!.frameCount, 8);
  assert.equal(a!.faceCount, 8);
  assert.equal(stranger!.frameCount, 5);
  assert.ok(stranger!.candidates.every((c) => c.distance > IDENTIFY_DEFAULTS.unknownDistance));
  const best = a!.bestMatch!;
  assert.equal(best.appearances, 8);
  assert.equal(best.uniqueFrames, 8);
  assert.equal(best.frequency, 1);
  assert.equal(best.signals.votes, 8);
  assert.ok(best.signals.byFrequency && best.signals.byDistance);
  assert.equal(best.signals.hybridBoost, IDENTIFY_DEFAULTS.hybridBoost);
  assert.equal(best.confidence, 1 - best.distance);
  assert.ok(best.band === 'high' || best.band === 'likely');
});

test('two people in one frame are never merged, even the same performer twice (a mirror)', () => {
  const frames = scene(Array.from({ length: 6 }, () => [12, 12]));
  const result = identifyScene(gallery, frames);
  assert.equal(result.people.length, 2);
  for (const person of result.people) assert.equal(person.frameCount, person.faceCount);
  // One performer is one person: the other face keeps the performer only as an excluded candidate.
  assert.deepEqual(
    idsOf(result).filter((id) => id !== null),
    [12],
  );
  assert.ok(result.people.some((p) => p.bestMatch === null && p.candidates[0]?.performer.id === 12));
});

test('a performer seen in one frame only is not reported', () => {
  const frames = scene([[20], [], [], [21], [21]]);
  const result = identifyScene(gallery, frames);
  const once = result.people.find((p) => p.track.points[0]!.frame === 0)!;
  assert.equal(once.frameCount, 1);
  assert.equal(once.bestMatch, null);
  assert.deepEqual(once.candidates, []);
  assert.equal(result.people.find((p) => p.track.points[0]!.frame === 3)!.bestMatch?.performer.id, 21);
  // With the rule relaxed the single frame is enough: the rule is what decides.
  const relaxed = identifyScene(gallery, frames, { config: { minAppearances: 1, minUniqueFrames: 1 } });
  assert.equal(relaxed.people.find((p) => p.track.points[0]!.frame === 0)!.bestMatch?.performer.id, 20);
});

test('performers reported never outnumber people, however noisy the faces', () => {
  // Faces halfway between look-alikes 40 and 41: each face's nearest performer flips between the two.
  const blend = (frame: number): FaceInput => {
    const a = space.face(40, 600 + frame);
    const b = space.face(41, 600 + frame);
    return {
      box: [0, 0, 50, 50],
      score: 0.9,
      quality: 0.8,
      embedding: Float32Array.from(a, (x, i) => x + b[i]!),
    };
  };
  const frames: FrameInput[] = Array.from({ length: 10 }, (_, index) => ({
    index,
    timestampSec: index,
    faces: [blend(index)],
  }));
  const result = identifyScene(gallery, frames, { config: { unknownDistance: 0.8, minConfidence: 0.1 } });
  const reported = idsOf(result).filter((id) => id !== null);
  assert.ok(result.people.length >= 1);
  assert.ok(reported.length <= result.people.length);
  assert.equal(new Set(reported).size, reported.length);
  for (let seed = 0; seed < 5; seed++) {
    const random = seededRandom(seed);
    const cast = Array.from({ length: 12 }, () => [Math.floor(random() * 4), 4 + Math.floor(random() * 4)]);
    const r = identifyScene(gallery, scene(cast));
    const ids = idsOf(r).filter((id) => id !== null);
    assert.ok(ids.length <= r.people.length && new Set(ids).size === ids.length);
  }
});

test('one person split into two clusters by clustering is merged back by the shared match', () => {
  // Two looks of performer 50 (two different gallery photos), ≈0.4 apart: a tight cluster threshold splits them.
  const look = (f: number, frame: number): FaceInput => ({
    box: [0, 0, 40, 40],
    score: 0.9,
    quality: 0.7,
    embedding: perturb(space.face(50, f), 0.005, seededRandom(frame)),
  });
  const frames: FrameInput[] = Array.from({ length: 6 }, (_, index) => ({
    index,
    timestampSec: index,
    faces: [look(index < 3 ? 0 : 1, index)],
  }));
  const result = identifyScene(gallery, frames, { config: { clusterDistance: 0.2 } });
  assert.equal(result.people.length, 1);
  assert.equal(result.people[0]!.frameCount, 6);
  assert.equal(result.people[0]!.bestMatch?.performer.id, 50);
});

test('hybrid boost: the performer found by both frequency and distance outranks one with more frames', () => {
  const performer = (id: number): PerformerRecord => ({ id, name: `P${id}`, stashIds: [], faceCount: 3 });
  const [a, b] = [performer(1), performer(2)];
  // A: nearest in 3 frames at 0.30–0.34. B: second everywhere, 8 frames, best 0.32.
  const evidence: FaceEvidence[] = Array.from({ length: 8 }, (_, frame) => ({
    frame,
    support:
      frame < 3
        ? [
            { performer: a, distance: 0.3 + frame * 0.02 },
            { performer: b, distance: 0.4 },
          ]
        : [{ performer: b, distance: frame === 3 ? 0.32 : 0.45 }],
  }));
  const ranked = rankPersonCandidates(evidence);
  const byId = new Map(ranked.candidates.map((c) => [c.performer.id, c]));
  assert.equal(byId.get(2)!.signals.votes, 5); // B wins the vote…
  assert.equal(byId.get(1)!.signals.byDistance, true); // …A the distance: nobody is found by both
  assert.equal(ranked.bestMatch?.performer.id, 2);

  // Now A is also the most frequent nearest performer: found by both, boosted past B's frame bonus.
  const both = evidence.map((e, frame) =>
    frame >= 3 && frame < 6 ? { frame, support: [{ performer: a, distance: 0.36 }, ...e.support] } : e,
  );
  const reranked = rankPersonCandidates(both);
  const boosted = reranked.candidates.find((c) => c.performer.id === 1)!;
  assert.equal(boosted.signals.hybridBoost, IDENTIFY_DEFAULTS.hybridBoost);
  assert.equal(reranked.bestMatch?.performer.id, 1);
  const unboosted = sceneScore(boosted.distance, 0, boosted.uniqueFrames, IDENTIFY_DEFAULTS.frameBonus);
  const bScore = reranked.candidates.find((c) => c.performer.id === 2)!.score;
  assert.ok(
    unboosted < bScore && boosted.score > bScore,
    `without the boost A (${unboosted}) would lose to B (${bScore})`,
  );
});

test('min confidence and the open-set threshold filter candidates', () => {
  const p = (id: number): PerformerRecord => ({ id, name: `P${id}`, stashIds: [], faceCount: 1 });
  const evidence: FaceEvidence[] = [0, 1, 2].map((frame) => ({
    frame,
    support: [{ performer: p(9), distance: 0.6 }],
  }));
  const ranked = rankPersonCandidates(evidence);
  assert.equal(ranked.candidates[0]?.performer.id, 9); // eligible: 3 faces, 3 frames, confidence 0.4 ≥ 0.35
  assert.equal(ranked.bestMatch, null); // but 0.6 > unknownDistance 0.55: unknown
  assert.deepEqual(
    rankPersonCandidates(evidence, { ...IDENTIFY_DEFAULTS, minConfidence: 0.45 }).candidates,
    [],
  );
});

test('deterministic: same result for the same frames in any order; tracks follow time', () => {
  const frames = scene(Array.from({ length: 7 }, (_, i) => (i % 2 ? [7, 8] : [8, 7])));
  const first = identifyScene(gallery, frames);
  assert.deepEqual(identifyScene(gallery, [...frames].reverse()), first);
  for (const person of first.people) {
    assert.equal(person.track.trackId, person.personId);
    assert.equal(person.track.points.length, person.faceCount);
    const times = person.track.points.map((pt) => pt.timestampSec);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => x - y),
    );
    const point = person.track.points[0]!;
    assert.deepEqual(frames[point.frame]!.faces[point.face]!.box, point.box);
  }
  assert.throws(() => identifyScene(gallery, [frames[0]!, frames[0]!]), /frame index 0 appears twice/);
  assert.deepEqual(identifyScene(gallery, []), { framesAnalyzed: 0, facesDetected: 0, people: [] });
});

test('works on a real FaceIndex the same as on the exact search', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'identify-scene-'));
  try {
    const writer = FaceIndexWriter.create({
      model: { name: 'synthetic', version: '1', dimension: 512, metric: 'cosine' },
    });
    for (let p = 0; p < PERFORMERS; p++)
      writer.addFaces(writer.addPerformer(performerRecord(p)), galleryFaces(p));
    await writer.write(join(dir, 'index'), { indexVersion: 'test-1' });
    const index = await FaceIndex.open(join(dir, 'index'));
    const frames = scene(Array.from({ length: 6 }, () => [33, 's2']));
    assert.deepEqual(idsOf(identifyScene(index, frames)), [33, null]);
    const [fromIndex, exact] = [identifyScene(index, frames), identifyScene(gallery, frames)];
    assert.deepEqual(
      fromIndex.people.map((p) => [p.faceCount, p.frameCount, p.candidates.map((c) => c.performer.id)]),
      exact.people.map((p) => [p.faceCount, p.frameCount, p.candidates.map((c) => c.performer.id)]),
    );
    // float16 storage: distances within 0.002 of the exact float32 ones
    assert.ok(
      Math.abs(fromIndex.people[0]!.bestMatch!.distance - exact.people[0]!.bestMatch!.distance) < 0.002,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
