import { ModerationKindSchema, ModerationStatusSchema } from '@stash-sense/contracts';
import { Link } from 'react-router';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { Pager, useCursor, useFilters } from '../components/pager';
import { Load } from '../components/states';
import { SelectFilter } from '../components/select-filter';
import { when, words } from '../format';

const FILTERS = ['status', 'kind', 'performer', 'contributor'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function ModerationPage() {
  const { values, set } = useFilters(FILTERS);
  const paging = useCursor();
  const status = (values.status || 'open') as 'open' | 'resolved' | 'dismissed';
  const query = {
    status,
    kind: (values.kind || undefined) as never,
    performer: UUID.test(values.performer) ? values.performer : undefined,
    contributor: UUID.test(values.contributor) ? values.contributor : undefined,
    cursor: paging.cursor,
    limit: 50,
  };
  const result = useApi(() => adminApi.moderation.list(query), JSON.stringify(query));
  return (
    <section aria-labelledby="moderation-title">
      <div className="page-head">
        <h1 id="moderation-title">Moderation queue</h1>
        <button type="button" onClick={result.reload}>
          Refresh
        </button>
      </div>
      <form
        className="filters"
        role="search"
        aria-label="Filter the queue"
        onSubmit={(e) => e.preventDefault()}
      >
        <SelectFilter
          label="Status"
          value={status}
          options={ModerationStatusSchema.options}
          anyLabel={null}
          onChange={(v) => set('status', v)}
        />
        <SelectFilter
          label="Kind"
          value={values.kind}
          options={ModerationKindSchema.options}
          show={words}
          onChange={(v) => set('kind', v)}
        />
        <label>
          Performer id
          <input
            value={values.performer}
            placeholder="uuid"
            size={38}
            onChange={(e) => set('performer', e.target.value.trim())}
            aria-invalid={values.performer !== '' && !UUID.test(values.performer)}
          />
        </label>
        <label>
          Contributor id
          <input
            value={values.contributor}
            placeholder="uuid"
            size={38}
            onChange={(e) => set('contributor', e.target.value.trim())}
            aria-invalid={values.contributor !== '' && !UUID.test(values.contributor)}
          />
        </label>
      </form>
      <Load result={result} what="the moderation queue">
        {(page) => (
          <>
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Summary</th>
                  <th scope="col">Performers</th>
                  <th scope="col">Contributions</th>
                  <th scope="col">Contributors</th>
                  <th scope="col">Scenes</th>
                  <th scope="col">Model</th>
                  <th scope="col">{status === 'open' ? 'Since' : 'Closed'}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((item) => (
                  <tr key={item.id}>
                    <td>
                      {words(item.kind)}
                      {item.blocking && <span className="badge badge-warn">blocking</span>}
                    </td>
                    <td>
                      <Link to={`/moderation/${item.id}`}>{item.summary}</Link>
                      {item.resolution && <div className="muted">{item.resolution}</div>}
                    </td>
                    <td>
                      {item.performers.map((p, i) => (
                        <span key={p.id}>
                          {i > 0 && ', '}
                          <Link to={`/performers/${p.id}`}>{p.name}</Link>
                        </span>
                      ))}
                    </td>
                    <td className="num">{item.contributionCount}</td>
                    <td className="num">{item.contributorCount}</td>
                    <td className="num">{item.sceneCount}</td>
                    <td>{item.model.name}</td>
                    <td>{when(status === 'open' ? item.createdAt : item.resolvedAt)}</td>
                  </tr>
                ))}
                {page.items.length === 0 && (
                  <tr>
                    <td colSpan={8}>No {status} items match.</td>
                  </tr>
                )}
              </tbody>
            </table>
            <Pager paging={paging} nextCursor={page.nextCursor} count={page.items.length} />
          </>
        )}
      </Load>
    </section>
  );
}
