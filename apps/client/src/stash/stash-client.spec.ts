import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadClientConfig, stashBaseUrl } from '../config.js';
import { StashClient, stashClientFromConfig } from './stash-client.js';

describe('Stash settings', () => {
  it('reads STASH_SENSE_STASH_URL and STASH_SENSE_STASH_API_KEY, accepting a pasted /graphql URL', () => {
    const config = loadClientConfig(
      {},
      {
        HOME: '/home/u',
        STASH_SENSE_STASH_URL: 'http://stash.lan:9999/graphql/',
        STASH_SENSE_STASH_API_KEY: 'key',
      },
    );
    assert.equal(config.stashUrl, 'http://stash.lan:9999');
    assert.equal(config.stashApiKey, 'key');
    const client = stashClientFromConfig(config);
    assert.ok(client instanceof StashClient);
    assert.equal(client.graphqlUrl, 'http://stash.lan:9999/graphql');
    assert.deepEqual(client.authHeaders(), { ApiKey: 'key' });
  });

  it('has no client without a URL, and refuses a URL that is not http(s)', () => {
    assert.equal(stashClientFromConfig(loadClientConfig({}, { HOME: '/home/u' })), null);
    assert.throws(
      () => loadClientConfig({}, { HOME: '/home/u', STASH_SENSE_STASH_URL: 'ftp://stash' }),
      (e: unknown) => e instanceof ConfigError && /Stash URL.*STASH_SENSE_STASH_URL/.test(e.message),
    );
  });

  it('sends no ApiKey header when Stash has no login', () => {
    assert.deepEqual(new StashClient({ url: 'http://127.0.0.1:9999' }).authHeaders(), {});
    assert.equal(stashBaseUrl('http://x:1///'), 'http://x:1');
  });
});

describe('Stash calls have one deadline', () => {
  it('a Stash that never answers, or whose answer stalls, is "unreachable" once the deadline passes', async () => {
    const never = new StashClient({
      url: 'http://127.0.0.1:9',
      timeoutMs: 200,
      fetch: () => new Promise<Response>(() => undefined), // a call the HTTP stack lost: it never settles
    });
    await assert.rejects(never.version(), /cannot reach Stash at .*: no answer within 200 ms/);
    const stalls = new StashClient({
      url: 'http://127.0.0.1:9',
      timeoutMs: 200,
      fetch: () =>
        Promise.resolve(new Response(new ReadableStream({ pull: () => new Promise<void>(() => undefined) }))),
    });
    await assert.rejects(stalls.version(), /Stash's answer broke off: no answer within 200 ms/);
  });
});
