import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameExtractionArgs, frameTimestamps, parseProbe, parsePpm } from './frames.js';

describe('frameTimestamps', () => {
  it('spreads frames evenly over the span, both ends included', () => {
    frameTimestamps(100, 5, 0.1, 0.9).forEach((t, i) =>
      assert.ok(Math.abs(t - [10, 30, 50, 70, 90][i]!) < 1e-9, `${t}`),
    );
    const sixty = frameTimestamps(600, 60, 0.05, 0.95);
    assert.equal(sixty.length, 60);
    assert.ok(Math.abs(sixty[0]! - 30) < 1e-9);
    assert.ok(Math.abs(sixty[59]! - 570) < 1e-9);
    const gaps = sixty.slice(1).map((t, i) => t - sixty[i]!);
    for (const g of gaps) assert.ok(Math.abs(g - 540 / 59) < 1e-9);
  });
  it('puts a single frame in the middle of the span', () => {
    const [only, ...rest] = frameTimestamps(60, 1, 0.05, 0.95);
    assert.ok(Math.abs(only! - 30) < 1e-9 && rest.length === 0);
  });
  it('never asks for the very end of the video', () => {
    const [, last] = frameTimestamps(10, 2, 0, 1);
    assert.ok(last! < 10);
  });
  it('rejects impossible plans', () => {
    assert.throws(() => frameTimestamps(0, 5, 0.05, 0.95), /duration/);
    assert.throws(() => frameTimestamps(10, 0, 0.05, 0.95), /count/);
    assert.throws(() => frameTimestamps(10, 5, 0.9, 0.1), /span/);
  });
});

describe('parseProbe', () => {
  const probe = (stream: object, format: object = { duration: '12.5' }) =>
    JSON.stringify({ streams: [stream], format });
  it('reads duration and size', () => {
    assert.deepEqual(parseProbe(probe({ width: 1920, height: 1080 })), {
      durationSec: 12.5,
      width: 1920,
      height: 1080,
    });
  });
  it('swaps width and height for a quarter-turn rotation', () => {
    assert.deepEqual(parseProbe(probe({ width: 1920, height: 1080, side_data_list: [{ rotation: -90 }] })), {
      durationSec: 12.5,
      width: 1080,
      height: 1920,
    });
    assert.equal(
      (parseProbe(probe({ width: 1920, height: 1080, tags: { rotate: '180' } })) as { width: number }).width,
      1920,
    );
  });
  it('falls back to the stream duration', () => {
    assert.equal(
      (parseProbe(probe({ width: 2, height: 2, duration: '3.0' }, {})) as { durationSec: number })
        .durationSec,
      3,
    );
  });
  it('explains what is missing', () => {
    assert.deepEqual(parseProbe(JSON.stringify({ streams: [], format: {} })), {
      problem: 'has no video stream',
    });
    assert.match(
      (parseProbe(probe({ width: 2, height: 2 }, {})) as { problem: string }).problem,
      /no known duration/,
    );
    assert.match((parseProbe('not json') as { problem: string }).problem, /no readable description/);
  });
});

describe('parsePpm', () => {
  it('reads a P6 image, comments included', () => {
    const ppm = Buffer.concat([
      Buffer.from('P6\n# made by a test\n2 1\n255\n'),
      Buffer.from([1, 2, 3, 4, 5, 6]),
    ]);
    const image = parsePpm(ppm);
    assert.equal(image.width, 2);
    assert.equal(image.height, 1);
    assert.deepEqual([...image.data], [1, 2, 3, 4, 5, 6]);
  });
  it('rejects other formats and truncated data', () => {
    assert.throws(() => parsePpm(Buffer.from('P5\n2 1\n255\n\x01\x02')), /binary PPM/);
    assert.throws(
      () => parsePpm(Buffer.concat([Buffer.from('P6\n2 2\n255\n'), Buffer.alloc(5)])),
      /truncated/,
    );
  });
});

describe('frameExtractionArgs', () => {
  it('seeks before the input and writes one PPM frame to stdout', () => {
    const args = frameExtractionArgs('/videos/a.mp4', 12.3456, 1280);
    assert.ok(args.indexOf('-ss') < args.indexOf('-i'));
    assert.equal(args[args.indexOf('-ss') + 1], '12.346');
    assert.deepEqual(args.slice(-5), ['-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1']);
    assert.equal(args[args.indexOf('-frames:v') + 1], '1');
    assert.ok(args.join(' ').includes('min(1280,iw*'));
    assert.ok(!args.includes('-headers'));
  });
  it('passes HTTP headers and a network timeout for URLs only', () => {
    const args = frameExtractionArgs('http://stash:9999/scene/1/stream', 1, 640, { ApiKey: 'k' });
    assert.equal(args[args.indexOf('-headers') + 1], 'ApiKey: k\r\n');
    assert.ok(args.includes('-rw_timeout'));
    assert.ok(args.indexOf('-headers') < args.indexOf('-i'));
  });
});
