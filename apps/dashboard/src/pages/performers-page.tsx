import { Link } from 'react-router';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { Pager, useCursor, useFilters } from '../components/pager';
import { SearchBox } from '../components/search-box';
import { Load } from '../components/states';
import { SelectFilter } from '../components/select-filter';
import { ListTable } from '../components/list-table';
import { num, words } from '../format';

const STATES = ['established', 'awaiting_agreement', 'conflict'] as const;

export function PerformersPage() {
  const { values, set } = useFilters(['query', 'state'] as const);
  const paging = useCursor();
  const query = {
    query: values.query || undefined,
    state: (STATES as readonly string[]).includes(values.state)
      ? (values.state as (typeof STATES)[number])
      : undefined,
    cursor: paging.cursor,
    limit: 50,
  };
  const result = useApi(() => adminApi.performers.list(query), JSON.stringify(query));
  return (
    <section aria-labelledby="performers-title">
      <div className="page-head">
        <h1 id="performers-title">Performers</h1>
      </div>
      <div className="filters">
        <SearchBox
          key={values.query}
          label="Name or stash-box id"
          value={values.query}
          onSearch={(v) => set('query', v)}
        />
        <SelectFilter
          label="Consensus"
          value={values.state}
          options={STATES}
          show={words}
          onChange={(v) => set('state', v)}
        />
      </div>
      <Load result={result} what="performers">
        {(page) => (
          <>
            <ListTable
              headers={['Name', 'Stash-box ids', 'Consensus', 'Trusted faces']}
              empty="No performer matches."
            >
              {page.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/performers/${p.id}`}>{p.name}</Link>
                    {p.disambiguation && <span className="muted"> ({p.disambiguation})</span>}
                  </td>
                  <td>{p.stashIds.map((s) => s.endpoint.name).join(', ')}</td>
                  <td>{p.consensusState ? words(p.consensusState) : '—'}</td>
                  <td className="num">{num(p.trustedFaces)}</td>
                </tr>
              ))}
            </ListTable>
            <Pager paging={paging} nextCursor={page.nextCursor} count={page.items.length} />
          </>
        )}
      </Load>
    </section>
  );
}
