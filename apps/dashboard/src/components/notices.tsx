import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

export interface Notice {
  id: number;
  kind: 'ok' | 'error';
  text: string;
}

interface NoticeApi {
  notify(kind: Notice['kind'], text: string): void;
}

const NoticeContext = createContext<NoticeApi>({ notify: () => undefined });
let nextId = 1;
/** Success messages go away after this long (errors stay until dismissed). */
const OK_VISIBLE_MS = 12_000;

/** Results of actions: a live region at the top of the page (screen readers announce it), dismissible. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const notify = useCallback((kind: Notice['kind'], text: string) => {
    const id = nextId++;
    setNotices((list) => [...list.slice(-2), { id, kind, text }]);
    if (kind === 'ok') setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), OK_VISIBLE_MS);
  }, []);
  const value = useMemo(() => ({ notify }), [notify]);
  return (
    <NoticeContext value={value}>
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div
            key={n.id}
            className={`notice notice-${n.kind}`}
            role={n.kind === 'error' ? 'alert' : 'status'}
          >
            <span>{n.text}</span>
            <button
              type="button"
              className="link-button"
              aria-label="Dismiss message"
              onClick={() => setNotices((list) => list.filter((x) => x.id !== n.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
      {children}
    </NoticeContext>
  );
}

export const useNotify = () => useContext(NoticeContext).notify;
