import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns to the widest cell and trims trailing spaces', () => {
    const text = renderTable(
      ['face', 'name'],
      [
        ['0', 'Ann'],
        ['12', 'Bérénice Zoë'],
      ],
    );
    assert.equal(text, ['  face  name', '  0     Ann', '  12    Bérénice Zoë'].join('\n'));
  });

  it('renders a header alone when there are no rows', () => {
    assert.equal(renderTable(['a', 'b'], [], ''), 'a  b');
  });
});
