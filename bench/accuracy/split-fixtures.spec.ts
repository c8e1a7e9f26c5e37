import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { splitLabelledFolder } from './split-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'split-'));
after(() => rmSync(root, { recursive: true, force: true }));

function person(name: string, files: string[]) {
  mkdirSync(join(root, 'src', name), { recursive: true });
  for (const f of files) writeFileSync(join(root, 'src', name, f), f);
}
person('ann', ['10.jpg', '2.jpg', '1.jpg']);
person('bob', ['a.png', 'b.png']);
person('cat', ['only.webp']);
person('dan', ['1.jpg', '2.jpg', 'notes.txt']);

const list = (dir: string) => (name: string) => {
  try {
    return readdirSync(join(dir, name)).sort();
  } catch {
    return [];
  }
};

describe('splitLabelledFolder', () => {
  it('puts the first photo(s) in the gallery in natural order, the rest in probes, single-photo people in probes only', () => {
    const r = splitLabelledFolder(join(root, 'src'), join(root, 'out'), 1);
    const g = list(r.gallery);
    const p = list(r.probes);
    assert.deepEqual(g('ann'), ['1.jpg']);
    assert.deepEqual(p('ann'), ['10.jpg', '2.jpg']);
    assert.deepEqual(g('cat'), []);
    assert.deepEqual(p('cat'), ['only.webp']);
    assert.deepEqual(p('dan'), ['2.jpg']); // the .txt file is not an image
    assert.deepEqual([r.galleryPeople, r.galleryImages, r.probeImages, r.unknownPeople], [3, 3, 5, 1]);
  });

  it('always leaves at least one probe, and can hold out every k-th person entirely', () => {
    const more = splitLabelledFolder(join(root, 'src'), join(root, 'out2'), 5);
    assert.deepEqual(list(more.gallery)('ann'), ['1.jpg', '2.jpg']);
    const held = splitLabelledFolder(join(root, 'src'), join(root, 'out3'), 1, 2);
    assert.deepEqual(list(held.gallery)('bob'), []); // second person with several photos
    assert.deepEqual(list(held.probes)('bob'), ['a.png', 'b.png']);
    assert.equal(held.unknownPeople, 2);
  });
});
