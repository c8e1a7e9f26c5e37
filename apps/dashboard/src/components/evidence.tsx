import { Link } from 'react-router';
import { words } from '../format';

/** Ids the evidence may mention, with what to show instead (and where to link). */
export type KnownIds = Map<string, { label: string; to?: string }>;

/** Replaces the known ids in a sentence (e.g. an item's summary) by their names. */
export function nameIds(text: string, known: KnownIds): string {
  return text.replace(
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
    (id) => known.get(id)?.label ?? id,
  );
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the consensus rules measured (distances, thresholds, weights), as a readable nested list. */
export function Evidence({ value, known, depth = 0 }: { value: unknown; known: KnownIds; depth?: number }) {
  if (typeof value === 'string' && known.has(value)) {
    const k = known.get(value)!;
    return k.to ? (
      <Link to={k.to} title={value}>
        {k.label}
      </Link>
    ) : (
      <span title={value}>{k.label}</span>
    );
  }
  if (Array.isArray(value)) {
    if (value.every((v) => !isPlain(v) && !Array.isArray(v) && !(typeof v === 'string' && known.has(v))))
      return <span>{value.map(scalar).join(', ') || '—'}</span>;
    return (
      <ol className="evidence-list">
        {value.map((v, i) => (
          <li key={i}>
            <Evidence value={v} known={known} depth={depth + 1} />
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
              <Evidence value={v} known={known} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{scalar(value)}</span>;
}
