import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError } from './http';
import { DASHBOARD_ROLES, type Session } from './session-store';

interface SessionContextValue {
  session: Session | null;
  /** Signs in; rejects with a message for the form when the account may not use the dashboard. */
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export class LoginRefused extends Error {}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(api.current);
  useEffect(() => api.subscribe(setSession), []);

  const login = useCallback(async (email: string, password: string) => {
    let pair;
    try {
      pair = await api.login(email, password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new LoginRefused('Wrong e-mail or password.');
      if (err instanceof ApiError && err.status === 403) throw new LoginRefused(err.message);
      throw err;
    }
    if (!DASHBOARD_ROLES.includes(pair.user.role)) {
      // The account is real but not a moderator: end the session it was given at once.
      await api.logout(pair.refreshToken);
      throw new LoginRefused(
        `The account ${pair.user.email} is a ${pair.user.role}: the dashboard is for moderators and admins only.`,
      );
    }
    api.accept(pair);
  }, []);

  const logout = useCallback(() => api.logout(), []);
  const value = useMemo(() => ({ session, login, logout }), [session, login, logout]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
