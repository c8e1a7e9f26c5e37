import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceIndexError } from './errors.js';
import { LazyPerformerMap, serializePerformer } from './performers-file.js';

const lines = (records: object[]) => Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
const performer = (id: number, extra: object = {}) => ({
  id,
  name: `P${id}`,
  stashIds: [],
  faceCount: 1,
  ...extra,
});

test('serializePerformer puts id first and leaves absent options out', () => {
  const line = serializePerformer({
    name: 'A',
    faceCount: 2,
    stashIds: [{ stashId: 'x', endpoint: 'https://stashdb.org/graphql' }],
    id: 9,
    country: 'FR',
  });
  assert.equal(
    line,
    '{"id":9,"name":"A","stashIds":[{"endpoint":"https://stashdb.org/graphql","stashId":"x"}],"faceCount":2,"country":"FR"}',
  );
});

test('get, has, size and ordered iteration', () => {
  const map = new LazyPerformerMap(
    Buffer.from([1, 5, 70].map((id) => serializePerformer(performer(id))).join('\n')),
    'dir',
  );
  assert.equal(map.size, 3);
  assert.equal(map.get(5)?.name, 'P5');
  assert.equal(map.has(6), false);
  assert.equal(map.get(6), undefined);
  assert.deepEqual([...map.keys()], [1, 5, 70]);
  assert.deepEqual(
    [...map.values()].map((p) => p.id),
    [1, 5, 70],
  );
  assert.equal(map.get(5), map.get(5)); // parsed once, then cached
  assert.throws(() => ((map.get(5) as { name: string }).name = 'x'), TypeError);
});

test('lines whose id is not first still work (any JSON writer)', () => {
  const map = new LazyPerformerMap(lines([{ name: 'N', id: 3, stashIds: [], faceCount: 0 }]), 'dir');
  assert.equal(map.get(3)?.name, 'N');
});

test('damaged files are reported with the line and what is wrong', () => {
  const error = (text: Buffer, message: RegExp) =>
    assert.throws(
      () => [...new LazyPerformerMap(text, 'idx').values()],
      (e: unknown) => e instanceof FaceIndexError && e.code === 'data_invalid' && message.test(e.message),
    );
  error(
    lines([performer(2), performer(1)]),
    /line 2: performer ids must be unique and ascending; 1 follows 2/,
  );
  error(lines([performer(1), performer(1)]), /unique and ascending/);
  error(Buffer.from('{"id":1,"name":\n'), /line 1: .*not valid JSON|performer 1 is not valid JSON/);
  error(Buffer.from('not json\n'), /line 1: not valid JSON/);
  error(lines([{ name: 'no id' }]), /needs an integer "id"/);
  error(lines([performer(4, { stashIds: 'x' })]), /performer 4 does not fit the schema \(stashIds/);
  error(lines([performer(4, { unknown: true })]), /performer 4 does not fit the schema/);
});
