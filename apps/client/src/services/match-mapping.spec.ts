import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImagePersonSchema, ScenePersonSchema } from '@stash-sense/contracts';
import type { Candidate, SceneCandidate, ScenePerson } from '../identify/index.js';
import { toImagePeople, toScenePeople } from './match-mapping.js';

const performer = {
  id: 7,
  name: 'Jane Doe',
  stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: 'abc' }],
  faceCount: 3,
  country: 'NL',
};
const candidate: Candidate = { performer, distance: 0.123456789, confidence: 0.876543211, band: 'high' };

describe('match mapping', () => {
  it('maps face identifications to the contract, rounding and keeping only public performer fields', () => {
    const [person] = toImagePeople([{ face: 0, bestMatch: candidate, candidates: [candidate] }]);
    ImagePersonSchema.parse(person);
    assert.deepEqual(person!.bestMatch, {
      performerId: 7,
      name: 'Jane Doe',
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: 'abc' }],
      distance: 0.1235,
      confidence: 0.8765,
      band: 'high',
    });
    assert.equal(toImagePeople([{ face: 1, bestMatch: null, candidates: [] }])[0]!.bestMatch, null);
  });

  it('maps scene people with their scene signals and face track', () => {
    const scene: SceneCandidate = {
      ...candidate,
      appearances: 4,
      uniqueFrames: 3,
      frequency: 0.8,
      score: 1.1234567,
      signals: { votes: 4, byFrequency: true, byDistance: true, hybridBoost: 0.25, meanDistance: 0.2 },
    };
    const person: ScenePerson = {
      personId: 0,
      frameCount: 3,
      faceCount: 5,
      bestMatch: scene,
      candidates: [scene],
      track: {
        trackId: 0,
        points: [
          { frame: 2, face: 0, timestampSec: 1.23456, box: [1.04, 2, 3, 4], score: 0.9, quality: 0.7 },
        ],
      },
    };
    const [mapped] = toScenePeople([person]);
    ScenePersonSchema.parse(mapped);
    assert.equal(mapped!.bestMatch!.score, 1.1235);
    assert.equal(mapped!.bestMatch!.appearances, 4);
    assert.deepEqual(mapped!.track.points[0], {
      frame: 2,
      timestampSec: 1.235,
      box: [1, 2, 3, 4],
      score: 0.9,
      quality: 0.7,
    });
  });
});
