/**
 * A labelled drop-down filter. `anyLabel` adds a first choice with the value '' (no filter); options are values
 * shown through `show` (default: as they are).
 */
export function SelectFilter<T extends string>({
  label,
  value,
  options,
  onChange,
  show = (option) => option,
  anyLabel = 'any',
}: {
  label: string;
  value: string;
  options: readonly T[];
  onChange(value: string): void;
  show?(option: T): string;
  /** null: no "any" choice (a filter that always has a value). */
  anyLabel?: string | null;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {anyLabel !== null && <option value="">{anyLabel}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {show(option)}
          </option>
        ))}
      </select>
    </label>
  );
}
