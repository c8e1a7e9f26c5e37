import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestToken, requireToken } from './auth.js';
import { HttpError } from './http-error.js';

const TOKEN = 'abcdefghijklmnop-123';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function run(token: string | undefined, method: string, headers: Record<string, string>): unknown {
  let passed: unknown = 'not called';
  requireToken(token)({ method, headers } as never, {} as never, (error?: unknown) => (passed = error));
  return passed;
}

describe('sidecar token', () => {
  it('reads Bearer, Basic (any user; what a user:token@host URL makes Python send) and X-Stash-Sense-Token', () => {
    assert.equal(requestToken({ authorization: `Bearer ${TOKEN}` }), TOKEN);
    assert.equal(requestToken({ authorization: basic('stash-sense', TOKEN) }), TOKEN);
    assert.equal(requestToken({ authorization: basic('', TOKEN) }), TOKEN);
    assert.equal(requestToken({ 'x-stash-sense-token': TOKEN }), TOKEN);
    assert.equal(requestToken({}), undefined);
  });

  it('without a token everything passes; with one, a missing or wrong token is 401 and preflights pass', () => {
    assert.equal(run(undefined, 'GET', {}), undefined);
    assert.equal(run(TOKEN, 'GET', { authorization: `Bearer ${TOKEN}` }), undefined);
    assert.equal(run(TOKEN, 'OPTIONS', {}), undefined);
    const missing = run(TOKEN, 'POST', {});
    assert.ok(missing instanceof HttpError && missing.status === 401);
    assert.match(missing.detail, /STASH_SENSE_SIDECAR_TOKEN/);
    const wrong = run(TOKEN, 'POST', { authorization: `Bearer ${TOKEN}x` });
    assert.ok(wrong instanceof HttpError && wrong.status === 401);
    assert.ok(!wrong.detail.includes(TOKEN), 'the detail never echoes the token');
  });
});
