import { type AdminContributorDetail, ContributionStatusSchema } from '@stash-sense/contracts';
import { Link, useParams } from 'react-router';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { adminApi } from '../api/endpoints';
import { useSession } from '../api/session';
import { useApi } from '../api/use-api';
import { ChartFigure, COLORS, Stat } from '../components/charts';
import { ConfirmAction } from '../components/confirm-action';
import { Pager, useCursor, useFilters } from '../components/pager';
import { Load } from '../components/states';
import { SelectFilter } from '../components/select-filter';
import { ListTable } from '../components/list-table';
import { num, pct, when, words } from '../format';

export function ContributorPage() {
  const { id = '' } = useParams();
  const result = useApi(() => adminApi.contributors.get(id), id);
  return (
    <section aria-labelledby="contributor-title">
      <p>
        <Link to="/contributors">← Contributors</Link>
      </p>
      <Load result={result} what="this contributor">
        {(c) => <ContributorView c={c} reload={result.reload} />}
      </Load>
    </section>
  );
}

function ContributorView({ c, reload }: { c: AdminContributorDetail; reload(): void }) {
  const { session } = useSession();
  const isAdmin = session?.user.role === 'admin';
  const adminOnly = isAdmin ? undefined : 'admins only';
  const act = async (action: 'suspend' | 'ban' | 'reinstate', reason?: string) => {
    const r = await adminApi.contributors.act(c.id, action, reason);
    return `${r.contributor.email}: ${r.previousStatus} → ${r.contributor.status}. Written to the audit log.`;
  };
  return (
    <>
      <div className="page-head">
        <h1 id="contributor-title">
          {c.email} <span className={`badge badge-${c.status}`}>{c.status}</span>
        </h1>
        {c.openModerationItems > 0 && (
          <Link to={`/moderation?contributor=${c.id}`} className="badge badge-warn">
            {c.openModerationItems} open moderation item(s)
          </Link>
        )}
      </div>
      <dl className="stats">
        <Stat
          label="Reputation"
          value={pct(c.reputation)}
          hint={c.reputationFlagged ? ' flagged' : undefined}
        />
        <Stat
          label="Agreement rate"
          value={pct(c.agreementRate)}
          hint={` ${c.trustedFaces} trusted / ${c.disagreedFaces} disagreed`}
        />
        <Stat
          label="Moderator decisions"
          value={`${c.moderatorApproved} approved`}
          hint={` · ${c.moderatorRejected} rejected`}
        />
        <Stat
          label="Faces"
          value={num(c.faces.trusted + c.faces.pending + c.faces.rejected)}
          hint={` ${c.faces.trusted} trusted · ${c.faces.pending} pending · ${c.faces.rejected} rejected`}
        />
        <Stat label="Role" value={c.role} />
        <Stat label="Account since" value={when(c.createdAt)} />
        <Stat label="Last contribution" value={when(c.lastContributionAt)} />
      </dl>
      {c.reputationReason && <p className="muted">Reputation: {c.reputationReason}</p>}
      {c.statusChangedAt && <p className="muted">Status changed {when(c.statusChangedAt)}.</p>}

      <section className="actions" aria-labelledby="contributor-actions">
        <h2 id="contributor-actions">Account actions</h2>
        <div className="button-row">
          {c.status === 'active' ? (
            <ConfirmAction
              label="Suspend"
              title={`Suspend ${c.email}?`}
              reason="optional"
              onConfirm={(reason) => act('suspend', reason)}
              onDone={reload}
            >
              The account can no longer sign in or contribute until reinstated. Its contributions stay.
            </ConfirmAction>
          ) : (
            <ConfirmAction
              label="Reinstate"
              title={`Reinstate ${c.email}?`}
              reason="optional"
              disabled={c.status === 'banned' && !isAdmin}
              onConfirm={(reason) => act('reinstate', reason)}
              onDone={reload}
            >
              The account becomes active again.
            </ConfirmAction>
          )}
          <ConfirmAction
            label={adminOnly ? 'Ban (admins only)' : 'Ban'}
            title={`Ban ${c.email}?`}
            danger
            reason="optional"
            disabled={!isAdmin || c.status === 'banned'}
            onConfirm={(reason) => act('ban', reason)}
            onDone={reload}
          >
            The account is banned: no sign-in, its API keys stop working, and its faces stop counting in
            consensus.
          </ConfirmAction>
          <ConfirmAction
            label={adminOnly ? 'Purge contributions (admins only)' : 'Purge all contributions'}
            title={`Purge every contribution of ${c.email}?`}
            danger
            reason="required"
            disabled={!isAdmin}
            onConfirm={async (reason) => {
              const r = await adminApi.contributors.purge(c.id, reason ?? '');
              return `Purged: ${r.withdrawnContributions} contribution(s) withdrawn, ${r.deletedFaces} face(s) deleted, ${r.performersRequeued} performer(s) queued for consensus. ${r.effective}`;
            }}
            onDone={reload}
          >
            Every contribution is withdrawn and its faces deleted; the next index build leaves them out. This
            cannot be undone.
          </ConfirmAction>
        </div>
      </section>

      <ChartFigure
        title="Contributions per day"
        table={{
          columns: ['Day', 'Contributions', 'Faces'],
          rows: c.contributionsPerDay.map((d) => [d.day, d.contributions, d.faces]),
        }}
      >
        <ResponsiveContainer width="100%" height={180}>
          <BarChart data={c.contributionsPerDay} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Bar
              dataKey="contributions"
              name="Contributions"
              fill={COLORS.primary}
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
      </ChartFigure>

      <section aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <ListTable
          className={null}
          headers={['Name', 'Prefix', 'Scopes', 'Created', 'Last used', 'State']}
          empty="No API key."
        >
          {c.apiKeys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td className="mono">{k.prefix}…</td>
              <td>{k.scopes.join(', ')}</td>
              <td>{when(k.createdAt)}</td>
              <td>{when(k.lastUsedAt)}</td>
              <td>
                {k.revokedAt ? (
                  `revoked ${when(k.revokedAt)}`
                ) : (
                  <ConfirmAction
                    label={adminOnly ? 'Revoke (admins only)' : 'Revoke'}
                    title={`Revoke the key ${k.name} (${k.prefix}…)?`}
                    danger
                    disabled={!isAdmin}
                    onConfirm={async () => {
                      const r = await adminApi.contributors.revokeKey(k.id);
                      return `Key ${r.name} (${r.prefix}…) revoked ${when(r.revokedAt)}. Written to the audit log.`;
                    }}
                    onDone={reload}
                  >
                    Programs using this key are refused from now on.
                  </ConfirmAction>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      </section>

      <History userId={c.id} byStatus={c.contributionsByStatus} />
    </>
  );
}

function History({ userId, byStatus }: { userId: string; byStatus: Record<string, number> }) {
  const { values, set } = useFilters(['status'] as const);
  const paging = useCursor();
  const query = { status: (values.status || undefined) as never, cursor: paging.cursor, limit: 50 };
  const result = useApi(
    () => adminApi.contributors.contributions(userId, query),
    `${userId}${JSON.stringify(query)}`,
  );
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <p className="muted">
        {Object.entries(byStatus)
          .map(([s, n]) => `${words(s)}: ${n}`)
          .join(' · ') || 'No contribution yet.'}
      </p>
      <div className="filters">
        <SelectFilter
          label="Status"
          value={values.status}
          options={ContributionStatusSchema.options}
          show={words}
          onChange={(v) => set('status', v)}
        />
      </div>
      <Load result={result} what="the contribution history">
        {(page) => (
          <>
            <ListTable
              headers={['When', 'Performer', 'Scene', 'Status', 'Faces (trusted / pending / rejected)']}
              empty="No contribution matches."
            >
              {page.items.map((h) => (
                <tr key={h.id}>
                  <td>{when(h.createdAt)}</td>
                  <td>
                    <Link to={`/performers/${h.performer.id}`}>{h.performer.name}</Link>
                  </td>
                  <td>
                    <a href={h.scene.url} target="_blank" rel="noreferrer noopener">
                      {h.scene.title ?? h.scene.stashId}
                    </a>{' '}
                    <span className="muted">{h.scene.endpoint.name}</span>
                  </td>
                  <td>
                    {words(h.status)}
                    {h.statusReason && <div className="muted">{h.statusReason}</div>}
                  </td>
                  <td className="num">
                    {h.faces.trusted} / {h.faces.pending} / {h.faces.rejected}
                  </td>
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
