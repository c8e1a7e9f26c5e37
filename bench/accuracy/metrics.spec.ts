import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  distanceSpread,
  nearest,
  openSet,
  pairDistances,
  rank1,
  verificationAtFar,
  type LabelledEmbedding,
} from './metrics.js';
import { buildScenes, identifySceneByVotes, scoreScenes, seededRandom } from './scenes.js';

const unit = (angleDeg: number) =>
  new Float32Array([Math.cos((angleDeg * Math.PI) / 180), Math.sin((angleDeg * Math.PI) / 180)]);
const e = (person: string, angle: number | null, file = `${person}-${angle}`): LabelledEmbedding => ({
  person,
  file,
  embedding: angle === null ? null : unit(angle),
});

describe('verificationAtFar', () => {
  it('picks the threshold that lets at most far·n impostors through', () => {
    const impostor = Array.from({ length: 100 }, (_, i) => 0.5 + i / 100); // 0.50 … 1.49
    const genuine = [0.1, 0.2, 0.505, 0.6];
    const at1 = verificationAtFar(genuine, impostor, 0.01);
    assert.equal(at1.threshold, 0.51); // one impostor (0.50) below it
    assert.equal(at1.measuredFar, 0.01);
    assert.equal(at1.tar, 0.75);
    assert.equal(at1.resolvable, true);
    const at0 = verificationAtFar(genuine, impostor, 0.001);
    assert.equal(at0.threshold, 0.5);
    assert.equal(at0.measuredFar, 0);
    assert.equal(at0.tar, 0.5);
    assert.equal(at0.resolvable, false);
  });
  it('needs both kinds of pairs', () =>
    assert.throws(() => verificationAtFar([], [1], 0.1), /genuine and impostor/));
});

describe('pairs, rank-1 and open set', () => {
  const gallery = [e('a', 0), e('b', 90), e('c', 180)];
  const probes = [e('a', 10), e('a', 50), e('b', 100), e('b', null), e('x', 135), e('y', 270)];

  it('splits pair distances into genuine and impostor, skipping missing faces', () => {
    const { genuine, impostor } = pairDistances(gallery, probes);
    assert.equal(genuine.length, 3);
    assert.equal(impostor.length, 3 * 2 + 2 * 3);
  });

  it('finds the nearest gallery entry', () => {
    assert.equal(nearest(gallery, unit(80))?.person, 'b');
    assert.equal(nearest(gallery, null), null);
  });

  it('computes rank-1 over probes of gallery people, a missing face counting as a miss', () => {
    assert.deepEqual(rank1(gallery, probes), { probes: 4, rank1: 0.5, noFace: 1 }); // a@50 is nearest to b
  });

  it('sorts probes into correct, wrong, rejected and unknown decisions', () => {
    const threshold = 1 - Math.cos((30 * Math.PI) / 180); // accept within 30°
    const r = openSet(gallery, probes, threshold + 1e-9);
    assert.equal(r.knownProbes, 4);
    assert.equal(r.knownCorrect, 0.5); // a@10, b@100
    assert.equal(r.knownWrong, 0);
    assert.equal(r.knownRejected, 0.5); // a@50 (40° from b… and 50° from a), b without face
    assert.equal(r.unknownProbes, 2);
    assert.equal(r.unknownRejected, 1); // x@135 is 45° away from b and c; y@270 is 90° from c
    assert.equal(r.unknownAccepted, 0);
  });
});

describe('scenes', () => {
  const gallery = [e('a', 0), e('b', 90), e('c', 180)];
  const probes = [
    e('a', 5, 'a1'),
    e('a', 8, 'a2'),
    e('b', 95, 'b1'),
    e('c', 170, 'c1'),
    e('c', 185, 'c2'),
    e('z', 45, 'z1'),
  ];

  it('builds deterministic scenes of 1–3 gallery people plus unknown faces', () => {
    const options = { count: 50, seed: 7, facesPerPerson: 2, maxUnknownFaces: 1 };
    const scenes = buildScenes(new Set(['a', 'b', 'c']), probes, options);
    assert.equal(scenes.length, 50);
    assert.deepEqual(buildScenes(new Set(['a', 'b', 'c']), probes, options), scenes);
    for (const scene of scenes) {
      assert.ok(scene.present.length >= 1 && scene.present.length <= 3);
      for (const person of scene.present) assert.ok(scene.faces.some((f) => f.person === person));
      assert.ok(scene.faces.every((f) => scene.present.includes(f.person) || f.person === 'z'));
    }
    assert.ok(scenes.some((s) => s.faces.some((f) => f.person === 'z')));
  });

  it('votes: two loose matches or one strict match report a person', () => {
    const rule = { looseThreshold: 0.05, strictThreshold: 0.001, minVotes: 2 };
    // a: two faces within ~8° (distance < 0.01) → reported; b: one face 5° away (0.0038 > strict) → not; z: 45° → no vote.
    assert.deepEqual(identifySceneByVotes(gallery, [e('a', 5), e('a', 8), e('b', 95), e('z', 45)], rule), [
      'a',
    ]);
    assert.deepEqual(identifySceneByVotes(gallery, [e('b', 91)], rule), ['b']); // 1° → 0.00015 < strict
  });

  it('scores precision, recall and exact scenes', () => {
    const scenes = [
      { present: ['a'], faces: [] },
      { present: ['a', 'b'], faces: [] },
    ];
    const answers = [['a'], ['a', 'c']];
    let i = 0;
    const score = scoreScenes(scenes, () => answers[i++]!);
    assert.deepEqual(
      { tp: score.truePositives, fp: score.falsePositives, fn: score.falseNegatives, exact: score.exact },
      { tp: 2, fp: 1, fn: 1, exact: 0.5 },
    );
    assert.equal(score.precision, 2 / 3);
    assert.equal(score.recall, 2 / 3);
  });

  it('seededRandom is deterministic and in [0,1)', () => {
    const r1 = seededRandom(3);
    const r2 = seededRandom(3);
    for (let i = 0; i < 100; i++) {
      const v = r1();
      assert.equal(v, r2());
      assert.ok(v >= 0 && v < 1);
    }
  });
});

describe('distanceSpread', () => {
  it('gives mean, sample standard deviation, low percentiles and 1/std²', () => {
    const d = Array.from({ length: 100 }, (_, i) => 0.9 + (i % 2 ? 0.1 : -0.1)); // 0.8, 1.0, 0.8, …
    const s = distanceSpread(d);
    assert.equal(s.count, 100);
    assert.ok(Math.abs(s.mean - 0.9) < 1e-12);
    assert.ok(Math.abs(s.std - 0.1 * Math.sqrt(100 / 99)) < 1e-12);
    assert.ok(Math.abs(s.p1 - 0.8) < 1e-12 && Math.abs(s.p5 - 0.8) < 1e-12);
    assert.ok(Math.abs(s.effectiveDimension - 1 / s.std ** 2) < 1e-9);
    assert.throws(() => distanceSpread([1]), /at least two/);
  });
});
