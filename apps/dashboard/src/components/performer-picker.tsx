import { useEffect, useId, useState } from 'react';
import { type AdminPerformerRef } from '@stash-sense/contracts';
import { adminApi } from '../api/endpoints';
import { errorText } from './states';

/**
 * Choose a performer: the suggestions given (e.g. the other performers of a conflict), or any performer found by
 * name / stash-box id through the server-side search.
 */
export function PerformerPicker({
  suggestions,
  value,
  onChange,
  legend,
}: {
  suggestions: AdminPerformerRef[];
  value: string;
  onChange(id: string): void;
  legend: string;
}) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<{ term: string; items: AdminPerformerRef[] }>({
    term: '',
    items: [],
  });
  const [error, setError] = useState<string | null>(null);
  const searchId = useId();
  const name = useId();
  useEffect(() => {
    const term = text.trim();
    if (term.length < 2) return;
    let live = true;
    const timer = setTimeout(() => {
      adminApi.performers.list({ query: term, limit: 10 }).then(
        (page) => {
          if (!live) return;
          setResults({ term, items: page.items });
          setError(null);
        },
        (err: unknown) => live && setError(errorText(err)),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);
  const found = results.term === text.trim() ? results.items : [];
  const options = [...suggestions, ...found.filter((f) => !suggestions.some((s) => s.id === f.id))];
  return (
    <fieldset className="picker">
      <legend>{legend}</legend>
      <label htmlFor={searchId}>Search performers (name or stash-box id)</label>
      <input id={searchId} type="search" value={text} onChange={(e) => setText(e.target.value)} />
      {error && <p className="state state-error">{error}</p>}
      <div className="picker-options">
        {options.map((p) => (
          <label key={p.id} className="radio">
            <input
              type="radio"
              name={name}
              value={p.id}
              checked={value === p.id}
              onChange={() => onChange(p.id)}
            />
            {p.name}
            {p.disambiguation && <span className="muted"> ({p.disambiguation})</span>}
            <span className="muted mono"> {p.id.slice(0, 8)}</span>
          </label>
        ))}
        {options.length === 0 && <p className="muted">Type at least two characters to search.</p>}
      </div>
    </fieldset>
  );
}
