import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseCloudEnv } from './config.schema.js';

test('defaults are safe: loopback bind, embedded services, 10 MB bodies', () => {
  const env = parseCloudEnv({});
  assert.equal(env.HOST, '127.0.0.1');
  assert.equal(env.PORT, 8080);
  assert.equal(env.DATABASE_URL, undefined);
  assert.equal(env.REDIS_URL, undefined);
  assert.equal(env.BODY_LIMIT, '10mb');
});

test('every bad variable is named in one error', () => {
  try {
    parseCloudEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.message;
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL'])
      assert.match(text, new RegExp(name));
    assert.equal(err.problems.length, 4);
  }
});

test('production needs a JWT secret; admin e-mail and password go together', () => {
  assert.throws(() => parseCloudEnv({ NODE_ENV: 'production' }), /JWT_SECRET: is required in production/);
  assert.throws(() => parseCloudEnv({ ADMIN_EMAIL: 'a@b.org' }), /go together/);
  assert.throws(() => parseCloudEnv({ JWT_SECRET: 'short' }), /JWT_SECRET: must be at least 32/);
});

test('empty strings count as unset', () => {
  assert.equal(parseCloudEnv({ DATABASE_URL: '' }).DATABASE_URL, undefined);
});

test('consensus overrides: names and ranges are checked at start-up', () => {
  assert.deepEqual(
    parseCloudEnv({ CONSENSUS_OVERRIDES: '{"agreement":{"minWeight":4}}' }).CONSENSUS_OVERRIDES,
    {
      agreement: { minWeight: 4 },
    },
  );
  assert.throws(() => parseCloudEnv({ CONSENSUS_OVERRIDES: 'nope' }), /CONSENSUS_OVERRIDES: must be JSON/);
  assert.throws(
    () => parseCloudEnv({ CONSENSUS_OVERRIDES: '{"agreement":{"minWieght":4}}' }),
    /CONSENSUS_OVERRIDES: unknown consensus setting agreement\.minWieght/,
  );
  assert.throws(
    () => parseCloudEnv({ CONSENSUS_OVERRIDES: '{"reputation":{"flagBelow":2}}' }),
    /CONSENSUS_OVERRIDES: .*reputation\.flagBelow must be ≤ 1/,
  );
});

test('index storage: local by default; s3 needs a bucket; S3 keys go together; prefix and endpoint checked', () => {
  const local = parseCloudEnv({});
  assert.equal(local.INDEX_STORAGE, 'local');
  assert.equal(local.INDEX_S3_PREFIX, 'indexes');
  assert.equal(local.INDEX_S3_FORCE_PATH_STYLE, false);
  assert.throws(
    () => parseCloudEnv({ INDEX_STORAGE: 's3' }),
    /INDEX_S3_BUCKET: is required with INDEX_STORAGE=s3/,
  );
  assert.throws(() => parseCloudEnv({ INDEX_STORAGE: 'gcs' }), /INDEX_STORAGE/);
  assert.throws(
    () => parseCloudEnv({ INDEX_STORAGE: 's3', INDEX_S3_BUCKET: 'b1b', INDEX_S3_ACCESS_KEY_ID: 'AKIA' }),
    /INDEX_S3_SECRET_ACCESS_KEY: INDEX_S3_ACCESS_KEY_ID and INDEX_S3_SECRET_ACCESS_KEY go together/,
  );
  assert.throws(() => parseCloudEnv({ INDEX_S3_BUCKET: 'a' }), /INDEX_S3_BUCKET: must be a bucket name/);
  assert.throws(() => parseCloudEnv({ INDEX_S3_PREFIX: 'a/../b' }), /INDEX_S3_PREFIX/);
  assert.throws(() => parseCloudEnv({ INDEX_S3_ENDPOINT: 'ftp://x' }), /INDEX_S3_ENDPOINT: must be an http/);
  const s3 = parseCloudEnv({
    INDEX_STORAGE: 's3',
    INDEX_S3_BUCKET: 'stash-sense',
    INDEX_S3_ENDPOINT: 'http://127.0.0.1:9000',
    INDEX_S3_FORCE_PATH_STYLE: 'true',
    INDEX_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    INDEX_S3_SECRET_ACCESS_KEY: 'the-secret',
  });
  assert.equal(s3.INDEX_S3_FORCE_PATH_STYLE, true);
  // A bad secret is reported by name, never by value.
  try {
    parseCloudEnv({ INDEX_STORAGE: 's3', INDEX_S3_SECRET_ACCESS_KEY: 'the-secret' });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.ok(!err.message.includes('the-secret'));
  }
});

test('index builds: graph links chosen on int8 by default, float16 on request, nothing else', () => {
  assert.equal(parseCloudEnv({}).INDEX_BUILD_CONSTRUCTION, 'int8');
  assert.equal(parseCloudEnv({ INDEX_BUILD_CONSTRUCTION: 'float16' }).INDEX_BUILD_CONSTRUCTION, 'float16');
  assert.throws(() => parseCloudEnv({ INDEX_BUILD_CONSTRUCTION: 'int4' }), /INDEX_BUILD_CONSTRUCTION/);
});
