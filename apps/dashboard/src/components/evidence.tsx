import { words } from '../format';

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the consensus rules measured (distances, thresholds, weights), as a readable nested list. */
export function Evidence({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (Array.isArray(value)) {
    if (value.every((v) => !isPlain(v) && !Array.isArray(v)))
      return <span>{value.map(scalar).join(', ') || '—'}</span>;
    return (
      <ol className="evidence-list">
        {value.map((v, i) => (
          <li key={i}>
            <Evidence value={v} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (isPlain(value)) {
    if (depth > 4) return <code>{JSON.stringify(value)}</code>;
    return (
      <dl className="evidence">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{words(k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())}</dt>
            <dd>
              <Evidence value={v} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{scalar(value)}</span>;
}
