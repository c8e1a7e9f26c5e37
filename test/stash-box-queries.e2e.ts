import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, validate } from 'graphql';
import { STASH_BOX_DOCUMENTS } from '../apps/cloud/src/stash-box/stash-box.queries.js';
import { loadSchema } from './support/graphql-schemas.js';

test('every GraphQL document the cloud sends validates against the real stash-box schema', () => {
  const schema = loadSchema('stash-box');
  const names = Object.keys(STASH_BOX_DOCUMENTS);
  assert.ok(names.length > 0);
  for (const [name, document] of Object.entries(STASH_BOX_DOCUMENTS)) {
    const errors = validate(schema, parse(document));
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      name,
    );
  }
});

test('the schema check is real: a field stash-box does not have is refused', () => {
  const errors = validate(
    loadSchema('stash-box'),
    parse('query { findScene(id: "x") { id no_such_field } }'),
  );
  assert.equal(errors.length, 1);
});
