// cloudJson's deadline: it covers the whole exchange and keeps the process alive while a call is in flight.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config.js';
import {
  CLOUD_REQUEST_TIMEOUT_MS,
  CloudRequestError,
  cloudJson,
  cloudTimeoutFromEnv,
} from './cloud-client.js';

describe('cloudJson deadline', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/silent') return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":'); // headers and part of the body, then nothing
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const options = () => ({ serverUrl: url, apiKey: 'k', timeoutMs: 300 });

  test('no answer: a CloudRequestError without status (retryable), naming the deadline', async () => {
    await assert.rejects(cloudJson('GET', '/silent', options()), (error: unknown) => {
      assert.ok(error instanceof CloudRequestError);
      assert.equal(error.status, null);
      assert.match(
        error.message,
        /cannot reach the cloud at http:\/\/127\.0\.0\.1:\d+: no answer within 300 ms/,
      );
      return true;
    });
  });

  test('an answer that stalls after its headers is cut by the same deadline', async () => {
    const started = Date.now();
    await assert.rejects(cloudJson('POST', '/stalls', options(), { a: 1 }), (error: unknown) => {
      assert.ok(error instanceof CloudRequestError);
      assert.equal(error.status, null);
      assert.match(error.message, /POST \/stalls: the answer broke off \(no answer within 300 ms\)/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
  });

  test('a call the HTTP stack loses keeps the process alive until the deadline (no silent exit 13)', () => {
    // Node ends a process whose top-level await waits on nothing that keeps it alive with exit code 13 and no
    // message: what a contribute run did when a reset connection left fetch pending. Simulated with a fetch that
    // never settles and holds no handle.
    const dir = mkdtempSync(join(tmpdir(), 'cloud-client-'));
    try {
      const module = fileURLToPath(new URL('./cloud-client.ts', import.meta.url));
      const probe = join(dir, 'probe.ts');
      writeFileSync(
        probe,
        `import { cloudJson } from ${JSON.stringify(module)};\n` +
          `globalThis.fetch = () => new Promise(() => {});\n` +
          `try { await cloudJson('GET', '/x', { serverUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 200 }); }\n` +
          `catch (error) { console.log(error.name, error.status, error.message); }\n`,
      );
      const run = spawnSync(
        process.execPath,
        ['--conditions=source', '--import', '@swc-node/register/esm-register', probe],
        { encoding: 'utf8', cwd: fileURLToPath(new URL('../../../..', import.meta.url)), timeout: 60_000 },
      );
      assert.equal(run.status, 0, `exit ${run.status}: ${run.stderr}`);
      assert.match(
        run.stdout,
        /^CloudRequestError null cannot reach the cloud at http:\/\/127\.0\.0\.1:9: no answer within 200 ms/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('STASH_SENSE_CLOUD_TIMEOUT_MS sets the deadline; a bad value is a configuration error', () => {
  assert.equal(cloudTimeoutFromEnv({}), CLOUD_REQUEST_TIMEOUT_MS);
  assert.equal(cloudTimeoutFromEnv({ STASH_SENSE_CLOUD_TIMEOUT_MS: ' 10000 ' }), 10_000);
  for (const bad of ['ten', '50', '1.5', '-1', '3600001'])
    assert.throws(
      () => cloudTimeoutFromEnv({ STASH_SENSE_CLOUD_TIMEOUT_MS: bad }),
      (error: unknown) => error instanceof ConfigError && /100 to 3600000 milliseconds/.test(error.message),
    );
});
