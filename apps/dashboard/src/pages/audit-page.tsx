import { type AuditEntry } from '@stash-sense/contracts';
import { Link } from 'react-router';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { Pager, useCursor, useFilters } from '../components/pager';
import { FilterInput } from '../components/filter-input';
import { Load } from '../components/states';
import { ListTable } from '../components/list-table';
import { person, when } from '../format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** <input type="datetime-local"> value (read as UTC) → ISO time. */
const iso = (local: string) => (local ? new Date(`${local}:00Z`).toISOString() : undefined);

function Target({ e }: { e: AuditEntry }) {
  const id = e.targetId;
  if (!id) return <>{e.targetType}</>;
  const to =
    e.targetType === 'user'
      ? `/contributors/${id}`
      : e.targetType === 'performer'
        ? `/performers/${id}`
        : e.targetType === 'moderation_item'
          ? `/moderation/${id}`
          : e.targetType === 'index_version'
            ? `/indexes?version=${encodeURIComponent(id)}`
            : null;
  return (
    <>
      {e.targetType} {to ? <Link to={to}>{id}</Link> : <span className="mono">{id}</span>}
    </>
  );
}

export function AuditPage() {
  const { values, set } = useFilters(['actor', 'action', 'targetType', 'targetId', 'from', 'to'] as const);
  const paging = useCursor();
  const query = {
    actor: UUID.test(values.actor) ? values.actor : undefined,
    action: values.action || undefined,
    targetType: values.targetType || undefined,
    targetId: values.targetId || undefined,
    from: iso(values.from),
    to: iso(values.to),
    cursor: paging.cursor,
    limit: 50,
  };
  const result = useApi(() => adminApi.audit(query), JSON.stringify(query));
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" onClick={result.reload}>
          Refresh
        </button>
      </div>
      <form
        className="filters"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(e) => e.preventDefault()}
      >
        <FilterInput
          key={`action:${values.action}`}
          label="Action (or prefix ending in .)"
          placeholder="moderation."
          value={values.action}
          onCommit={(v) => set('action', v)}
        />
        <FilterInput
          key={`actor:${values.actor}`}
          label="Actor id"
          placeholder="uuid"
          size={38}
          value={values.actor}
          valid={(v) => UUID.test(v)}
          onCommit={(v) => set('actor', v)}
        />
        <FilterInput
          key={`targetType:${values.targetType}`}
          label="Target type"
          placeholder="user"
          value={values.targetType}
          onCommit={(v) => set('targetType', v)}
        />
        <FilterInput
          key={`targetId:${values.targetId}`}
          label="Target id"
          value={values.targetId}
          onCommit={(v) => set('targetId', v)}
        />
        <label>
          From (UTC)
          <input type="datetime-local" value={values.from} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label>
          To (UTC)
          <input type="datetime-local" value={values.to} onChange={(e) => set('to', e.target.value)} />
        </label>
      </form>
      <Load result={result} what="the audit log">
        {(page) => (
          <>
            <ListTable
              headers={['When', 'Who', 'Action', 'Target', 'Details', 'IP']}
              empty="No entry matches."
            >
              {page.items.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.createdAt)}</td>
                  <td>
                    {e.actor ? (
                      <button type="button" className="link-button" onClick={() => set('actor', e.actor!.id)}>
                        {person(e.actor)}
                      </button>
                    ) : (
                      'system'
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      title="Show only this action"
                      onClick={() => set('action', e.action)}
                    >
                      {e.action}
                    </button>
                  </td>
                  <td>
                    <Target e={e} />
                  </td>
                  <td>
                    {Object.keys(e.details).length > 0 ? (
                      <details>
                        <summary>{Object.keys(e.details).slice(0, 3).join(', ')}</summary>
                        <pre>{JSON.stringify(e.details, null, 2)}</pre>
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="mono">{e.ip ?? '—'}</td>
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
