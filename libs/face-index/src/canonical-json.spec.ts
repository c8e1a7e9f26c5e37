import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.js';

test('keys are sorted at every depth and whitespace is dropped', () => {
  const a = canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } });
  assert.equal(a, '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
});

test('the same data in another key order gives the same bytes', () => {
  assert.equal(canonicalJson({ x: 1, y: [1, 2] }), canonicalJson({ y: [1, 2], x: 1 }));
});

test('keys sort by UTF-16 code units, strings escape like JSON.stringify', () => {
  assert.equal(canonicalJson({ é: 1, Z: 2, a: 3 }), '{"Z":2,"a":3,"é":1}');
  assert.equal(canonicalJson('line\nbreak "q"'), '"line\\nbreak \\"q\\""');
});

test('undefined members are left out, like JSON.stringify', () => {
  assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
});

test('values JSON cannot hold are refused with their path', () => {
  assert.throws(() => canonicalJson({ a: [1, NaN] }), /NaN at \$\.a\[1\]/);
  assert.throws(() => canonicalJson({ when: new Date(0) }), /plain objects only; found Date at \$\.when/);
  assert.throws(() => canonicalJson({ n: 1n }), /bigint/);
});
