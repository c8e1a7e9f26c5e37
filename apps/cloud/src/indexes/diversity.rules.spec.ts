import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mostCentral, selectDiverse } from './diversity.rules.js';

const unit = (...xs: number[]) => {
  const v = Float32Array.from(xs);
  const norm = Math.hypot(...xs);
  return v.map((x) => x / norm);
};

describe('selectDiverse (farthest-point sampling)', () => {
  test('keeps every face when there are no more than the cap', () => {
    const vs = [unit(1, 0), unit(0, 1)];
    assert.deepEqual(selectDiverse(vs, 2), [0, 1]);
    assert.deepEqual(selectDiverse(vs, 5, [1]), [1, 0]);
  });

  test('picks the central face, then the farthest ones, not the near-duplicates', () => {
    // Five near-duplicates around (1,0,0), one face at (0,1,0), one at (0,0,1).
    const dupes = [0, 0.01, 0.02, -0.01, -0.02].map((e) => unit(1, e, 0.05));
    const vs = [...dupes, unit(0, 1, 0), unit(0, 0, 1)];
    const chosen = selectDiverse(vs, 3);
    assert.equal(chosen.length, 3);
    assert.equal(chosen[0], mostCentral(vs));
    assert.ok(dupes.includes(vs[chosen[0]!]!), 'the first pick is one of the many near-duplicates');
    assert.deepEqual(new Set(chosen.slice(1)), new Set([5, 6]), 'then the two outliers');
  });

  test('seeds are kept first (incremental builds keep the faces already published)', () => {
    const vs = [unit(1, 0, 0), unit(0.99, 0.1, 0), unit(0, 1, 0), unit(0, 0, 1)];
    const chosen = selectDiverse(vs, 2, [1]);
    assert.equal(chosen[0], 1);
    assert.equal(chosen.length, 2);
    assert.ok(chosen[1] === 2 || chosen[1] === 3);
    // More seeds than the cap: only the first `max` survive.
    assert.deepEqual(selectDiverse(vs, 2, [3, 2, 1]), [3, 2]);
  });

  test('is deterministic and never returns duplicates', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const vs = Array.from({ length: 200 }, () => unit(...Array.from({ length: 16 }, random)));
    const a = selectDiverse(vs, 20);
    assert.deepEqual(a, selectDiverse(vs, 20));
    assert.equal(new Set(a).size, 20);
  });

  test('the chosen faces cover the set better than the first faces do', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const vs = Array.from({ length: 300 }, () => unit(...Array.from({ length: 8 }, random)));
    const coverage = (chosen: number[]) =>
      Math.max(
        ...vs.map((v) => Math.min(...chosen.map((c) => 1 - v.reduce((s, x, i) => s + x * vs[c]![i]!, 0)))),
      );
    const diverse = selectDiverse(vs, 10);
    const firstTen = [...Array(10).keys()];
    assert.ok(coverage(diverse) < coverage(firstTen));
  });

  test('refuses a cap below 1', () => {
    assert.throws(() => selectDiverse([unit(1, 0)], 0), RangeError);
  });
});
