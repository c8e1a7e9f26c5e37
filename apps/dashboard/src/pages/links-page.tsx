import { IdentityLinkStatusSchema } from '@stash-sense/contracts';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { LinkRow } from '../components/link-row';
import { Pager, useCursor, useFilters } from '../components/pager';
import { Load } from '../components/states';
import { ListTable } from '../components/list-table';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Identity links across stash-boxes suggested by consensus, nearest first. */
export function LinksPage() {
  const { values, set } = useFilters(['status', 'performer'] as const);
  const paging = useCursor();
  const status = (values.status || 'open') as 'open' | 'accepted' | 'declined';
  const query = {
    status,
    performer: UUID.test(values.performer) ? values.performer : undefined,
    cursor: paging.cursor,
    limit: 50,
  };
  const result = useApi(() => adminApi.links.list(query), JSON.stringify(query));
  return (
    <section aria-labelledby="links-title">
      <div className="page-head">
        <h1 id="links-title">Identity links</h1>
        <button type="button" onClick={result.reload}>
          Refresh
        </button>
      </div>
      <p className="muted">
        Performers on different stash-boxes whose trusted faces nearly coincide: accept to join them into one
        identity, decline when they are different people.
      </p>
      <form
        className="filters"
        role="search"
        aria-label="Filter the suggestions"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Status
          <select value={status} onChange={(e) => set('status', e.target.value)}>
            {IdentityLinkStatusSchema.options.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Performer id
          <input
            value={values.performer}
            placeholder="uuid"
            size={38}
            aria-invalid={values.performer !== '' && !UUID.test(values.performer)}
            onChange={(e) => set('performer', e.target.value.trim())}
          />
        </label>
      </form>
      <Load result={result} what="link suggestions">
        {(page) => (
          <>
            <ListTable
              headers={['Performer', 'Performer', 'Centroid distance', 'Model', 'Status', 'Decision']}
              empty={`No ${status} suggestion.`}
            >
              {page.items.map((l) => (
                <LinkRow key={l.id} link={l} onDone={result.reload} />
              ))}
            </ListTable>
            <Pager paging={paging} nextCursor={page.nextCursor} count={page.items.length} />
          </>
        )}
      </Load>
    </section>
  );
}
