import { type TokenPair, type User } from '@stash-sense/contracts';

/** The signed-in session: kept in sessionStorage (one browser tab; gone when the tab closes). */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  user: User;
}

const KEY = 'stash-sense-dashboard-session';

export function sessionFromTokens(pair: TokenPair): Session {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: Date.now() + pair.expiresIn * 1000,
    user: pair.user,
  };
}

export function loadSession(): Session | null {
  try {
    const text = window.sessionStorage.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) window.sessionStorage.setItem(KEY, JSON.stringify(session));
  else window.sessionStorage.removeItem(KEY);
}

/** Roles that may use the dashboard. */
export const DASHBOARD_ROLES: readonly User['role'][] = ['moderator', 'admin'];
