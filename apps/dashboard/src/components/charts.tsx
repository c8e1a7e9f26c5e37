import { type ReactNode, useId } from 'react';

/** A chart with a caption and, for keyboard and screen-reader users, the same numbers as a table. */
export function ChartFigure({
  title,
  children,
  table,
}: {
  title: string;
  children: ReactNode;
  table: { columns: string[]; rows: (string | number)[][] };
}) {
  const captionId = useId();
  return (
    <figure className="chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>{title}</figcaption>
      <div className="chart-canvas" aria-hidden="true">
        {children}
      </div>
      <details>
        <summary>{title}: as a table</summary>
        <table>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export const COLORS = {
  trusted: '#2f7d32',
  pending: '#b7791f',
  rejected: '#c0392b',
  primary: '#2c5d9e',
  secondary: '#7a8fb3',
};

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        {value}
        {hint && <small>{hint}</small>}
      </dd>
    </div>
  );
}
