import { UserRoleSchema, UserStatusSchema } from '@stash-sense/contracts';
import { Link } from 'react-router';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { Pager, useCursor, useFilters } from '../components/pager';
import { SearchBox } from '../components/search-box';
import { Load } from '../components/states';
import { SelectFilter } from '../components/select-filter';
import { ListTable } from '../components/list-table';
import { num, pct, when } from '../format';

export function ContributorsPage() {
  const { values, set } = useFilters(['query', 'status', 'role', 'flagged'] as const);
  const paging = useCursor();
  const query = {
    query: values.query || undefined,
    status: (values.status || undefined) as never,
    role: (values.role || undefined) as never,
    flagged: (values.flagged || undefined) as 'true' | 'false' | undefined,
    cursor: paging.cursor,
    limit: 50,
  };
  const result = useApi(() => adminApi.contributors.list(query), JSON.stringify(query));
  return (
    <section aria-labelledby="contributors-title">
      <div className="page-head">
        <h1 id="contributors-title">Contributors</h1>
      </div>
      <div className="filters">
        <SearchBox
          key={values.query}
          label="E-mail or name"
          value={values.query}
          onSearch={(v) => set('query', v)}
        />
        <SelectFilter
          label="Status"
          value={values.status}
          options={UserStatusSchema.options}
          onChange={(v) => set('status', v)}
        />
        <SelectFilter
          label="Role"
          value={values.role}
          options={UserRoleSchema.options}
          onChange={(v) => set('role', v)}
        />
        <SelectFilter
          label="Reputation"
          value={values.flagged}
          options={['true', 'false'] as const}
          show={(v) => (v === 'true' ? 'flagged' : 'not flagged')}
          onChange={(v) => set('flagged', v)}
        />
      </div>
      <Load result={result} what="contributors">
        {(page) => (
          <>
            <ListTable
              headers={['Account', 'Role', 'Status', 'Reputation', 'Agreement', 'Trusted faces', 'Since']}
              empty="No account matches."
            >
              {page.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contributors/${c.id}`}>{c.email}</Link>
                    {c.displayName && <div className="muted">{c.displayName}</div>}
                  </td>
                  <td>{c.role}</td>
                  <td>
                    <span className={`badge badge-${c.status}`}>{c.status}</span>
                  </td>
                  <td className="num">
                    {pct(c.reputation)}
                    {c.reputationFlagged && <span className="badge badge-warn">flagged</span>}
                  </td>
                  <td className="num">{pct(c.agreementRate)}</td>
                  <td className="num">{num(c.trustedFaces)}</td>
                  <td>{when(c.createdAt)}</td>
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
