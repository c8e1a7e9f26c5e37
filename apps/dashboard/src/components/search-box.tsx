import { type FormEvent, useId, useState } from 'react';

/**
 * A text filter applied on Enter / the button (not on every key: each search is a server query). Give it
 * `key={value}` so that it starts again from a value changed elsewhere (Back).
 */
export function SearchBox({
  label,
  value,
  onSearch,
}: {
  label: string;
  value: string;
  onSearch(v: string): void;
}) {
  const [text, setText] = useState(value);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit">Search</button>
    </form>
  );
}
