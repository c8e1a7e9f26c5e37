import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { perturb, randomUnitVector, seededRandom } from '@stash-sense/face-index';
import {
  type BuildPerformerMeta,
  buildIndexVersion,
  type IndexBuildInput,
  type PerformerFaces,
} from './index-builder.js';

const DIM = 16;
const random = seededRandom(5);
const centres = new Map<string, Float32Array>();
const vector = (performer: string, k: number) => {
  if (!centres.has(performer)) centres.set(performer, randomUnitVector(DIM, random));
  return perturb(centres.get(performer)!, 0.2 + k * 0.01, seededRandom(k * 31 + performer.charCodeAt(0)));
};

/** Faces per performer as database face ids; a source that records which performers it was asked for. */
function world(faces: Record<string, number[]>) {
  const asked: (readonly string[] | null)[] = [];
  const meta = new Map<string, BuildPerformerMeta>(
    Object.keys(faces).map((p) => [
      p,
      { name: `Performer ${p}`, stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: p }] },
    ]),
  );
  async function* stream(only: readonly string[] | null): AsyncGenerator<PerformerFaces> {
    asked.push(only);
    for (const [p, ids] of Object.entries(faces)) {
      if (only && !only.includes(p)) continue;
      yield { performerId: p, faces: ids.map((id) => ({ faceId: id, vector: vector(p, id) })) };
    }
  }
  const trustedFaceIds = new Map(Object.entries(faces));
  return { asked, meta, stream, trustedFaceIds };
}

describe('buildIndexVersion: incremental builds read only the performers that can change', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ss-builder-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const base = (over: Partial<IndexBuildInput>): IndexBuildInput => ({
    model: { name: 'm', version: '1', dimension: DIM },
    indexVersion: 'v1',
    outDir: join(dir, 'v1'),
    parent: null,
    rebuild: false,
    performers: new Map(),
    faces: () => (async function* () {})(),
    performerIds: new Map(),
    presentFaces: new Map(),
    maxFacesPerPerformer: 3,
    minFaces: 2,
    threads: 1,
    ...over,
  });

  test('clean performers keep their faces unread; the result equals a build that reads everything', async () => {
    // A: 5 faces (3 kept = cap). B: 2. C: 1 (< min-faces). E: 2.
    const first = world({ A: [1, 2, 3, 4, 5], B: [10, 11], C: [20], E: [40, 41] });
    const performerIds = new Map<string, number>();
    const v1 = await buildIndexVersion(
      base({
        performers: first.meta,
        faces: first.stream,
        trustedFaceIds: first.trustedFaceIds,
        performerIds,
      }),
    );
    assert.equal(v1.faces, 3 + 2 + 2);
    assert.deepEqual(first.asked, [null], 'a first build reads everything');
    const present = new Map(v1.newFaceIds.map((id, i) => [id, v1.newIndexFaceIds[i]!]));

    // B gains a face, D is new, E loses one (then has 1 < min-faces), A and C are unchanged, A is renamed.
    const next = { A: [1, 2, 3, 4, 5], B: [10, 11, 12], C: [20], D: [30, 31], E: [40] };
    const partial = world(next);
    partial.meta.get('A')!.name = 'Renamed';
    const parent = { dir: join(dir, 'v1'), version: 'v1' };
    const fast = await buildIndexVersion(
      base({
        indexVersion: 'v2',
        outDir: join(dir, 'v2-fast'),
        parent,
        performers: partial.meta,
        faces: partial.stream,
        trustedFaceIds: partial.trustedFaceIds,
        performerIds: new Map(performerIds),
        presentFaces: present,
      }),
    );
    assert.deepEqual(partial.asked, [['B', 'D', 'E']], 'A (at the cap) and C (below min-faces) are not read');

    const everything = world(next);
    everything.meta.get('A')!.name = 'Renamed';
    const slow = await buildIndexVersion(
      base({
        indexVersion: 'v2',
        outDir: join(dir, 'v2-slow'),
        parent,
        performers: everything.meta,
        faces: everything.stream,
        performerIds: new Map(performerIds),
        presentFaces: present,
      }),
    );
    assert.deepEqual(everything.asked, [null]);
    assert.deepEqual(fast.changes, slow.changes);
    assert.deepEqual(fast.changes, {
      facesAdded: 3,
      facesRemoved: 2,
      performersAdded: 1,
      performersRemoved: 1,
      performersChanged: 1,
    });
    assert.deepEqual(fast.newFaceIds, slow.newFaceIds);
    for (const file of ['faces.u32', 'performers.jsonl'])
      assert.deepEqual(
        await readFile(join(dir, 'v2-fast', file)),
        await readFile(join(dir, 'v2-slow', file)),
        `${file} is the same either way`,
      );
  });

  test('the graph links are chosen on int8 unless the build asks for float16, in full and incremental builds', async () => {
    const data = world({ A: [1, 2, 3], B: [10, 11] });
    const v1 = await buildIndexVersion(
      base({ outDir: join(dir, 'c1'), performers: data.meta, faces: data.stream, performerIds: new Map() }),
    );
    assert.equal(v1.manifest!.ann.constructionStorage, 'int8');
    assert.equal(v1.manifest!.storage, 'float16');
    const referenceIds = new Map<string, number>();
    const reference = await buildIndexVersion(
      base({
        outDir: join(dir, 'c2'),
        performers: data.meta,
        faces: data.stream,
        performerIds: referenceIds,
        constructionStorage: 'float16',
      }),
    );
    assert.equal(reference.manifest!.ann.constructionStorage, 'float16');
    const grown = world({ A: [1, 2, 3], B: [10, 11], C: [20, 21] });
    const v2 = await buildIndexVersion(
      base({
        indexVersion: 'v2',
        outDir: join(dir, 'c3'),
        parent: { dir: join(dir, 'c2'), version: 'v1' },
        performers: grown.meta,
        faces: grown.stream,
        performerIds: new Map(referenceIds),
        presentFaces: new Map(reference.newFaceIds.map((id, i) => [id, reference.newIndexFaceIds[i]!])),
        constructionStorage: 'int8',
      }),
    );
    assert.equal(v2.manifest!.ann.constructionStorage, 'int8');
    assert.equal(v2.changes.facesAdded, 2);
  });
});
