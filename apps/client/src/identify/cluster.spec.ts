import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perturb, seededRandom, SyntheticFaceSpace } from '@stash-sense/face-index';
import { clusterFaces, type ClusterItem } from './cluster.js';

const space = new SyntheticFaceSpace({ dimension: 512, seed: 31 });
/** A video-like face of performer p in frame f: tighter around one look than independent photos. */
const videoFace = (p: number, f: number) =>
  perturb(space.face(p, 0, space.faceNoise * 0.5), space.faceNoise * 0.6, seededRandom(p * 1000 + f));

test('faces of the same people across frames form one cluster each', () => {
  const items: ClusterItem[] = [];
  for (let frame = 0; frame < 8; frame++)
    for (const p of [3, 4, 25]) items.push({ frame, embedding: videoFace(p, frame) });
  const clusters = clusterFaces(items);
  assert.equal(clusters.length, 3);
  for (const cluster of clusters) {
    const performers = new Set(cluster.map((i) => Math.floor(i % 3)));
    assert.equal(performers.size, 1, `mixed cluster ${cluster}`);
    assert.equal(cluster.length, 8);
  }
});

test('two faces of one frame are never merged, even identical ones', () => {
  const same = videoFace(1, 0);
  const items: ClusterItem[] = [
    { frame: 0, embedding: same },
    { frame: 0, embedding: same },
    { frame: 1, embedding: videoFace(1, 1) },
  ];
  const clusters = clusterFaces(items);
  assert.equal(clusters.length, 2);
  for (const cluster of clusters)
    assert.ok(new Set(cluster.map((i) => items[i]!.frame)).size === cluster.length);
});

test('a look-alike stays apart at the default threshold; a loose threshold would merge them', () => {
  // Performers 2 and 3 are in one look-alike group (≈0.79 apart as photos).
  const items: ClusterItem[] = [0, 1, 2, 3].flatMap((frame) => [
    { frame: frame * 2, embedding: videoFace(2, frame) },
    { frame: frame * 2 + 1, embedding: videoFace(3, frame) },
  ]);
  assert.equal(clusterFaces(items).length, 2);
  assert.equal(clusterFaces(items, { distanceThreshold: 0.95 }).length, 1);
});

test('deterministic, ordered output', () => {
  const items: ClusterItem[] = [];
  for (let frame = 0; frame < 5; frame++)
    for (const p of [9, 8]) items.push({ frame, embedding: videoFace(p, frame) });
  const first = clusterFaces(items);
  assert.deepEqual(clusterFaces(items), first);
  assert.deepEqual(first, [
    [0, 2, 4, 6, 8],
    [1, 3, 5, 7, 9],
  ]);
  assert.deepEqual(clusterFaces([]), []);
});
