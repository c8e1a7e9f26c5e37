import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_LIMITS, ConfigError, defaultIndexDir, loadClientConfig } from './config.js';

describe('loadClientConfig', () => {
  it('uses safe defaults when nothing is set', () => {
    const config = loadClientConfig({}, { HOME: '/home/u' });
    assert.equal(config.device, 'cpu');
    assert.equal(config.threads, 2);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 6960);
    assert.equal(config.maxUploadBytes, CLIENT_LIMITS.defaultMaxUploadBytes);
    assert.equal(config.modelsDir, undefined);
    assert.match(config.indexDir, /stash-sense[/\\]index$/);
  });

  it('reads the environment', () => {
    const config = loadClientConfig(
      {},
      {
        STASH_SENSE_THREADS: '4',
        STASH_SENSE_DEVICE: 'cuda',
        STASH_SENSE_INDEX_DIR: '/srv/idx',
        STASH_SENSE_PORT: '7000',
        STASH_SENSE_HOST: '0.0.0.0',
        STASH_SENSE_MAX_UPLOAD_MB: '2',
        STASH_SENSE_MODELS_DIR: 'models',
      },
    );
    assert.equal(config.threads, 4);
    assert.equal(config.device, 'cuda');
    assert.equal(config.indexDir, resolve('/srv/idx'));
    assert.equal(config.port, 7000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.maxUploadBytes, 2 * 1024 * 1024);
    assert.equal(config.modelsDir, resolve('models'));
  });

  it('takes the cloud URL from the environment, the --server flag winning, and places the trusted keys', () => {
    const env = { XDG_DATA_HOME: '/data', STASH_SENSE_CLOUD_URL: 'https://env.example.org/' };
    assert.equal(loadClientConfig({}, env).cloudUrl, 'https://env.example.org');
    assert.equal(loadClientConfig({ cloudUrl: 'http://flag:8080' }, env).cloudUrl, 'http://flag:8080');
    assert.equal(loadClientConfig({}, env).trustedKeysFile, resolve('/data/stash-sense/trusted-keys.json'));
    assert.equal(loadClientConfig({}, { HOME: '/home/u' }).cloudUrl, undefined);
    assert.throws(
      () => loadClientConfig({ cloudUrl: 'ftp://x' }, env),
      (error: unknown) => error instanceof ConfigError && /cloud URL must be an http/.test(error.message),
    );
  });

  it('lets flags override the environment', () => {
    const config = loadClientConfig(
      { threads: '1', port: 0, indexDir: '/a', device: 'cpu' },
      {
        STASH_SENSE_THREADS: '4',
        STASH_SENSE_PORT: '7000',
        STASH_SENSE_INDEX_DIR: '/b',
        STASH_SENSE_DEVICE: 'cuda',
      },
    );
    assert.equal(config.threads, 1);
    assert.equal(config.port, 0);
    assert.equal(config.indexDir, resolve('/a'));
    assert.equal(config.device, 'cpu');
  });

  it('treats blank environment values as unset', () => {
    const config = loadClientConfig({}, { STASH_SENSE_THREADS: '  ', STASH_SENSE_DEVICE: '' });
    assert.equal(config.threads, 2);
    assert.equal(config.device, 'cpu');
  });

  it('rejects bad values with a message naming the setting', () => {
    assert.throws(
      () => loadClientConfig({ device: 'gpu' }, {}),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /device must be "cpu" or "cuda".*STASH_SENSE_DEVICE.*"gpu"/);
        return true;
      },
    );
    assert.throws(
      () => loadClientConfig({}, { STASH_SENSE_THREADS: 'many' }),
      /threads must be a whole number.*STASH_SENSE_THREADS/,
    );
    assert.throws(() => loadClientConfig({ threads: 0 }, {}), /threads must be at least 1/);
    assert.throws(() => loadClientConfig({ port: 70000 }, {}), /port must be 0 \(any free port\) to 65535/);
    assert.throws(
      () => loadClientConfig({ maxUploadMb: '-1' }, {}),
      /max upload size must be a positive number/,
    );
  });
});

describe('defaultIndexDir', () => {
  it('follows XDG_DATA_HOME, else ~/.local/share', () => {
    assert.equal(
      defaultIndexDir({ XDG_DATA_HOME: '/data' }, '/home/u'),
      join('/data', 'stash-sense', 'index'),
    );
    assert.equal(defaultIndexDir({}, '/home/u'), join('/home/u', '.local', 'share', 'stash-sense', 'index'));
  });
});
