import { type ReactNode } from 'react';
import { ApiError } from '../api/http';
import { type Loaded } from '../api/use-api';

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="state state-unavailable" role="status">
      <strong>Not available:</strong> {what} is not offered by this cloud (its admin API endpoint is missing).
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <span>{errorText(error)}</span>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Loading / error / not-available / data, for one API answer. */
export function Load<T>({
  result,
  what,
  children,
}: {
  result: Loaded<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (result.error instanceof ApiError && result.error.notAvailable) return <NotAvailable what={what} />;
  if (result.error) return <ErrorState error={result.error} retry={result.reload} />;
  if (result.data === undefined)
    return (
      <p className="state" role="status" aria-busy="true">
        Loading {what}…
      </p>
    );
  return <>{children(result.data)}</>;
}
