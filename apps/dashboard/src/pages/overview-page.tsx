import { useState } from 'react';
import { Link } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { ChartFigure, COLORS, Stat } from '../components/charts';
import { Load } from '../components/states';
import { ListTable } from '../components/list-table';
import { bytes, num, when, words } from '../format';

export function OverviewPage() {
  const [days, setDays] = useState(30);
  const result = useApi(() => adminApi.overview(days), String(days));
  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview</h1>
        <label>
          Window{' '}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>7 days</option>
            <option value={30}>30 days</option>
            <option value={90}>90 days</option>
            <option value={365}>365 days</option>
          </select>
        </label>
        <button type="button" onClick={result.reload}>
          Refresh
        </button>
      </div>
      <Load result={result} what="the overview">
        {(o) => {
          const faceRows = [
            { state: 'pending', count: o.faces.pending },
            { state: 'trusted', count: o.faces.trusted },
            { state: 'rejected', count: o.faces.rejected },
          ];
          return (
            <>
              <dl className="stats">
                <Stat label="Faces trusted" value={num(o.faces.trusted)} />
                <Stat label="Faces pending" value={num(o.faces.pending)} />
                <Stat label="Faces rejected" value={num(o.faces.rejected)} />
                <Stat
                  label="Active contributors"
                  value={num(o.activeContributors.last7Days)}
                  hint={` in 7 days · ${num(o.activeContributors.last30Days)} in 30`}
                />
                <Stat
                  label="Contributors"
                  value={num(o.contributors.total)}
                  hint={` · ${o.contributors.suspended} suspended · ${o.contributors.banned} banned · ${o.contributors.flagged} flagged`}
                />
                <Stat
                  label="Moderation open"
                  value={<Link to="/moderation">{num(o.moderation.open)}</Link>}
                />
                <Stat
                  label="Link suggestions open"
                  value={<Link to="/links">{num(o.moderation.openLinkSuggestions)}</Link>}
                />
                <Stat label="Performers" value={num(o.performers.total)} />
              </dl>

              <div className="grid-2">
                <ChartFigure
                  title={`Contributions per day (last ${o.days} days, UTC)`}
                  table={{
                    columns: ['Day', 'Contributions', 'Faces'],
                    rows: o.contributionsPerDay.map((d) => [d.day, d.contributions, d.faces]),
                  }}
                >
                  <ResponsiveContainer width="100%" height={240}>
                    <LineChart
                      data={o.contributionsPerDay}
                      margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
                    >
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={24} />
                      <YAxis yAxisId="c" allowDecimals={false} tick={{ fontSize: 11 }} />
                      <YAxis yAxisId="f" orientation="right" allowDecimals={false} tick={{ fontSize: 11 }} />
                      <Tooltip />
                      <Legend />
                      <Line
                        yAxisId="c"
                        type="monotone"
                        dataKey="contributions"
                        name="Contributions"
                        stroke={COLORS.primary}
                        dot={false}
                        isAnimationActive={false}
                      />
                      <Line
                        yAxisId="f"
                        type="monotone"
                        dataKey="faces"
                        name="Faces"
                        stroke={COLORS.secondary}
                        dot={false}
                        isAnimationActive={false}
                      />
                    </LineChart>
                  </ResponsiveContainer>
                </ChartFigure>

                <ChartFigure
                  title="Faces by state"
                  table={{ columns: ['State', 'Faces'], rows: faceRows.map((r) => [r.state, r.count]) }}
                >
                  <ResponsiveContainer width="100%" height={240}>
                    <BarChart data={faceRows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="state" />
                      <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                      <Tooltip />
                      <Bar dataKey="count" name="Faces" isAnimationActive={false}>
                        {faceRows.map((r) => (
                          <Cell key={r.state} fill={COLORS[r.state as keyof typeof COLORS]} />
                        ))}
                      </Bar>
                    </BarChart>
                  </ResponsiveContainer>
                </ChartFigure>
              </div>

              <div className="grid-2">
                <section aria-labelledby="queues-title">
                  <h2 id="queues-title">Queue depths</h2>
                  {o.queues === null ? (
                    <p className="state state-unavailable" role="status">
                      Redis did not answer: queue depths unknown.
                    </p>
                  ) : (
                    <>
                      <ChartFigure
                        title="Jobs per queue"
                        table={{
                          columns: ['Queue', 'Waiting', 'Active', 'Delayed', 'Failed'],
                          rows: o.queues.map((q) => [q.name, q.waiting, q.active, q.delayed, q.failed]),
                        }}
                      >
                        <ResponsiveContainer width="100%" height={200}>
                          <BarChart data={o.queues} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                            <CartesianGrid strokeDasharray="3 3" />
                            <XAxis dataKey="name" tick={{ fontSize: 11 }} />
                            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                            <Tooltip />
                            <Legend />
                            <Bar
                              dataKey="waiting"
                              name="Waiting"
                              stackId="q"
                              fill={COLORS.pending}
                              isAnimationActive={false}
                            />
                            <Bar
                              dataKey="active"
                              name="Active"
                              stackId="q"
                              fill={COLORS.primary}
                              isAnimationActive={false}
                            />
                            <Bar
                              dataKey="delayed"
                              name="Delayed"
                              stackId="q"
                              fill={COLORS.secondary}
                              isAnimationActive={false}
                            />
                            <Bar
                              dataKey="failed"
                              name="Failed"
                              stackId="q"
                              fill={COLORS.rejected}
                              isAnimationActive={false}
                            />
                          </BarChart>
                        </ResponsiveContainer>
                      </ChartFigure>
                    </>
                  )}
                </section>
                <section aria-labelledby="state-title">
                  <h2 id="state-title">Consensus and moderation</h2>
                  <table>
                    <caption>Performers by consensus state</caption>
                    <tbody>
                      {Object.entries(o.performers.byConsensusState).map(([state, n]) => (
                        <tr key={state}>
                          <th scope="row">{words(state)}</th>
                          <td className="num">{num(n)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <table>
                    <caption>Open moderation items by kind</caption>
                    <tbody>
                      {Object.entries(o.moderation.openByKind).map(([kind, n]) => (
                        <tr key={kind}>
                          <th scope="row">
                            <Link to={`/moderation?kind=${kind}`}>{words(kind)}</Link>
                          </th>
                          <td className="num">{num(n)}</td>
                        </tr>
                      ))}
                      {Object.keys(o.moderation.openByKind).length === 0 && (
                        <tr>
                          <td colSpan={2}>Nothing open.</td>
                        </tr>
                      )}
                    </tbody>
                  </table>
                </section>
              </div>

              <section aria-labelledby="latest-title">
                <h2 id="latest-title">Latest index versions</h2>
                <ListTable
                  className={null}
                  headers={['Model', 'Version', 'Performers', 'Faces', 'Size', 'Published']}
                  empty="No index published yet."
                >
                  {o.latestIndexes.map((v) => (
                    <tr key={v.version}>
                      <td>{v.model.name}</td>
                      <td>
                        <Link to={`/indexes?version=${encodeURIComponent(v.version)}`}>{v.version}</Link>
                      </td>
                      <td className="num">{num(v.counts.performers)}</td>
                      <td className="num">{num(v.counts.faces)}</td>
                      <td className="num">{bytes(v.sizeBytes)}</td>
                      <td>{when(v.createdAt)}</td>
                    </tr>
                  ))}
                </ListTable>
              </section>
              <p className="muted">Figures as of {when(o.generatedAt)}.</p>
            </>
          );
        }}
      </Load>
    </section>
  );
}
