import { type ModerationItemDetail, type ModerationResolveResult } from '@stash-sense/contracts';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { adminApi } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { ConfirmAction } from '../components/confirm-action';
import { Evidence, type KnownIds, nameIds } from '../components/evidence';
import { PerformerPicker } from '../components/performer-picker';
import { Load } from '../components/states';
import { dist, num, person, when, words } from '../format';

function resultText(r: ModerationResolveResult): string {
  const verb = { approve: 'Approved', reject: 'Rejected', reassign: 'Reassigned', dismiss: 'Dismissed' }[
    r.action
  ];
  return (
    `${verb}: ${r.contributionsAffected} contribution(s), ${r.facesAffected} face(s) affected; ` +
    `${r.contributorsUpdated} contributor(s) updated; ${r.performersRequeued.length} performer(s) queued for consensus. ` +
    `Written to the audit log.`
  );
}

export function ModerationItemPage() {
  const { id = '' } = useParams();
  const result = useApi(() => adminApi.moderation.get(id), id);
  return (
    <section aria-labelledby="item-title">
      <p>
        <Link to="/moderation">← Moderation queue</Link>
      </p>
      <Load result={result} what="this moderation item">
        {(item) => <ItemView item={item} reload={result.reload} />}
      </Load>
    </section>
  );
}

function ItemView({ item, reload }: { item: ModerationItemDetail; reload(): void }) {
  const [selected, setSelected] = useState<string[]>(() => item.contributions.map((c) => c.id));
  const [target, setTarget] = useState('');
  const open = item.status === 'open';
  const allSelected = selected.length === item.contributions.length;
  const contributionIds = allSelected || selected.length === 0 ? undefined : selected;
  const scope = allSelected
    ? 'all contributions of this item'
    : `${selected.length} selected contribution(s)`;
  const resolve = async (action: 'approve' | 'reject' | 'reassign' | 'dismiss', note?: string) => {
    const r = await adminApi.moderation.resolve(item.id, {
      action,
      note,
      contributionIds: action === 'dismiss' ? undefined : contributionIds,
      targetPerformerId: action === 'reassign' ? target : undefined,
    });
    return resultText(r);
  };
  const known: KnownIds = new Map();
  for (const p of item.performers) known.set(p.id, { label: p.name, to: `/performers/${p.id}` });
  for (const c of item.contributions) {
    known.set(c.contributor.id, { label: c.contributor.email, to: `/contributors/${c.contributor.id}` });
    known.set(c.id, { label: `${c.contributor.email} on ${c.scene.title ?? c.scene.stashId}` });
  }
  for (const s of item.scenes) known.set(s.id, { label: `scene ${s.title ?? s.stashId}` });
  const toggle = (cid: string) =>
    setSelected((s) => (s.includes(cid) ? s.filter((x) => x !== cid) : [...s, cid]));

  return (
    <>
      <div className="page-head">
        <h1 id="item-title">
          {words(item.kind)} <span className={`badge badge-${item.status}`}>{item.status}</span>
          {item.blocking && <span className="badge badge-warn">blocking</span>}
        </h1>
      </div>
      <p className="lead">{nameIds(item.summary, known)}</p>
      <p className="muted">
        Model {item.model.name} · found {when(item.createdAt)} · updated {when(item.updatedAt)}
        {item.resolvedAt && (
          <>
            {' '}
            · closed {when(item.resolvedAt)} by {item.resolvedBy ? person(item.resolvedBy) : 'the system'}:{' '}
            {item.resolution}
          </>
        )}
      </p>

      {open && (
        <section className="actions" aria-labelledby="actions-title">
          <h2 id="actions-title">Decide</h2>
          <p className="muted">The actions apply to {scope}; each is written to the audit log.</p>
          <div className="button-row">
            <ConfirmAction
              label="Approve"
              title="Approve these contributions?"
              reason="optional"
              reasonLabel="Note"
              disabled={selected.length === 0}
              onConfirm={(note) => resolve('approve', note)}
              onDone={reload}
            >
              The contributions are right as credited ({scope}). Their contributors gain a moderator approval
              and the performers are decided again.
            </ConfirmAction>
            <ConfirmAction
              label="Reject"
              title="Reject these contributions?"
              danger
              reason="optional"
              reasonLabel="Note"
              disabled={selected.length === 0}
              onConfirm={(note) => resolve('reject', note)}
              onDone={reload}
            >
              The contributions are wrong ({scope}): their faces are rejected and their contributors get a
              moderator rejection.
            </ConfirmAction>
            <ConfirmAction
              label="Reassign…"
              title="Reassign to another performer"
              reason="optional"
              reasonLabel="Note"
              disabled={selected.length === 0}
              canConfirm={target !== ''}
              onConfirm={(note) => resolve('reassign', note)}
              onDone={reload}
              fields={
                <PerformerPicker
                  legend="The performer the faces really show"
                  suggestions={item.performers}
                  value={target}
                  onChange={setTarget}
                />
              }
            >
              The faces of {scope} are moved to the performer chosen below.
            </ConfirmAction>
            <ConfirmAction
              label="Dismiss"
              title="Dismiss this item?"
              reason="optional"
              reasonLabel="Note"
              onConfirm={(note) => resolve('dismiss', note)}
              onDone={reload}
            >
              Close the item without changing any contribution.
            </ConfirmAction>
          </div>
        </section>
      )}

      <section aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        <Evidence value={item.evidence} known={known} />
      </section>

      <section aria-labelledby="performers-title">
        <h2 id="performers-title">Performers</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Performer</th>
              <th scope="col">Stash-box ids</th>
              <th scope="col">Consensus</th>
              <th scope="col">Trusted faces</th>
            </tr>
          </thead>
          <tbody>
            {item.performers.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/performers/${p.id}`}>{p.name}</Link>
                  {p.disambiguation && <span className="muted"> ({p.disambiguation})</span>}
                </td>
                <td>
                  {p.stashIds.map((s) => (
                    <div key={`${s.endpoint.key}:${s.stashId}`}>
                      <a href={s.url} target="_blank" rel="noreferrer noopener">
                        {s.endpoint.name}: {s.stashId}
                      </a>
                    </div>
                  ))}
                </td>
                <td>{p.consensusState ? words(p.consensusState) : '—'}</td>
                <td className="num">{num(p.trustedFaces)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="contributions-title">
        <h2 id="contributions-title">Contributions</h2>
        <table className="list">
          <thead>
            <tr>
              {open && (
                <th scope="col">
                  <label>
                    <input
                      type="checkbox"
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? [] : item.contributions.map((c) => c.id))}
                    />{' '}
                    <span className="sr-only">Select all contributions</span>
                  </label>
                </th>
              )}
              <th scope="col">Contributor</th>
              <th scope="col">Credited to</th>
              <th scope="col">Scene</th>
              <th scope="col">Status</th>
              <th scope="col">Faces (trusted / pending / rejected)</th>
              <th scope="col">Distance to consensus</th>
              <th scope="col">Moderation</th>
            </tr>
          </thead>
          <tbody>
            {item.contributions.map((c) => (
              <tr key={c.id}>
                {open && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select the contribution of ${c.contributor.email} for ${c.scene.title ?? c.scene.stashId}`}
                      checked={selected.includes(c.id)}
                      onChange={() => toggle(c.id)}
                    />
                  </td>
                )}
                <td>
                  <Link to={`/contributors/${c.contributor.id}`}>{c.contributor.email}</Link>
                  <div className="muted">
                    reputation {c.contributor.reputation.toFixed(2)} · {c.contributor.status}
                    {c.contributor.reputationFlagged && ' · flagged'}
                  </div>
                </td>
                <td>
                  <Link to={`/performers/${c.performer.id}`}>{c.performer.name}</Link>
                </td>
                <td>
                  <a href={c.scene.url} target="_blank" rel="noreferrer noopener">
                    {c.scene.title ?? c.scene.stashId}
                  </a>
                  <div className="muted">{c.scene.endpoint.name}</div>
                </td>
                <td>
                  {words(c.status)}
                  {c.statusReason && <div className="muted">{nameIds(c.statusReason, known)}</div>}
                </td>
                <td className="num">
                  {c.faces.trusted} / {c.faces.pending} / {c.faces.rejected}
                </td>
                <td className="num">{dist(c.distanceToConsensus)}</td>
                <td>{c.moderation ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="scenes-title">
        <h2 id="scenes-title">Scenes</h2>
        <ul>
          {item.scenes.map((s) => (
            <li key={s.id}>
              <a href={s.url} target="_blank" rel="noreferrer noopener">
                {s.title ?? s.stashId}
              </a>{' '}
              <span className="muted">
                on {s.endpoint.name} ({s.stashId})
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
