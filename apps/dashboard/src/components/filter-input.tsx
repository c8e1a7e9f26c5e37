import { type InputHTMLAttributes, useState } from 'react';

/**
 * A text filter that reaches the server when it is committed (Enter or leaving the field), not on every key:
 * each change is a query over a table that may hold millions of rows. Give it `key={value}` so that it starts
 * again from a value changed elsewhere (Back, a click on a filter link).
 */
export function FilterInput({
  label,
  value,
  onCommit,
  valid = () => true,
  ...rest
}: {
  label: string;
  value: string;
  onCommit(value: string): void;
  valid?(value: string): boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [text, setText] = useState(value);
  const commit = () => {
    const next = text.trim();
    if (next !== value) onCommit(next);
  };
  return (
    <label>
      {label}
      <input
        {...rest}
        value={text}
        aria-invalid={text.trim() !== '' && !valid(text.trim())}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
    </label>
  );
}
