import { ErrorBodySchema, type TokenPair, TokenPairSchema } from '@stash-sense/contracts';
import { type z } from 'zod';
import {
  browserStorage,
  type KeyValueStorage,
  loadSession,
  saveSession,
  type Session,
  sessionFromTokens,
} from './session-store';

/** A failed API call: the server's uniform error body, or a response that broke its contract. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server has no such endpoint (yet): the page shows "not available". */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'not_found_route';
  }
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** No bearer token, no refresh (login, refresh). */
  anonymous?: boolean;
}

type Listener = (session: Session | null) => void;

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Typed HTTP client of the cloud API. Every response is parsed with the zod schema of libs/contracts, the same one
 * the server validates with: a payload that does not match is an error here, never silently rendered.
 * Bearer token from the login; on 401 it exchanges the refresh token once (shared by concurrent calls) and retries.
 */
export class ApiClient {
  private session: Session | null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly baseUrl = '',
    private readonly storage: KeyValueStorage | null = browserStorage(),
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {
    this.session = loadSession(storage);
  }

  get current(): Session | null {
    return this.session;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setSession(session: Session | null): void {
    this.session = session;
    saveSession(this.storage, session);
    for (const l of this.listeners) l(session);
  }

  async login(email: string, password: string): Promise<TokenPair> {
    return this.call(TokenPairSchema, 'POST', '/v1/auth/login', {
      body: { email, password },
      anonymous: true,
    });
  }

  /** Keeps the session of a login the caller accepted (role checked by the caller). */
  accept(pair: TokenPair): void {
    this.setSession(sessionFromTokens(pair));
  }

  /** Ends the session here and revokes the refresh token on the server (best effort). */
  async logout(refreshToken = this.session?.refreshToken): Promise<void> {
    this.setSession(null);
    if (!refreshToken) return;
    try {
      await this.fetchImpl(`${this.baseUrl}/v1/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
    } catch {
      // Offline: the refresh token expires on its own.
    }
  }

  private async refresh(): Promise<boolean> {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) return false;
    this.refreshing ??= (async () => {
      try {
        const pair = await this.call(TokenPairSchema, 'POST', '/v1/auth/refresh', {
          body: { refreshToken },
          anonymous: true,
        });
        this.setSession(sessionFromTokens(pair));
        return true;
      } catch {
        this.setSession(null);
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** One call: `schema` parses the JSON answer (a 204 answers `undefined`, pass a schema that accepts it). */
  async call<S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const send = () => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (!options.anonymous && this.session) headers.authorization = `Bearer ${this.session.accessToken}`;
      return this.fetchImpl(`${this.baseUrl}${path}${buildQuery(options.query)}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    };
    let res: Response;
    try {
      res = await send();
      if (res.status === 401 && !options.anonymous && (await this.refresh())) res = await send();
    } catch (err) {
      throw new ApiError(0, 'network', `The cloud did not answer (${String(err)}). Is it running?`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiError(res.status, 'bad_response', `${method} ${path}: the answer is not JSON`);
      }
    }
    if (!res.ok) {
      if (res.status === 401 && !options.anonymous) this.setSession(null);
      const body = ErrorBodySchema.safeParse(json);
      if (body.success) {
        const routeMissing =
          res.status === 404 && /^Cannot (GET|POST|PATCH|PUT|DELETE) /.test(body.data.message);
        throw new ApiError(
          res.status,
          routeMissing ? 'not_found_route' : body.data.error,
          body.data.message,
          body.data.details,
        );
      }
      throw new ApiError(res.status, 'http_error', `${method} ${path} failed with HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        res.status,
        'contract_mismatch',
        `${method} ${path}: the answer does not match its contract (${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')})`,
        parsed.error.issues,
      );
    }
    return parsed.data;
  }
}

export const api = new ApiClient();
