import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSENSUS_DEFAULTS } from './consensus.config.js';
import {
  detectSwaps,
  isCloserToOther,
  nearestOtherPerformer,
  type SceneSwapInput,
} from './conflicts.rules.js';
import { Rng, identityCentre, samplePhoto } from './testing/builders.js';

const rng = new Rng(99);
const P1 = identityCentre(rng);
const P2 = identityCentre(rng);

test('nearestOtherPerformer and isCloserToOther', () => {
  const face = samplePhoto(rng, P2);
  const nearest = nearestOtherPerformer(face, [
    { performerId: 'p1', centroid: P1 },
    { performerId: 'p2', centroid: P2 },
  ]);
  assert.equal(nearest!.performerId, 'p2');
  assert.equal(nearestOtherPerformer(face, []), null);
  assert.ok(isCloserToOther(nearest, null, CONSENSUS_DEFAULTS), 'no own reference: closeness alone');
  assert.ok(isCloserToOther(nearest, 0.9, CONSENSUS_DEFAULTS));
  assert.ok(!isCloserToOther(nearest, nearest!.distance + 0.01, CONSENSUS_DEFAULTS), 'within the margin');
  assert.ok(
    !isCloserToOther({ performerId: 'x', distance: 0.6 }, null, CONSENSUS_DEFAULTS),
    'too far to be the other',
  );
});

const swapped: SceneSwapInput['contributions'] = [
  { contributionId: 'a1', contributorId: 'A', performerId: 'p1', centre: samplePhoto(rng, P2) },
  { contributionId: 'a2', contributorId: 'A', performerId: 'p2', centre: samplePhoto(rng, P1) },
];

test('detectSwaps: an account crediting each performer\u2019s faces to the other, against their consensus', () => {
  const records = detectSwaps(
    {
      sceneId: 's',
      performers: [
        { performerId: 'p2', centroid: P2 },
        { performerId: 'p1', centroid: P1 },
      ],
      contributions: swapped,
    },
    CONSENSUS_DEFAULTS,
  );
  assert.equal(records.length, 1);
  const r = records[0]!;
  assert.equal(r.kind, 'swapped_performers');
  assert.deepEqual(r.contributionIds, ['a1', 'a2']);
  assert.deepEqual(r.performerIds, ['p1', 'p2']);
  assert.deepEqual(r.contributorIds, ['A']);
  assert.equal(r.key, 'swapped_performers:s:A:p1:p2');
  const evidence = r.evidence.contributions as { distanceToCredited: number; distanceToOther: number }[];
  assert.ok(evidence.every((e) => e.distanceToOther < e.distanceToCredited));
});

test('detectSwaps: without a consensus, the other accounts of the scene are the reference', () => {
  const others: SceneSwapInput['contributions'] = ['B', 'C'].flatMap((who) => [
    { contributionId: `${who}1`, contributorId: who, performerId: 'p1', centre: samplePhoto(rng, P1) },
    { contributionId: `${who}2`, contributorId: who, performerId: 'p2', centre: samplePhoto(rng, P2) },
  ]);
  const input: SceneSwapInput = {
    sceneId: 's',
    performers: [
      { performerId: 'p1', centroid: null },
      { performerId: 'p2', centroid: null },
    ],
    contributions: [...others, ...swapped],
  };
  const records = detectSwaps(input, CONSENSUS_DEFAULTS);
  assert.deepEqual(
    records.map((r) => r.contributorIds[0]),
    ['A'],
    'the honest accounts are not accused',
  );
  assert.match(JSON.stringify(records[0]!.evidence.references), /scene \(2 other contribution/);
  // Only one other account: no scene majority, no verdict.
  const thin = detectSwaps(
    { ...input, contributions: [...others.slice(0, 2), ...swapped] },
    CONSENSUS_DEFAULTS,
  );
  assert.deepEqual(thin, []);
  // Order does not matter.
  assert.deepEqual(
    detectSwaps({ ...input, contributions: [...input.contributions].reverse() }, CONSENSUS_DEFAULTS),
    records,
  );
});

test('detectSwaps: correct attributions and one-sided mistakes are not swaps', () => {
  const correct: SceneSwapInput = {
    sceneId: 's',
    performers: [
      { performerId: 'p1', centroid: P1 },
      { performerId: 'p2', centroid: P2 },
    ],
    contributions: [
      { contributionId: 'c1', contributorId: 'A', performerId: 'p1', centre: samplePhoto(rng, P1) },
      { contributionId: 'c2', contributorId: 'A', performerId: 'p2', centre: samplePhoto(rng, P2) },
    ],
  };
  assert.deepEqual(detectSwaps(correct, CONSENSUS_DEFAULTS), []);
  const oneSided = {
    ...correct,
    contributions: [
      { contributionId: 'c1', contributorId: 'A', performerId: 'p1', centre: samplePhoto(rng, P2) },
      { contributionId: 'c2', contributorId: 'A', performerId: 'p2', centre: samplePhoto(rng, P2) },
    ],
  };
  assert.deepEqual(detectSwaps(oneSided, CONSENSUS_DEFAULTS), []);
});
