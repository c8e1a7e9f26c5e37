import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModerationListSchema, type TokenPair } from '@stash-sense/contracts';
import { ApiClient, type ApiError, buildQuery } from './http';
import { type KeyValueStorage } from './session-store';

const USER = {
  id: '6f1c2a4e-1f1e-4c4b-9a41-0c2f3e4d5a6b',
  email: 'mod@example.org',
  displayName: null,
  role: 'moderator' as const,
  status: 'active' as const,
  reputation: 0.5,
  createdAt: '2026-12-01T10:00:00.000Z',
};
const pair = (n: number): TokenPair => ({
  tokenType: 'Bearer',
  accessToken: `access-${n}`,
  expiresIn: 900,
  refreshToken: `refresh-token-number-${n}-0123456789`,
  user: USER,
});

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

interface Call {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

/** A stand-in for the cloud: `answer` decides each response; every request is recorded. */
function fakeCloud(answer: (call: Call, calls: Call[]) => { status: number; body?: unknown }) {
  const calls: Call[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const call: Call = {
      method: init?.method ?? 'GET',
      url: String(input),
      authorization: headers.get('authorization'),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const { status, body } = answer(call, calls);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetchImpl };
}

const EMPTY_PAGE = { items: [], nextCursor: null };

describe('dashboard API client', () => {
  it('builds query strings without empty filters', () => {
    assert.equal(
      buildQuery({ status: 'open', kind: undefined, performer: '', limit: 50 }),
      '?status=open&limit=50',
    );
    assert.equal(buildQuery({}), '');
    assert.equal(buildQuery({ action: 'moderation.' }), '?action=moderation.');
  });

  it('sends the bearer token, and on a 401 refreshes once (shared by concurrent calls) and retries', async () => {
    const storage = new MemoryStorage();
    const cloud = fakeCloud((call) => {
      if (call.url.endsWith('/v1/auth/login')) return { status: 200, body: pair(1) };
      if (call.url.endsWith('/v1/auth/refresh')) return { status: 200, body: pair(2) };
      return call.authorization === 'Bearer access-2'
        ? { status: 200, body: EMPTY_PAGE }
        : { status: 401, body: { error: 'unauthorized', message: 'token expired' } };
    });
    const api = new ApiClient('http://cloud', storage, cloud.fetchImpl);
    api.accept(await api.login('mod@example.org', 'a long password'));
    assert.equal(api.current?.accessToken, 'access-1');

    const [a, b] = await Promise.all([
      api.call(ModerationListSchema, 'GET', '/v1/admin/moderation', { query: { status: 'open' } }),
      api.call(ModerationListSchema, 'GET', '/v1/admin/moderation'),
    ]);
    assert.deepEqual(a, EMPTY_PAGE);
    assert.deepEqual(b, EMPTY_PAGE);
    assert.equal(cloud.calls.filter((c) => c.url.endsWith('/v1/auth/refresh')).length, 1);
    assert.equal(api.current?.accessToken, 'access-2');
    assert.equal(cloud.calls[1]!.url, 'http://cloud/v1/admin/moderation?status=open');
    // The session survives a reload of the tab (it is kept in the storage).
    assert.equal(new ApiClient('http://cloud', storage, cloud.fetchImpl).current?.accessToken, 'access-2');
  });

  it('ends the session when the refresh is refused', async () => {
    const storage = new MemoryStorage();
    const cloud = fakeCloud((call) =>
      call.url.endsWith('/v1/auth/login')
        ? { status: 200, body: pair(1) }
        : { status: 401, body: { error: 'unauthorized', message: 'session ended' } },
    );
    const api = new ApiClient('', storage, cloud.fetchImpl);
    api.accept(await api.login('mod@example.org', 'pw'));
    const seen: (string | null)[] = [];
    api.subscribe((s) => seen.push(s?.accessToken ?? null));
    await assert.rejects(api.call(ModerationListSchema, 'GET', '/v1/admin/moderation'), (err: ApiError) => {
      assert.equal(err.status, 401);
      return true;
    });
    assert.equal(api.current, null);
    assert.equal(storage.map.size, 0);
    assert.deepEqual(seen.at(-1), null);
  });

  it('refuses an answer that breaks its contract, and says which field', async () => {
    const cloud = fakeCloud(() => ({
      status: 200,
      body: { items: [{ id: 'not-a-uuid' }], nextCursor: null },
    }));
    const api = new ApiClient('', new MemoryStorage(), cloud.fetchImpl);
    await assert.rejects(api.call(ModerationListSchema, 'GET', '/v1/admin/moderation'), (err: ApiError) => {
      assert.equal(err.code, 'contract_mismatch');
      assert.match(err.message, /items\.0\./);
      return true;
    });
  });

  it("carries the server's error body; a missing route is 'not available'", async () => {
    const cloud = fakeCloud((call) =>
      call.url.includes('/resolve')
        ? { status: 409, body: { error: 'conflict', message: 'the item is resolved already' } }
        : { status: 404, body: { error: 'not_found', message: 'Cannot GET /v1/admin/overview' } },
    );
    const api = new ApiClient('', new MemoryStorage(), cloud.fetchImpl);
    await assert.rejects(
      api.call(ModerationListSchema, 'POST', '/v1/admin/moderation/x/resolve', { body: {} }),
      (err: ApiError) => {
        assert.deepEqual(
          [err.status, err.code, err.message, err.notAvailable],
          [409, 'conflict', 'the item is resolved already', false],
        );
        return true;
      },
    );
    await assert.rejects(api.call(ModerationListSchema, 'GET', '/v1/admin/overview'), (err: ApiError) => {
      assert.equal(err.notAvailable, true);
      return true;
    });
  });

  it('logout forgets the session and revokes the refresh token on the server', async () => {
    const storage = new MemoryStorage();
    const cloud = fakeCloud((call) =>
      call.url.endsWith('/login') ? { status: 200, body: pair(1) } : { status: 204 },
    );
    const api = new ApiClient('', storage, cloud.fetchImpl);
    api.accept(await api.login('mod@example.org', 'pw'));
    await api.logout();
    assert.equal(api.current, null);
    assert.equal(storage.map.size, 0);
    assert.deepEqual(cloud.calls.at(-1)!.body, { refreshToken: pair(1).refreshToken });
  });
});
