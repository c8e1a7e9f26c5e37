import { type AdminIndexVersion, type IndexBuildReport } from '@stash-sense/contracts';
import { useId, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { adminApi } from '../api/endpoints';
import { useSession } from '../api/session';
import { useApi } from '../api/use-api';
import { ChartFigure, COLORS } from '../components/charts';
import { ConfirmAction } from '../components/confirm-action';
import { Pager, useCursor, useFilters } from '../components/pager';
import { FilterInput } from '../components/filter-input';
import { Load } from '../components/states';
import { ListTable } from '../components/list-table';
import { bytes, num, person, when } from '../format';

const BUCKETS = ['1', '2-3', '4-5', '6-10', '11+'] as const;

function BuildNow({ onDone }: { onDone(): void }) {
  const [model, setModel] = useState('');
  const [full, setFull] = useState(false);
  const modelId = useId();
  const fullId = useId();
  return (
    <ConfirmAction
      label="Build now"
      title="Build an index now?"
      confirmLabel="Queue the build"
      fields={
        <>
          <div className="field">
            <label htmlFor={modelId}>Embedding model (empty: every active model)</label>
            <input id={modelId} value={model} onChange={(e) => setModel(e.target.value)} />
          </div>
          <div className="field checkbox">
            <input id={fullId} type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} />
            <label htmlFor={fullId}>Full rebuild (instead of incremental from the latest version)</label>
          </div>
        </>
      }
      onConfirm={async () => {
        const r = await adminApi.indexes.build({ model: model.trim() || undefined, full });
        return `Build queued for ${r.builds.map((b) => b.model.name).join(', ') || 'no model'}; the worker runs it (see Builds). Written to the audit log.`;
      }}
      onDone={onDone}
    >
      A worker builds, signs and publishes a new version from the trusted faces when anything changed.
    </ConfirmAction>
  );
}

function Diff({ v }: { v: AdminIndexVersion }) {
  if (!v.build) return <p className="muted">No build report for this version.</p>;
  const rows = BUCKETS.map((b) => ({
    bucket: b,
    performers: v.build!.buckets[b],
    percent: v.build!.bucketPercent[b],
  }));
  const ch = v.build.changes;
  return (
    <div className="grid-2">
      <div>
        <h3>Diff from {v.parentVersion ?? 'nothing (first version)'}</h3>
        <dl className="stats compact">
          <div className="stat">
            <dt>Faces added</dt>
            <dd>{num(ch.facesAdded)}</dd>
          </div>
          <div className="stat">
            <dt>Faces removed</dt>
            <dd>{num(ch.facesRemoved)}</dd>
          </div>
          <div className="stat">
            <dt>Performers added</dt>
            <dd>{num(ch.performersAdded)}</dd>
          </div>
          <div className="stat">
            <dt>Performers removed</dt>
            <dd>{num(ch.performersRemoved)}</dd>
          </div>
          <div className="stat">
            <dt>Performers changed</dt>
            <dd>{num(ch.performersChanged)}</dd>
          </div>
        </dl>
        <p className="muted">
          {v.build.full ? 'Full build' : 'Incremental build'}
          {v.build.durationMs !== null && ` in ${(v.build.durationMs / 1000).toFixed(1)} s`}, requested by{' '}
          {v.build.requestedBy ? person(v.build.requestedBy) : 'the schedule'}.
        </p>
      </div>
      <ChartFigure
        title={`Performers by faces in ${v.version}`}
        table={{
          columns: ['Faces per performer', 'Performers', '%'],
          rows: rows.map((r) => [r.bucket, r.performers, r.percent]),
        }}
      >
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="bucket" />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Bar dataKey="performers" name="Performers" fill={COLORS.primary} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartFigure>
    </div>
  );
}

function VersionActions({ v, isAdmin, onDone }: { v: AdminIndexVersion; isAdmin: boolean; onDone(): void }) {
  if (v.status === 'published')
    return (
      <ConfirmAction
        label={v.latest ? 'Withdraw (roll back)' : 'Withdraw'}
        title={`Withdraw ${v.version}?`}
        danger
        reason="required"
        disabled={!isAdmin}
        onConfirm={async (reason) => {
          const r = await adminApi.indexes.withdraw(v.version, reason ?? '');
          return `${r.version} is ${r.status}${v.latest ? ': latest falls back to the previous published version, if any' : ''}. Written to the audit log.`;
        }}
        onDone={onDone}
      >
        Clients stop receiving this version{v.latest ? ' and roll back to the previous published one' : ''}.
      </ConfirmAction>
    );
  return (
    <ConfirmAction
      label="Publish again"
      title={`Publish ${v.version} again?`}
      reason="optional"
      disabled={!isAdmin}
      onConfirm={async (reason) => {
        const r = await adminApi.indexes.publish(v.version, reason);
        return `${r.version} is ${r.status} again. Written to the audit log.`;
      }}
      onDone={onDone}
    >
      The withdrawn version is served again. Refused when a newer version of the same model exists (builds
      after it may have reused its face ids).
    </ConfirmAction>
  );
}

function Builds({ builds }: { builds: IndexBuildReport[] }) {
  return (
    <table className="list">
      <caption>Recent builds</caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Status</th>
          <th scope="col">Version</th>
          <th scope="col">Performers</th>
          <th scope="col">Faces</th>
          <th scope="col">Finished</th>
        </tr>
      </thead>
      <tbody>
        {builds.slice(0, 10).map((b) => (
          <tr key={b.id}>
            <td>{b.model.name}</td>
            <td>
              <span className={`badge badge-${b.status}`}>{b.status}</span>
              {b.error && <div className="muted">{b.error}</div>}
            </td>
            <td>{b.version ?? '—'}</td>
            <td className="num">{num(b.performers)}</td>
            <td className="num">{num(b.faces)}</td>
            <td>{when(b.finishedAt)}</td>
          </tr>
        ))}
        {builds.length === 0 && (
          <tr>
            <td colSpan={6}>No build yet.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function IndexesPage() {
  const { session } = useSession();
  const isAdmin = session?.user.role === 'admin';
  const { values, set } = useFilters(['model', 'version'] as const);
  const paging = useCursor();
  const query = { model: values.model || undefined, cursor: paging.cursor, limit: 25 };
  const versions = useApi(() => adminApi.indexes.list(query), JSON.stringify(query));
  // Build reports are for admins only (docs/admin-api.md).
  const builds = useApi(
    () => (isAdmin ? adminApi.indexes.builds() : Promise.resolve(null)),
    isAdmin ? 'builds' : 'no-builds',
  );
  const reload = () => {
    versions.reload();
    builds.reload();
  };
  return (
    <section aria-labelledby="indexes-title">
      <div className="page-head">
        <h1 id="indexes-title">Indexes</h1>
        {isAdmin ? (
          <BuildNow onDone={reload} />
        ) : (
          <span className="muted">Builds and withdrawals: admins only.</span>
        )}
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {isAdmin && (
        <Load result={builds} what="index builds">
          {(b) => b && <Builds builds={b.builds} />}
        </Load>
      )}
      <h2>Versions</h2>
      <div className="filters">
        <FilterInput
          key={`model:${values.model}`}
          label="Model"
          placeholder="any"
          value={values.model}
          onCommit={(v) => set('model', v)}
        />
      </div>
      <Load result={versions} what="index versions">
        {(page) => {
          const shown = page.items.find((v) => v.version === values.version) ?? page.items[0];
          return (
            <>
              <ListTable
                headers={[
                  'Version',
                  'Model',
                  'Status',
                  'Performers',
                  'Faces',
                  'Size',
                  'Published',
                  'Actions',
                ]}
                empty="No version published yet."
              >
                {page.items.map((v) => (
                  <tr key={v.version} aria-current={shown?.version === v.version ? 'true' : undefined}>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        aria-pressed={shown?.version === v.version}
                        onClick={() => set('version', v.version)}
                      >
                        {v.version}
                      </button>
                      {v.latest && <span className="badge badge-ok">latest</span>}
                    </td>
                    <td>{v.model.name}</td>
                    <td>
                      <span className={`badge badge-${v.status}`}>{v.status}</span>
                      {v.withdrawnReason && (
                        <div className="muted">
                          {v.withdrawnReason}
                          {v.withdrawnBy && ` (${v.withdrawnBy.email})`}
                        </div>
                      )}
                    </td>
                    <td className="num">{num(v.counts.performers)}</td>
                    <td className="num">{num(v.counts.faces)}</td>
                    <td className="num">{bytes(v.sizeBytes)}</td>
                    <td>{when(v.createdAt)}</td>
                    <td>
                      <VersionActions v={v} isAdmin={isAdmin} onDone={reload} />
                    </td>
                  </tr>
                ))}
              </ListTable>
              <Pager paging={paging} nextCursor={page.nextCursor} count={page.items.length} />
              {shown && (
                <section aria-labelledby="version-detail">
                  <h2 id="version-detail">{shown.version}: face-count buckets and diff</h2>
                  <Diff v={shown} />
                </section>
              )}
            </>
          );
        }}
      </Load>
    </section>
  );
}
