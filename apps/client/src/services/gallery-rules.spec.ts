import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEnrolFace, parseGalleryLabel, STASHDB_ENDPOINT } from './gallery-rules.js';

describe('parseGalleryLabel', () => {
  it('takes a UUID folder as a StashDB performer id', () => {
    assert.deepEqual(parseGalleryLabel('6A1F0E3B-7C55-4D7B-9E61-0D2C4B8A9F10'), {
      name: '6a1f0e3b-7c55-4d7b-9e61-0d2c4b8a9f10',
      stashIds: [{ endpoint: STASHDB_ENDPOINT, stashId: '6a1f0e3b-7c55-4d7b-9e61-0d2c4b8a9f10' }],
    });
  });
  it('takes any other folder name as the performer name', () => {
    assert.deepEqual(parseGalleryLabel(' Jane Doe '), { name: 'Jane Doe', stashIds: [] });
    assert.deepEqual(parseGalleryLabel('6a1f0e3b-7c55-4d7b-9e61'), {
      name: '6a1f0e3b-7c55-4d7b-9e61',
      stashIds: [],
    });
  });
});

describe('chooseEnrolFace', () => {
  const face = (w: number, h: number, id: string) => ({ box: [0, 0, w, h], id });

  it('takes the only face and refuses a photo without faces', () => {
    assert.deepEqual(chooseEnrolFace([face(10, 10, 'a')], 2.5), { kind: 'single', face: face(10, 10, 'a') });
    assert.deepEqual(chooseEnrolFace([], 2.5), { kind: 'none' });
  });
  it('takes the largest face when it clearly dominates', () => {
    const choice = chooseEnrolFace([face(40, 40, 'small'), face(100, 100, 'big'), face(20, 20, 'tiny')], 2.5);
    assert.equal(choice.kind, 'dominant');
    assert.equal(choice.kind === 'dominant' && choice.face.id, 'big');
    assert.equal(choice.kind === 'dominant' && choice.others, 2);
  });
  it('refuses faces of similar size', () => {
    assert.deepEqual(chooseEnrolFace([face(100, 100, 'a'), face(80, 80, 'b')], 2.5), {
      kind: 'ambiguous',
      count: 2,
    });
    // exactly at the ratio counts as dominant
    assert.equal(chooseEnrolFace([face(50, 50, 'a'), face(25, 40, 'b')], 2.5).kind, 'dominant');
  });
});
