import { type IdentityLinkSuggestion, type ModerationPerformer } from '@stash-sense/contracts';
import { Link } from 'react-router';
import { adminApi } from '../api/endpoints';
import { dist, when } from '../format';
import { ConfirmAction } from './confirm-action';

function PerformerCell({ p }: { p: ModerationPerformer }) {
  return (
    <td>
      <Link to={`/performers/${p.id}`}>{p.name}</Link>
      {p.disambiguation && <span className="muted"> ({p.disambiguation})</span>}
      <div className="muted">
        {p.stashIds.map((s) => (
          <span key={`${s.endpoint.key}:${s.stashId}`}>
            <a href={s.url} target="_blank" rel="noreferrer noopener">
              {s.endpoint.name}
            </a>{' '}
          </span>
        ))}
        · {p.trustedFaces} trusted faces
      </div>
    </td>
  );
}

/**
 * One link suggestion (two performers on different stash-boxes whose trusted centroids nearly coincide) with
 * accept / decline. `self`: on a performer's page, only the other performer is shown.
 */
export function LinkRow({
  link,
  self,
  onDone,
}: {
  link: IdentityLinkSuggestion;
  self?: string;
  onDone(): void;
}) {
  const decide = async (decision: 'accept' | 'decline', note?: string) => {
    const r = await adminApi.links.decide(link.id, decision, note);
    return `Link ${r.link.status}: ${link.performerA.name} ↔ ${link.performerB.name}; ${r.performersRequeued.length} performer(s) queued for consensus. Written to the audit log.`;
  };
  const shown = self
    ? [link.performerA.id === self ? link.performerB : link.performerA]
    : [link.performerA, link.performerB];
  return (
    <tr>
      {shown.map((p) => (
        <PerformerCell key={p.id} p={p} />
      ))}
      <td className="num">{dist(link.distance)}</td>
      <td>{link.model.name}</td>
      <td>{link.status}</td>
      <td>
        {link.status === 'open' ? (
          <div className="button-row">
            <ConfirmAction
              label="Accept"
              title={`Link ${link.performerA.name} and ${link.performerB.name}?`}
              reason="optional"
              reasonLabel="Note"
              onConfirm={(note) => decide('accept', note)}
              onDone={onDone}
            >
              Both are the same person: their stash-box ids join one identity (centroid distance{' '}
              {dist(link.distance)}), and consensus no longer treats one as a look-alike of the other.
            </ConfirmAction>
            <ConfirmAction
              label="Decline"
              title="Decline this link?"
              reason="optional"
              reasonLabel="Note"
              onConfirm={(note) => decide('decline', note)}
              onDone={onDone}
            >
              They are different people: the suggestion is closed.
            </ConfirmAction>
          </div>
        ) : (
          when(link.updatedAt)
        )}
      </td>
    </tr>
  );
}
