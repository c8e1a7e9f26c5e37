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

/** The part of the Web Storage API the session needs (sessionStorage in the browser; a Map in unit tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function sessionFromTokens(pair: TokenPair): Session {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: Date.now() + pair.expiresIn * 1000,
    user: pair.user,
  };
}

/** The tab's sessionStorage; null outside a browser. */
export function browserStorage(): KeyValueStorage | null {
  return typeof window === 'undefined' ? null : window.sessionStorage;
}

export function loadSession(storage: KeyValueStorage | null): Session | null {
  try {
    const text = storage?.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(storage: KeyValueStorage | null, session: Session | null): void {
  if (!storage) return;
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}

/** Roles that may use the dashboard. */
export const DASHBOARD_ROLES: readonly User['role'][] = ['moderator', 'admin'];
