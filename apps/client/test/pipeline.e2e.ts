// Face pipeline on the real ONNX models, the labelled fixture photos and real ffmpeg (no mocks).
// Needs the models (`node scripts/fetch-models.mjs`) and ffmpeg/ffprobe on PATH.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { FaceSchema } from '@stash-sense/contracts';
import { dot } from '@stash-sense/vectors';
import {
  FacePipeline,
  InputError,
  cropFaceThumbnail,
  faceToJson,
  loadImage,
  probeVideo,
  sampleVideoFrames,
  type DetectedFace,
} from '../src/pipeline/index.js';
import { embedderInput } from '../src/pipeline/embed.js';
import { faceModelPaths, resolveModelsDir } from '../src/pipeline/models.js';
import { decomposePRelu } from '../src/pipeline/onnx-graph.js';
import { openSession } from '../src/pipeline/onnx-session.js';

const FIXTURES =
  process.env.STASH_SENSE_FACE_FIXTURES ?? join(import.meta.dirname, '../../../../shared/fixtures/faces');
const IMG = join(FIXTURES, 'img');
const photosOf = (person: string) =>
  readdirSync(join(IMG, person))
    .sort()
    .map((f) => join(IMG, person, f));
const largest = (faces: DetectedFace[]) => [...faces].sort((a, b) => b.sizePx - a.sizePx)[0];

let pipeline: FacePipeline;
let work: string;

before(async () => {
  pipeline = await FacePipeline.create({ threads: 2 });
  work = mkdtempSync(join(tmpdir(), 'pipeline-e2e-'));
});
after(async () => {
  await pipeline?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('face pipeline on photos', () => {
  it('finds a face on (nearly) every single-person photo, with unit-length 512-d embeddings', async () => {
    const photos = readdirSync(IMG).sort().flatMap(photosOf);
    let found = 0;
    let exactlyOne = 0;
    for (const photo of photos) {
      const faces = await pipeline.analyzeFile(photo);
      if (faces.length > 0) found++;
      if (faces.length === 1) exactlyOne++;
      for (const face of faces) {
        assert.equal(face.embedding.length, 512);
        assert.ok(Math.abs(dot(face.embedding, face.embedding) - 1) < 1e-4);
        assert.equal(face.landmarks.length, 5);
        assert.ok(face.quality >= 0 && face.quality <= 1 && face.sharpness >= 0 && face.sharpness <= 1);
        assert.ok(face.sizePx >= 40);
        FaceSchema.parse(faceToJson(face));
      }
    }
    // docs/models.md: 134 of 135 fixture photos (the miss is a crop cut off above the eyes).
    assert.ok(found / photos.length >= 0.97, `face found on ${found} of ${photos.length} photos`);
    assert.ok(
      exactlyOne / photos.length >= 0.95,
      `exactly one face on ${exactlyOne} of ${photos.length} photos`,
    );
  });

  it('counts the faces of the group photos (multi.tsv) within one, with a 20 px minimum face size', async () => {
    const small = await FacePipeline.create({ threads: 2, minFaceSize: 20 });
    try {
      const rows = readFileSync(join(FIXTURES, 'multi.tsv'), 'utf8').trim().split('\n').slice(1);
      for (const row of rows) {
        const [path, , , , count] = row.split('\t');
        const faces = await small.analyzeFile(join(FIXTURES, path!));
        assert.ok(
          Math.abs(faces.length - Number(count)) <= 1,
          `${path}: ${faces.length} faces, expected ${count}`,
        );
      }
    } finally {
      await small.close();
    }
  });

  it("puts the same person's photos closer together than different people's (Obama vs Biden)", async () => {
    const embed = async (person: string) =>
      Promise.all(photosOf(person).map(async (p) => largest(await pipeline.analyzeFile(p))!.embedding));
    const obama = await embed('barack_obama');
    const biden = await embed('joe_biden');
    const same: number[] = [];
    for (let i = 0; i < obama.length; i++)
      for (let j = i + 1; j < obama.length; j++) same.push(dot(obama[i]!, obama[j]!));
    same.push(dot(biden[0]!, biden[1]!));
    const different = obama.flatMap((o) => biden.map((b) => dot(o, b)));
    assert.ok(
      Math.min(...same) > Math.max(...different),
      `same ≥ ${Math.min(...same)}, different ≤ ${Math.max(...different)}`,
    );
  });

  it('gives the same face for an EXIF-rotated copy of a photo', async () => {
    const original = photosOf('barack_obama')[0]!;
    // Store the pixels turned a quarter left and tag them "rotate 90° clockwise to display" (orientation 6).
    const rotated = join(work, 'rotated.jpg');
    const stored = await sharp(original).rotate(270).jpeg({ quality: 95 }).toBuffer();
    await sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(rotated);
    const a = largest(await pipeline.analyzeFile(original))!;
    const b = largest(await pipeline.analyzeFile(rotated))!;
    a.box.forEach((v, i) => assert.ok(Math.abs(v - b.box[i]!) <= 4, `box ${a.box} vs ${b.box}`));
    assert.ok(dot(a.embedding, b.embedding) > 0.95, `similarity ${dot(a.embedding, b.embedding)}`);
  });

  it('scores a blurred copy of a face as less sharp and of lower quality', async () => {
    const original = photosOf('angelina_jolie')[0]!;
    const image = await loadImage(original);
    const sharpFace = largest(await pipeline.analyzeImage(image))!;
    // Blur of σ = 3 px at the 112-px crop's scale: the embedding suffers (docs/models.md), so the quality must drop.
    const sigma = (3 * sharpFace.sizePx) / 112;
    const blurred = await loadImage(
      await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .blur(sigma)
        .png()
        .toBuffer(),
    );
    const blurredFace = largest(await pipeline.analyzeImage(blurred))!;
    assert.ok(sharpFace.sharpness > 0.6, `sharp photo scored ${sharpFace.sharpness}`);
    assert.ok(
      blurredFace.sharpness < sharpFace.sharpness - 0.3,
      `${blurredFace.sharpness} vs ${sharpFace.sharpness}`,
    );
    assert.ok(blurredFace.quality < sharpFace.quality);
  });

  it('throws an InputError naming a corrupt or missing image', async () => {
    const good = readFileSync(photosOf('barack_obama')[0]!);
    const corrupt = join(work, 'truncated.jpg');
    writeFileSync(corrupt, good.subarray(0, Math.floor(good.length / 3)));
    for (const file of [corrupt, join(work, 'missing.png')]) {
      await assert.rejects(pipeline.analyzeFile(file), (error: unknown) => {
        assert.ok(error instanceof InputError, String(error));
        assert.equal(error.file, file);
        assert.ok(error.message.includes(file));
        return true;
      });
    }
  });

  it('makes a square JPEG thumbnail of a face', async () => {
    const image = await loadImage(photosOf('joe_biden')[0]!);
    const face = largest(await pipeline.analyzeImage(image))!;
    const jpeg = await cropFaceThumbnail(image, face.box);
    const meta = await sharp(jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 128, 128]);
    const small = await sharp(await cropFaceThumbnail(image, face.box, 64)).metadata();
    assert.deepEqual([small.width, small.height], [64, 64]);
    const [thumbFace] = await pipeline.analyzeImage(await loadImage(jpeg));
    assert.ok(thumbFace, 'the thumbnail shows the face');
  });

  it('falls back to the CPU with a warning when CUDA is requested but not available', async (t) => {
    const warnings: string[] = [];
    const gpu = await FacePipeline.create({ device: 'cuda', threads: 1, onWarning: (m) => warnings.push(m) });
    try {
      if (gpu.device === 'cuda') return t.skip('this machine has a working CUDA provider');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /^CUDA execution provider not available: .*; using CPU$/);
      const [face] = await gpu.analyzeFile(photosOf('barack_obama')[0]!);
      assert.ok(face);
    } finally {
      await gpu.close();
    }
  });

  it('says how to install the models when they are missing', async () => {
    await assert.rejects(FacePipeline.create({ modelsDir: join(work, 'no-models') }), /fetch-models\.mjs/);
  });
});

describe('the embedder on the CPU (PRelu decomposed)', () => {
  it("gives the published model's embeddings on real aligned faces", async () => {
    const path = faceModelPaths(resolveModelsDir()).embedder;
    const { model, preluNodes } = decomposePRelu(readFileSync(path));
    assert.equal(preluNodes, 33, 'fr_feature.onnx has a PRelu after each of 33 convolutions');
    const opened = await openSession(path, { device: 'cpu', threads: 1 });
    const published = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    try {
      const ops = (onnxProto.onnx.ModelProto.decode(model).graph?.node ?? []).map((node) => node.opType);
      assert.ok(ops.length > 0);
      assert.ok(!ops.includes('PRelu'), 'no PRelu left');
      const crops = (
        await Promise.all(
          ['angelina_jolie', 'barack_obama', 'bbt_penny'].map(async (person) =>
            pipeline.analyzeImageStages(await loadImage(photosOf(person)[0]!)),
          ),
        )
      ).flatMap((stages) => stages.map((s) => s.aligned));
      assert.ok(crops.length >= 3, `faces found: ${crops.length}`);
      let largestDifference = 0;
      for (const crop of crops) {
        const x = new ort.Tensor('float32', embedderInput(crop, 112), [1, 3, 112, 112]);
        const expected = (await published.run({ input: x })).output!.data as Float32Array;
        const actual = (await opened.session.run({ input: x })).output!.data as Float32Array;
        assert.equal(actual.length, 512);
        for (let i = 0; i < expected.length; i++)
          largestDifference = Math.max(largestDifference, Math.abs(expected[i]! - actual[i]!));
      }
      // Float rounding only (measured 3e-7 on raw outputs of magnitude ≤ 0.3); a wrong slope moves outputs by > 1e-3.
      assert.ok(largestDifference < 1e-5, `largest difference ${largestDifference}`);
    } finally {
      await Promise.all([opened.session.release(), published.release()]);
    }
  });
});

describe('video frames', () => {
  const people = ['barack_obama', 'joe_biden', 'angelina_jolie'];
  const secondsEach = 2;
  let video: string;

  before(() => {
    // 1280×720, 2 s per photo, keyframe every second: person k fills [2k, 2k+2) s.
    video = join(work, 'people.mp4');
    const inputs = people.flatMap((p) => ['-loop', '1', '-t', String(secondsEach), '-i', photosOf(p)[0]!]);
    const fit =
      'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25';
    const graph =
      people.map((_, i) => `[${i}]${fit}[v${i}]`).join(';') +
      `;${people.map((_, i) => `[v${i}]`).join('')}concat=n=${people.length}:v=1:a=0`;
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...inputs, '-filter_complex', graph, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', video]); // prettier-ignore
  });

  it('probes duration and size', async () => {
    const info = await probeVideo(video);
    assert.ok(Math.abs(info.durationSec - people.length * secondsEach) < 0.1, `${info.durationSec}`);
    assert.deepEqual([info.width, info.height], [1280, 720]);
  });

  it('samples frames at the planned times, in order, scaled, and the right person is in each', async () => {
    const reference = await Promise.all(
      people.map(async (p) => largest(await pipeline.analyzeFile(photosOf(p)[0]!))!.embedding),
    );
    const frames = [];
    for await (const frame of sampleVideoFrames(video, {
      count: 6,
      startFraction: 0.1,
      endFraction: 0.9,
      maxWidth: 640,
    })) {
      frames.push(frame);
    }
    assert.deepEqual(
      frames.map((f) => f.index),
      [0, 1, 2, 3, 4, 5],
    );
    const duration = people.length * secondsEach;
    // Frames this close are decoded exactly: the first frame at or after the planned time (25 fps: within 0.04 s).
    frames.forEach((f, i) => {
      const planned = duration * (0.1 + (0.8 * i) / 5);
      assert.ok(Math.abs(f.requestedSec - planned) < 0.001, `${f.requestedSec}`);
      assert.ok(f.timestampSec >= planned - 0.001 && f.timestampSec < planned + 0.04, `${f.timestampSec}`);
    });
    for (const frame of frames) {
      assert.deepEqual([frame.image.width, frame.image.height], [640, 360]);
      const face = largest(await pipeline.analyzeImage(frame.image));
      assert.ok(face, `a face at ${frame.timestampSec} s`);
      const expected = Math.floor(frame.timestampSec / secondsEach);
      const similarities = reference.map((r) => dot(r, face.embedding));
      const best = similarities.indexOf(Math.max(...similarities));
      assert.equal(
        best,
        expected,
        `at ${frame.timestampSec.toFixed(2)} s: similarities ${similarities.map((s) => s.toFixed(2))}`,
      );
    }
  });

  it('with keyframe seeking takes the keyframe at or before each time, once, with the right person', async () => {
    const reference = await Promise.all(
      people.map(async (p) => largest(await pipeline.analyzeFile(photosOf(p)[0]!))!.embedding),
    );
    const frames = [];
    // 12 times 0.5 s apart over a video with a keyframe every second: pairs share a keyframe.
    for await (const frame of sampleVideoFrames(video, {
      count: 12,
      startFraction: 0.05,
      endFraction: 0.95,
      seek: 'keyframe',
      framesPerProcess: 5,
    })) {
      frames.push(frame);
    }
    const times = frames.map((f) => f.timestampSec);
    assert.deepEqual(
      times,
      [...new Set(times)].sort((a, b) => a - b),
      'distinct keyframes, in order',
    );
    assert.ok(frames.length >= 5 && frames.length < 12, `${frames.length} frames: ${times}`);
    for (const frame of frames) {
      assert.ok(
        frame.timestampSec <= frame.requestedSec + 0.001,
        `${frame.timestampSec} ≤ ${frame.requestedSec}`,
      );
      assert.ok(frame.requestedSec - frame.timestampSec < 1.001, 'within one keyframe interval');
      assert.ok(
        Math.abs(frame.timestampSec - Math.round(frame.timestampSec)) < 0.001,
        'keyframes are on whole seconds',
      );
      const face = largest(await pipeline.analyzeImage(frame.image));
      assert.ok(face, `a face at ${frame.timestampSec} s`);
      const similarities = reference.map((r) => dot(r, face.embedding));
      assert.equal(
        similarities.indexOf(Math.max(...similarities)),
        Math.floor(frame.timestampSec / secondsEach),
      );
    }
  });

  it("takes keyframes with one seeking decoder: ffmpeg's own keyframe-seek pixels, upright, any file name", async () => {
    // A copy whose container asks for a quarter turn, named with every character ffmpeg's filtergraph treats specially.
    const rotated = join(work, "it's [rotated], 90; turn: yes.mp4");
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]); // prettier-ignore
    const info = await probeVideo(rotated);
    // A quarter turn (which way depends on how this ffmpeg writes the tag; the pixels below check the direction).
    assert.deepEqual([info.width, info.height, info.rotation % 180], [720, 1280, 90]);
    const frames = [];
    for await (const frame of sampleVideoFrames(rotated, { count: 3, seek: 'keyframe' })) frames.push(frame);
    assert.equal(frames.length, 3);
    for (const frame of frames) {
      assert.deepEqual([frame.image.width, frame.image.height], [720, 1280]);
      assert.ok(
        Math.abs(frame.timestampSec - Math.round(frame.timestampSec)) < 0.001,
        'keyframes on whole seconds',
      );
      assert.ok(
        frame.timestampSec <= frame.requestedSec + 0.001 && frame.requestedSec - frame.timestampSec < 1,
      );
      // ffmpeg's keyframe seek on the command line (autorotated; setpts=0 keeps the keyframe before the time).
      const reference = execFileSync(
        'ffmpeg',
        ['-v', 'error', '-noaccurate_seek', '-ss', frame.requestedSec.toFixed(3), '-i', rotated,
          '-filter_complex', '[0:v:0]setpts=0', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1'],
        { maxBuffer: 64 << 20 },
      ); // prettier-ignore
      assert.ok(reference.subarray(reference.length - frame.image.data.length).equals(frame.image.data));
    }
  });

  it('decodes frames from an HTTP stream, sending the headers on every request', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.apikey));
      const data = readFileSync(video);
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range && range[2] ? Number(range[2]) : data.length - 1;
      res.writeHead(range ? 206 : 200, {
        'content-type': 'video/mp4',
        'accept-ranges': 'bytes',
        'content-length': String(end - start + 1),
        ...(range ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
      });
      res.end(data.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const frames = [];
      for await (const frame of sampleVideoFrames(`http://127.0.0.1:${port}/scene.mp4`, {
        count: 4,
        headers: { ApiKey: 'secret' },
        framesPerProcess: 3,
      })) {
        frames.push(frame);
      }
      assert.deepEqual(
        frames.map((f) => f.index),
        [0, 1, 2, 3],
      );
      assert.ok(seen.length >= 5, `${seen.length} requests`);
      assert.ok(seen.every((key) => key === 'secret'));
      // Keyframe seeking: one seeking decoder, which sends the headers on each of its range requests too.
      const before = seen.length;
      const keyframes = [];
      for await (const frame of sampleVideoFrames(`http://127.0.0.1:${port}/scene.mp4`, {
        count: 4,
        seek: 'keyframe',
        headers: { ApiKey: 'secret: with a colon' },
      })) {
        keyframes.push(frame.timestampSec);
      }
      assert.equal(keyframes.length, 4);
      const requests: string[] = seen.slice(before);
      assert.ok(requests.length >= 2, `${requests.length} requests`);
      assert.ok(
        requests.every((key) => key === 'secret: with a colon'),
        requests.join(' | '),
      );
    } finally {
      server.close();
    }
  });

  it('stops early when the consumer breaks out, and honours an abort signal', async () => {
    let taken = 0;
    for await (const _frame of sampleVideoFrames(video, { count: 10 })) {
      if (++taken === 2) break;
    }
    assert.equal(taken, 2);
    const controller = new AbortController();
    const frames = sampleVideoFrames(video, { count: 10, signal: controller.signal });
    await frames.next();
    controller.abort();
    await assert.rejects(frames.next(), { name: 'AbortError' });
  });

  it('throws an InputError naming a corrupt or missing video', async () => {
    const corrupt = join(work, 'corrupt.mp4');
    writeFileSync(corrupt, Buffer.from('this is not a video at all'));
    for (const file of [corrupt, join(work, 'missing.mp4')]) {
      await assert.rejects(
        async () => {
          for await (const _frame of sampleVideoFrames(file, { count: 2 })) assert.fail('no frame expected');
        },
        (error: unknown) =>
          error instanceof InputError && error.file === file && error.message.includes(file),
      );
    }
  });
});
