import { type AdminPerformerDetail } from '@stash-sense/contracts';
import { Link, useParams } from 'react-router';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { ChartFigure, COLORS, Stat } from '../components/charts';
import { LinkRow } from '../components/link-row';
import { Load } from '../components/states';
import { ListTable } from '../components/list-table';
import { num, pct, when, words } from '../format';

export function PerformerPage() {
  const { id = '' } = useParams();
  const result = useApi(() => adminApi.performers.get(id), id);
  return (
    <section aria-labelledby="performer-title">
      <p>
        <Link to="/performers">← Performers</Link>
      </p>
      <Load result={result} what="this performer">
        {(p) => <PerformerView p={p} reload={result.reload} />}
      </Load>
    </section>
  );
}

function PerformerView({ p, reload }: { p: AdminPerformerDetail; reload(): void }) {
  const h = p.distanceHistogram;
  const histogram = h.buckets.map((b) => ({
    range: `${b.from.toFixed(2)}–${b.to.toFixed(2)}`,
    count: b.count,
  }));
  return (
    <>
      <div className="page-head">
        <h1 id="performer-title">
          {p.name}
          {p.disambiguation && <span className="muted"> ({p.disambiguation})</span>}
        </h1>
        {p.openModerationItems > 0 && (
          <Link to={`/moderation?performer=${p.id}`} className="badge badge-warn">
            {p.openModerationItems} open moderation item(s)
          </Link>
        )}
      </div>
      <dl className="stats">
        <Stat label="Consensus" value={p.consensus ? words(p.consensus.state) : 'not decided'} />
        <Stat label="Trusted faces" value={num(p.faces.trusted)} />
        <Stat label="Pending faces" value={num(p.faces.pending)} />
        <Stat label="Rejected faces" value={num(p.faces.rejected)} />
        <Stat
          label="Contributors agreeing"
          value={p.consensus ? num(p.consensus.contributorsAgreeing) : '—'}
        />
        <Stat label="Model" value={p.model?.name ?? '—'} />
      </dl>
      {p.consensus && (
        <p className="muted">
          Decided {when(p.consensus.decidedAt)}: {p.consensus.reason} (weight {p.consensus.weight.toFixed(2)})
        </p>
      )}

      <section aria-labelledby="ids-title">
        <h2 id="ids-title">Identity: stash-box ids</h2>
        <ul>
          {p.stashIds.map((s) => (
            <li key={`${s.endpoint.key}:${s.stashId}`}>
              <a href={s.url} target="_blank" rel="noreferrer noopener">
                {s.endpoint.name}
              </a>{' '}
              <span className="mono">{s.stashId}</span>
            </li>
          ))}
          {p.externalUrls.map((u) => (
            <li key={u.url}>
              <a href={u.url} target="_blank" rel="noreferrer noopener">
                {u.site}
              </a>
            </li>
          ))}
        </ul>
      </section>

      <div className="grid-2">
        <ChartFigure
          title="Trusted faces over time (cumulative, by day contributed)"
          table={{ columns: ['Day', 'Trusted'], rows: p.trustedOverTime.map((d) => [d.day, d.trusted]) }}
        >
          <ResponsiveContainer width="100%" height={220}>
            <AreaChart data={p.trustedOverTime} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={24} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
              <Tooltip />
              <Area
                type="stepAfter"
                dataKey="trusted"
                name="Trusted faces"
                stroke={COLORS.trusted}
                fill={COLORS.trusted}
                fillOpacity={0.25}
                isAnimationActive={false}
              />
            </AreaChart>
          </ResponsiveContainer>
        </ChartFigure>
        {h.centroidAvailable ? (
          <ChartFigure
            title={`Distance of contributed faces to the consensus centroid (${num(h.total)} faces)`}
            table={{ columns: ['Distance', 'Faces'], rows: histogram.map((b) => [b.range, b.count]) }}
          >
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={histogram} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="range" tick={{ fontSize: 10 }} />
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                <Tooltip />
                <Bar dataKey="count" name="Faces" fill={COLORS.primary} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </ChartFigure>
        ) : (
          <p className="state" role="status">
            No consensus centroid yet: no distance histogram.
          </p>
        )}
      </div>

      <section aria-labelledby="links-title">
        <h2 id="links-title">Link suggestions across stash-boxes</h2>
        <ListTable
          className={null}
          headers={['Other performer', 'Centroid distance', 'Model', 'Status', 'Decision']}
          empty="No suggestion."
        >
          {p.linkSuggestions.map((l) => (
            <LinkRow key={l.id} link={l} self={p.id} onDone={reload} />
          ))}
        </ListTable>
      </section>

      <section aria-labelledby="contributors-title">
        <h2 id="contributors-title">Contributors</h2>
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Contributor</th>
              <th scope="col">Reputation</th>
              <th scope="col">Contributions</th>
              <th scope="col">Faces (trusted / pending / rejected)</th>
              <th scope="col">Last</th>
            </tr>
          </thead>
          <tbody>
            {p.contributors.map((c) => (
              <tr key={c.contributor.id}>
                <td>
                  <Link to={`/contributors/${c.contributor.id}`}>{c.contributor.email}</Link>{' '}
                  {c.contributor.status !== 'active' && (
                    <span className="badge badge-warn">{c.contributor.status}</span>
                  )}
                </td>
                <td className="num">{pct(c.contributor.reputation)}</td>
                <td className="num">{num(c.contributions)}</td>
                <td className="num">
                  {c.faces.trusted} / {c.faces.pending} / {c.faces.rejected}
                </td>
                <td>{when(c.lastContributionAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
