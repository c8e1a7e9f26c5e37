import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batchExtractionArgs,
  frameExtractionArgs,
  framesPerProcess,
  frameTimestamps,
  parsePpm,
  containerDescribesStreams,
  parseProbe,
  parseShowinfoLine,
  planBatches,
  readPpmHeader,
  escapeFilterValue,
  isSeekedFrame,
  parseSeekingShowinfoLine,
  seekingExtractionArgs,
  type VideoInfo,
} from './frames.js';
import { withMallocTunables } from '../../bin/malloc-tunables.js';

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
  it('reads duration, size and container', () => {
    assert.deepEqual(
      parseProbe(probe({ width: 1920, height: 1080 }, { duration: '12.5', format_name: 'matroska,webm' })),
      { durationSec: 12.5, width: 1920, height: 1080, container: 'matroska,webm', rotation: 0, startSec: 0 },
    );
    assert.equal((parseProbe(probe({ width: 2, height: 2 })) as { container: string }).container, '');
  });
  it('reads the clockwise turn ffmpeg autorotates by, and swaps width and height for a quarter turn', () => {
    // ffprobe prints the display matrix's counter-clockwise angle; the old `rotate` tag holds the clockwise turn.
    assert.deepEqual(parseProbe(probe({ width: 1920, height: 1080, side_data_list: [{ rotation: -90 }] })), {
      durationSec: 12.5,
      width: 1080,
      height: 1920,
      container: '',
      rotation: 90,
      startSec: 0,
    });
    const turn = (stream: object) => parseProbe(probe({ width: 1920, height: 1080, ...stream })) as VideoInfo;
    assert.deepEqual(pick(turn({ side_data_list: [{ rotation: 90 }] })), [270, 1080, 1920]);
    assert.deepEqual(pick(turn({ side_data_list: [{ rotation: 180 }] })), [180, 1920, 1080]);
    assert.deepEqual(pick(turn({ tags: { rotate: '90' } })), [90, 1080, 1920]);
    assert.deepEqual(pick(turn({ tags: { rotate: '180' } })), [180, 1920, 1080]);
    assert.deepEqual(pick(turn({})), [0, 1920, 1080]);
  });
  const pick = (info: VideoInfo) => [info.rotation, info.width, info.height];
  it("reads the container's start time", () => {
    const info = parseProbe(probe({ width: 2, height: 2 }, { duration: '30.2', start_time: '1.480000' }));
    assert.equal((info as VideoInfo).startSec, 1.48);
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

describe('readPpmHeader', () => {
  it('waits for the whole header, then says where the pixels start', () => {
    const header = Buffer.from('P6\n# c\n1280 720\n255\n');
    for (let end = 0; end < header.length - 1; end++)
      assert.equal(readPpmHeader(header.subarray(0, end)), undefined);
    assert.deepEqual(readPpmHeader(Buffer.concat([header, Buffer.alloc(3)])), {
      magic: 'P6',
      width: 1280,
      height: 720,
      maxval: 255,
      pixelsAt: header.length,
    });
  });
});

describe('batchExtractionArgs', () => {
  it('opens the input once per frame, each seeking to its time, and writes frame k to fd 3 + k', () => {
    const args = batchExtractionArgs('/videos/a.mp4', [10, 20.5, 31], {
      maxWidth: 1280,
      seek: 'keyframe',
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
    });
    const inputs = args.flatMap((a, i) => (a === '-i' ? [args[i + 1]] : []));
    assert.deepEqual(inputs, ['/videos/a.mp4', '/videos/a.mp4', '/videos/a.mp4']);
    const seeks = args.flatMap((a, i) => (a === '-ss' ? [args[i + 1]] : []));
    assert.deepEqual(seeks, ['10.000', '20.500', '31.000']);
    assert.equal(args.filter((a) => a === '-noaccurate_seek').length, 3);
    assert.ok(!args.includes('-skip_frame')); // the decoder's reorder delay would cost two more keyframes
    assert.equal(args.filter((a) => a === '-nofind_stream_info').length, 3); // MP4 describes its streams
    const outputs = args.filter((a) => a.startsWith('pipe:'));
    assert.deepEqual(outputs, ['pipe:3', 'pipe:4', 'pipe:5']);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    assert.equal(graph.split(';').length, 3);
    assert.ok(graph.startsWith('[0:v:0]trim=end_frame=1,showinfo,setpts=0,scale='));
    assert.ok(graph.includes('min(1280,iw*'));
  });
  it('decodes exactly for accurate seeking, and sends headers for URLs on every input', () => {
    const args = batchExtractionArgs('http://stash/scene/1/stream', [1, 2], {
      maxWidth: 640,
      seek: 'accurate',
      headers: { ApiKey: 'k' },
    });
    assert.ok(!args.includes('-noaccurate_seek'));
    assert.ok(!args.includes('-nofind_stream_info')); // container unknown: ffmpeg probes the stream
    assert.equal(args.filter((a) => a === 'ApiKey: k\r\n').length, 2);
  });
});

describe('seekingExtractionArgs', () => {
  /** Undoes one level of escaping the way ffmpeg's av_get_token does (backslash escapes, '…' quotes). */
  const unescape = (value: string) => value.replace(/\\(.)/gs, '$1');
  const graphOf = (args: string[]) => args[args.indexOf('-filter_complex') + 1]!;

  it('escapes every character an ffmpeg option or filtergraph level treats specially, and whitespace', () => {
    const name = "/v/it's [a], b; c: d=e\\f\tg.mp4 ";
    assert.equal(escapeFilterValue('plain/path.mp4'), 'plain/path.mp4');
    assert.equal(unescape(escapeFilterValue(name)), name);
    assert.equal(unescape(unescape(escapeFilterValue(escapeFilterValue(name)))), name);
    assert.doesNotMatch(escapeFilterValue(name).replace(/\\./gs, ''), /[\\':=[\],;]|\s$/);
  });

  it('opens the file once, seeks to the first time, and answers frame k with a seek to time k + 1', () => {
    const args = seekingExtractionArgs('/videos/a.mp4', [10, 20.5, 31], { maxWidth: 1280 });
    assert.equal(args.filter((a) => a === '-i').length, 0); // the movie source opens the file, not -i
    const graph = graphOf(args);
    assert.ok(
      graph.startsWith('movie@source=filename\\=/videos/a.mp4\\:seek_point\\=10.000000\\:dec_threads\\=1,'),
    );
    assert.ok(graph.includes(',showinfo@sampled,setpts=N/TB,sendcmd=c='));
    const commands = unescape(unescape(/sendcmd=c=((?:\\.|[^,\\])*)/s.exec(graph)![1]!));
    assert.equal(
      commands,
      '0.0-0.5 [enter] movie@source seek -1|20500000|1;1.0-1.5 [enter] movie@source seek -1|31000000|1',
    );
    assert.ok(
      graph.endsWith(
        "scale=w='min(1280,iw*if(gt(sar,0),sar,1))':h='ow*ih/(iw*if(gt(sar,0),sar,1))',setsar=1",
      ),
    );
    assert.deepEqual(args.slice(args.indexOf('-fps_mode'), args.indexOf('-fps_mode') + 4), [
      '-fps_mode', 'passthrough', '-frames:v', '3',
    ]); // prettier-ignore
    assert.equal(args.at(-1), 'pipe:1');
  });

  it("adds the container's start time to the seek commands and turns the frames upright", () => {
    const graph = graphOf(
      seekingExtractionArgs('/v.mp4', [5, 6], { maxWidth: 640, startSec: 1.48, rotation: 90 }),
    );
    assert.match(graph, /seek -1\|7480000\|1/);
    assert.ok(graph.includes(',transpose=clock,scale='));
    assert.ok(
      graphOf(seekingExtractionArgs('/v.mp4', [5, 6], { maxWidth: 640, rotation: 180 })).includes(
        ',hflip,vflip,scale=',
      ),
    );
    assert.ok(
      graphOf(seekingExtractionArgs('/v.mp4', [5, 6], { maxWidth: 640, rotation: 270 })).includes(
        ',transpose=cclock,scale=',
      ),
    );
  });

  it('takes a single frame without commands, and passes HTTP headers and the timeout through format_opts', () => {
    const single = graphOf(seekingExtractionArgs('/v.mp4', [5], { maxWidth: 640 }));
    assert.ok(!single.includes('sendcmd') && !single.includes('setpts'));
    const graph = graphOf(
      seekingExtractionArgs('http://stash:9999/scene/1/stream', [5, 6], {
        maxWidth: 640,
        headers: { ApiKey: 'k:1' },
      }),
    );
    const source = unescape(/^movie@source=((?:\\.|[^,\\])*)/s.exec(graph)![1]!);
    assert.ok(source.startsWith('filename=http\\://stash\\:9999/scene/1/stream:'));
    const formatOptions = unescape(/format_opts=(.*)$/s.exec(source)![1]!);
    assert.equal(formatOptions, 'rw_timeout=30000000:headers=ApiKey\\: k\\:1\\\r\\\n');
    assert.equal(unescape(formatOptions.split(':headers=')[1]!), 'ApiKey: k:1\r\n');
    assert.throws(() => seekingExtractionArgs('/v.mp4', [], { maxWidth: 640 }), /no frame times/);
  });
});

describe('parseSeekingShowinfoLine', () => {
  it("reads the frame number and stored time of the seeking decoder's showinfo, nothing else", () => {
    const line =
      '[showinfo@sampled @ 0x55b1c7f93680] [info] n:  12 pts:1216000 pts_time:95      pos:  8791842 fmt:yuv420p';
    assert.deepEqual(parseSeekingShowinfoLine(line), { frame: 12, timeSec: 95 });
    assert.deepEqual(
      parseSeekingShowinfoLine('[showinfo@sampled @ 0x1] n:   0 pts:  -1280 pts_time:-0.1 pos: 1'),
      { frame: 0, timeSec: -0.1 },
    );
    assert.equal(
      parseSeekingShowinfoLine('[showinfo@sampled @ 0x1] [info] config in time_base: 1/12800'),
      undefined,
    );
    assert.equal(parseSeekingShowinfoLine(line.replace('showinfo@sampled', 'Parsed_showinfo_1')), undefined);
  });
});

describe('isSeekedFrame', () => {
  const times = [10, 20, 30, 40];
  it('accepts the keyframe at or before the time, after the previous time', () => {
    assert.equal(isSeekedFrame(0, 8, times, undefined), true);
    assert.equal(isSeekedFrame(1, 20, times, 8), true);
    assert.equal(isSeekedFrame(2, 25.04, times, 20), true);
  });
  it('accepts the keyframe frame k - 1 gave when both times lie before it (keyframes far apart)', () => {
    assert.equal(isSeekedFrame(2, 18, times, 18), true);
  });
  it('refuses a frame after the time, or one the decoder went on to after a seek that did not happen', () => {
    assert.equal(isSeekedFrame(0, 10.5, times, undefined), false);
    assert.equal(isSeekedFrame(1, 8.04, times, 8), false); // the next frame after frame 0
    assert.equal(isSeekedFrame(3, 18.2, times, 18.16), false);
  });
});

describe('containerDescribesStreams', () => {
  it('skips stream probing only for MP4/MOV and Matroska/WebM', () => {
    assert.equal(containerDescribesStreams('mov,mp4,m4a,3gp,3g2,mj2'), true);
    assert.equal(containerDescribesStreams('matroska,webm'), true);
    assert.equal(containerDescribesStreams('mpegts'), false);
    assert.equal(containerDescribesStreams('avi'), false);
    assert.equal(containerDescribesStreams(''), false);
  });
});

describe('parseShowinfoLine', () => {
  it("maps the chain's showinfo filter to its frame and reads the time relative to the request", () => {
    // Five filters per chain (trim, showinfo, setpts, scale, setsar): frame k's showinfo is filter 5k + 1.
    const line = (index: number, time: string) =>
      `[Parsed_showinfo_${index} @ 0x55cc8429ac40] [info] n:   0 pts: -70400 pts_time:${time}    pos:1011947748 fmt:yuv420p`;
    assert.deepEqual(parseShowinfoLine(line(1, '-5.5')), { frame: 0, offsetSec: -5.5 });
    assert.deepEqual(parseShowinfoLine(line(11, '0.04')), { frame: 2, offsetSec: 0.04 });
    assert.equal(parseShowinfoLine(line(2, '0')), undefined);
    assert.equal(
      parseShowinfoLine('[Parsed_showinfo_1 @ 0x1] [info] config in time_base: 1/12800'),
      undefined,
    );
    assert.equal(
      parseShowinfoLine('[error] /videos/a.mp4: Invalid data found when processing input'),
      undefined,
    );
  });
});

describe('framesPerProcess and planBatches', () => {
  it('keeps the decoders of one process within the memory budget', () => {
    assert.equal(framesPerProcess(1920, 1080), 10);
    assert.equal(framesPerProcess(3840, 2160), 2);
    assert.equal(framesPerProcess(1280, 720), 20);
    assert.equal(framesPerProcess(15360, 8640), 1);
  });
  it('starts with a small batch, then full ones, covering every frame once', () => {
    assert.deepEqual(planBatches(30, 13), [
      { first: 0, size: 2 },
      { first: 2, size: 13 },
      { first: 15, size: 13 },
      { first: 28, size: 2 },
    ]);
    assert.deepEqual(planBatches(1, 13), [{ first: 0, size: 1 }]);
    assert.deepEqual(planBatches(3, 1), [
      { first: 0, size: 1 },
      { first: 1, size: 1 },
      { first: 2, size: 1 },
    ]);
  });
});

describe('withMallocTunables (the environment of the CLI and its ffmpeg)', () => {
  const ours = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432';
  it("sets glibc malloc's huge-page and heap tunables and keeps the rest of the environment", () => {
    const env = withMallocTunables({ PATH: '/usr/bin', LANG: 'C' });
    assert.deepEqual(env, { PATH: '/usr/bin', LANG: 'C', GLIBC_TUNABLES: ours });
  });
  it('adds to tunables the user set, and leaves a choice of theirs alone', () => {
    assert.equal(
      withMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES,
      `glibc.malloc.arena_max=2:${ours}`,
    );
    assert.equal(
      withMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0:glibc.malloc.top_pad=0' }).GLIBC_TUNABLES,
      'glibc.malloc.hugetlb=0:glibc.malloc.top_pad=0:glibc.malloc.mmap_threshold=33554432',
    );
    const all = {
      GLIBC_TUNABLES: 'glibc.malloc.hugetlb=2:glibc.malloc.mmap_threshold=1:glibc.malloc.top_pad=1',
    };
    assert.equal(withMallocTunables(all), all);
  });
});
