import { Children, type ReactNode } from 'react';

/** A table of rows under column headers, with one row saying `empty` when there is none. */
export function ListTable({
  headers,
  empty,
  children,
  className,
}: {
  headers: readonly string[];
  empty: string;
  /** The rows (`<tr>` elements). */
  children: ReactNode;
  /** Default `list` (the striped, full-width list style); null for a plain table. */
  className?: string | null;
}) {
  return (
    <table className={className === null ? undefined : (className ?? 'list')}>
      <thead>
        <tr>
          {headers.map((header, i) => (
            <th key={i} scope="col">
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {children}
        {Children.count(children) === 0 && (
          <tr>
            <td colSpan={headers.length}>{empty}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
