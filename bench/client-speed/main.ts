// Client speed benchmark: per-face embedding time, detection time per 1280×720 frame, end-to-end identification
// of a 60-frame scene from a generated 1080p video, and the face index (ANN) figures of bench/client-speed/ann.ts.
//
//   nice -n 10 node --conditions=source --import @swc-node/register/esm-register bench/client-speed/main.ts \
//     [--json out.json] [--compare previous.json] [--skip-ann] [--ann-sizes 100000,1000000] [--ann-queries 200]
//     [--scene-runs 3] [--frames 60] [--gop 50,250] [--scene-minutes 20] [--quick] [--process-malloc-defaults]
//
// The bench runs itself with glibc's malloc tunables (apps/client/bin/malloc-tunables.js), as the `stash-sense`
// launcher runs the CLI and the sidecar; --process-malloc-defaults keeps glibc's defaults for the bench's own process
// (ffmpeg still gets the tunables, as in the library) to compare.
//
// Real models (.models/, `node scripts/fetch-models.mjs`), real ffmpeg, the fixture photos (../shared/fixtures/faces)
// for faces and for the generated video. Goals (the "Local client" issue): ≤ 10 ms per face embedding and ≤ 3 s per
// 60-frame scene on 2 cores. Each figure is the median of several runs after a warm-up; the machine's load average
// is printed with them because other work on the same cores slows every figure down.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { withMallocTunables } from '../../apps/client/bin/malloc-tunables.js';
import { loadClientConfig } from '../../apps/client/src/config.js';
import { PIPELINE_DEFAULTS } from '../../apps/client/src/pipeline/defaults.js';
import { embedderInput } from '../../apps/client/src/pipeline/embed.js';
import {
  FacePipeline,
  loadImage,
  type RgbImage,
  sampleVideoFrames,
  probeVideo,
} from '../../apps/client/src/pipeline/index.js';
import { faceModelPaths, resolveModelsDir } from '../../apps/client/src/pipeline/models.js';
import { openSession, runModel, tensor } from '../../apps/client/src/pipeline/onnx-session.js';
import { buildLocalIndex } from '../../apps/client/src/services/enrol.service.js';
import { FaceIndexStore } from '../../apps/client/src/services/face-index-store.js';
import { IdentifyService } from '../../apps/client/src/services/identify.service.js';
import { makeVideo } from '../../apps/client/test/support/client-fixtures.js';
import { type AnnBenchmarkResult, formatComparison, formatTable, runAnnBenchmark } from './ann.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const fixtures = process.env.STASH_SENSE_FACE_FIXTURES ?? join(repoRoot, '../shared/fixtures/faces');
const img = (person: string, file: string) => join(fixtures, 'img', person, file);

/** The targets, printed beside the figures. */
export const GOALS = { embedMsPerFace: 10, sceneSec: 3 } as const;

export interface ClientSpeedResult {
  kind: 'client-speed';
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    loadAverage1mStart: number;
    loadAverage1mEnd: number;
    /** GLIBC_TUNABLES of the bench process (null: glibc's defaults). */
    glibcTunables?: string | null;
  };
  embedding: {
    /** fr_feature.onnx alone on one aligned 112×112 face, 1 intra-op thread. */
    modelMsPerFace: { p50: number; mean: number; runs: number };
    /** The same model with its PRelu nodes as published (the client decomposes them on the CPU), alternating runs. */
    publishedGraphMsPerFace?: { p50: number; mean: number; runs: number };
    /** Everything after detection (68-point landmarks, alignment, embedding, quality), 1 thread, per face. */
    afterDetectionMsPerFace: { p50: number; faces: number; runs: number };
  };
  detection: {
    /** FacePipeline.detect on a 1280×720 frame (resize to 320×240, detector, decoding, NMS). */
    frame1280x720Ms: { threads1: number; threads2: number; runs: number };
  };
  /** One entry per keyframe interval measured (frame sampling seeks to the keyframe before each frame). */
  scenes: {
    video: { width: number; height: number; durationSec: number; fps: number; keyframeInterval: number };
    frames: number;
    threads: number;
    /** IdentifyService.identifyVideo wall time: probe, frame sampling (ffmpeg), analysis, clustering, matching. */
    endToEndSec: { p50: number; runs: number[] };
    /** The frame sampling alone (ffmpeg seeks + decodes, scaled to 1280 wide). */
    decodeOnlySec: number;
    facesPerRun: number;
    people: number;
    named: string[];
  }[];
  ann?: AnnBenchmarkResult;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function timeIt<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

async function frame1280x720(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path)
    .resize(1280, 720, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function measureEmbedding(runs: number): Promise<ClientSpeedResult['embedding']> {
  const modelsDir = resolveModelsDir(loadClientConfig().modelsDir);
  const one = await FacePipeline.create({ threads: 1, modelsDir });
  try {
    const image = await loadImage(img('barack_obama', '5.jpg'));
    const [stage] = await one.analyzeImageStages(image);
    if (!stage) throw new Error('no face on the benchmark photo');
    const embedderPath = faceModelPaths(modelsDir).embedder;
    const embedder = await openSession(embedderPath, { device: 'cpu', threads: 1 });
    const published = await openSession(embedderPath, { device: 'cpu', threads: 1, decomposePRelu: false });
    const input = tensor(
      embedderInput(stage.aligned, PIPELINE_DEFAULTS.alignment.size, false),
      [1, 3, 112, 112],
    );
    for (let i = 0; i < 20; i++) await runModel(embedder.session, input);
    for (let i = 0; i < 20; i++) await runModel(published.session, input);
    // Alternating in blocks of 10, so that the shared cores' drift touches both alike.
    const times: number[] = [];
    const publishedTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      const session = Math.floor(i / 10) % 2 === 0 ? embedder.session : published.session;
      (session === embedder.session ? times : publishedTimes).push(
        (await timeIt(() => runModel(session, input)))[0],
      );
    }
    await Promise.all([embedder.session.release(), published.session.release()]);

    // After detection, per face: (analyze − detect) on a group photo, same pipeline, 1 thread.
    const group = await loadImage(join(fixtures, 'multi/cf_000_5.jpg'));
    const faces = (await one.analyzeImage(group)).length;
    if (faces === 0) throw new Error('no face found on the group photo multi/cf_000_5.jpg');
    const perFace: number[] = [];
    for (let i = 0; i < Math.max(3, runs / 40); i++) {
      const [analyze] = await timeIt(() => one.analyzeImage(group));
      const [detect] = await timeIt(() => one.detect(group));
      perFace.push((analyze - detect) / faces);
    }
    return {
      modelMsPerFace: {
        p50: round(median(times), 2),
        mean: round(times.reduce((a, b) => a + b, 0) / times.length, 2),
        runs: times.length,
      },
      publishedGraphMsPerFace: {
        p50: round(median(publishedTimes), 2),
        mean: round(publishedTimes.reduce((a, b) => a + b, 0) / publishedTimes.length, 2),
        runs: publishedTimes.length,
      },
      afterDetectionMsPerFace: { p50: round(median(perFace), 2), faces, runs: perFace.length },
    };
  } finally {
    await one.close();
  }
}

async function measureDetection(runs: number): Promise<ClientSpeedResult['detection']> {
  const frame = await frame1280x720(join(fixtures, 'multi/cf_000_5.jpg'));
  const result: Record<number, number> = {};
  for (const threads of [1, 2]) {
    const pipeline = await FacePipeline.create({ threads });
    try {
      for (let i = 0; i < 5; i++) await pipeline.detect(frame);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push((await timeIt(() => pipeline.detect(frame)))[0]);
      result[threads] = round(median(times), 2);
    } finally {
      await pipeline.close();
    }
  }
  return { frame1280x720Ms: { threads1: result[1]!, threads2: result[2]!, runs } };
}

const SCENE_PHOTOS = [
  img('barack_obama', '5.jpg'),
  img('angelina_jolie', '11.jpg'),
  join(fixtures, 'multi/cf_012_4.jpg'),
  img('compreface_person_a', '4.jpg'),
  img('john_lennon', '3.png'),
  img('deepface_unnamed_img26', '5.jpg'),
];
const SCENE_GALLERY: Record<string, string[]> = {
  barack_obama: ['1.jpg', '2.jpg', '3.jpg'],
  angelina_jolie: ['7.jpg', '8.jpg', '9.jpg'],
  compreface_person_a: ['1.jpg', '2.jpg', '3.jpg'],
  deepface_unnamed_img26: ['1.jpg', '2.jpg', '3.jpg'],
};

interface SceneOptions {
  frames: number;
  runs: number;
  /** Keyframe intervals (frames) of the generated videos. */
  gops: number[];
  secondsEach: number;
  /** Length of the generated scene videos. */
  minutes: number;
}

async function measureScenes(work: string, options: SceneOptions): Promise<ClientSpeedResult['scenes']> {
  const { frames, runs, secondsEach } = options;
  const fps = 25;
  const threads = 2;
  const pipeline = await FacePipeline.create({ threads });
  const indexDir = join(work, 'index');
  try {
    const gallery = join(work, 'gallery');
    for (const [person, files] of Object.entries(SCENE_GALLERY)) {
      mkdirSync(join(gallery, person), { recursive: true });
      for (const file of files) writeFileSync(join(gallery, person, file), readFileSync(img(person, file)));
    }
    await buildLocalIndex({ galleryDir: gallery, outDir: indexDir, pipeline, threads });
    const indexStore = new FaceIndexStore(indexDir, pipeline.model);
    const identify = new IdentifyService({ pipeline, indexStore });
    const scenes: ClientSpeedResult['scenes'] = [];
    for (const gop of options.gops) {
      const video = join(work, `scene-1080p-gop${gop}.mp4`);
      log(`generating a ${options.minutes}-minute 1080p video, keyframe every ${gop} frames…`);
      // Real scenes run 20–40 minutes, which decides how frames are seeked (60 frames over 20 minutes are 18 s apart:
      // keyframe seeking). gop 250 is x264's default (what many downloads have), 50 is 2 s at 25 fps (streaming encodes).
      await makeVideo(video, SCENE_PHOTOS, {
        width: 1920,
        height: 1080,
        secondsEach,
        fps,
        gop,
        preset: 'veryfast',
        repeatToSec: options.minutes * 60,
      });
      const { durationSec } = await probeVideo(video);
      const [decodeMs] = await timeIt(async () => {
        for await (const frame of sampleVideoFrames(video, { count: frames })) void frame;
      });
      await identify.identifyVideo(video, { frames: Math.min(frames, 10) }); // warm-up
      const times: number[] = [];
      let last: Awaited<ReturnType<IdentifyService['identifyVideo']>> | undefined;
      for (let i = 0; i < runs; i++) {
        const [ms, result] = await timeIt(() => identify.identifyVideo(video, { frames }));
        times.push(ms / 1000);
        last = result;
        log(`  scene run ${i + 1}/${runs}: ${(ms / 1000).toFixed(2)} s`);
      }
      scenes.push({
        video: {
          width: 1920,
          height: 1080,
          durationSec,
          fps,
          keyframeInterval: gop,
        },
        frames,
        threads,
        endToEndSec: { p50: round(median(times), 2), runs: times.map((t) => round(t, 2)) },
        decodeOnlySec: round(decodeMs / 1000, 2),
        facesPerRun: last!.faceCount,
        people: last!.people.length,
        named: last!.people.flatMap((p) => (p.bestMatch ? [p.bestMatch.name] : [])).sort(),
      });
    }
    await indexStore.close();
    return scenes;
  } finally {
    await pipeline.close();
  }
}

export function formatSpeed(result: ClientSpeedResult): string {
  const mark = (value: number, goal: number) => (value <= goal ? 'meets goal' : 'misses goal');
  const e = result.embedding;
  const d = result.detection.frame1280x720Ms;
  const rows: [string, string, string][] = [
    [
      'embedding per face, model only (1 thread)',
      `${e.modelMsPerFace.p50.toFixed(1)} ms`,
      `≤ ${GOALS.embedMsPerFace} ms: ${mark(e.modelMsPerFace.p50, GOALS.embedMsPerFace)}`,
    ],
    ...(e.publishedGraphMsPerFace
      ? [
          [
            '  the same model with its PRelu nodes, as published',
            `${e.publishedGraphMsPerFace.p50.toFixed(1)} ms`,
            '',
          ] as [string, string, string],
        ]
      : []),
    [
      'per face after detection: landmarks + align + embed (1 thread)',
      `${e.afterDetectionMsPerFace.p50.toFixed(1)} ms`,
      '',
    ],
    ['detection per 1280×720 frame (1 thread)', `${d.threads1.toFixed(1)} ms`, ''],
    ['detection per 1280×720 frame (2 threads)', `${d.threads2.toFixed(1)} ms`, ''],
    ...result.scenes.flatMap((s): [string, string, string][] => [
      [
        `${s.frames}-frame scene, ${s.video.height}p ${Math.round(s.video.durationSec / 60)} min, keyframe every ${s.video.keyframeInterval / s.video.fps} s, end to end (${s.threads} threads)`,
        `${s.endToEndSec.p50.toFixed(2)} s`,
        `≤ ${GOALS.sceneSec} s: ${mark(s.endToEndSec.p50, GOALS.sceneSec)}`,
      ],
      ['  frame sampling alone (ffmpeg)', `${s.decodeOnlySec.toFixed(2)} s`, ''],
    ]),
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const m = result.machine;
  return [
    `Client speed — ${m.cpu}, ${m.cores} cores, Node ${m.node}, load average ${m.loadAverage1mStart} → ${m.loadAverage1mEnd}`,
    ...rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd()),
    ...result.scenes.map(
      (s) =>
        `scene (keyframe every ${s.video.keyframeInterval} frames): ${s.facesPerRun} faces, ${s.people} people, ` +
        `named: ${s.named.join(', ') || 'none'}; runs ${s.endToEndSec.runs.join(' / ')} s`,
    ),
  ].join('\n');
}

export function formatSpeedComparison(current: ClientSpeedResult, previous: ClientSpeedResult): string {
  const pairs: [string, number, number, string][] = [
    [
      'embedding per face (model)',
      current.embedding.modelMsPerFace.p50,
      previous.embedding.modelMsPerFace.p50,
      'ms',
    ],
    [
      'per face after detection',
      current.embedding.afterDetectionMsPerFace.p50,
      previous.embedding.afterDetectionMsPerFace.p50,
      'ms',
    ],
    [
      'detection 1280×720 (1 thread)',
      current.detection.frame1280x720Ms.threads1,
      previous.detection.frame1280x720Ms.threads1,
      'ms',
    ],
    [
      'detection 1280×720 (2 threads)',
      current.detection.frame1280x720Ms.threads2,
      previous.detection.frame1280x720Ms.threads2,
      'ms',
    ],
    ...current.scenes.flatMap((scene): [string, number, number, string][] => {
      const before = (previous.scenes ?? []).find(
        (p) => p.video.keyframeInterval === scene.video.keyframeInterval && p.frames === scene.frames,
      );
      if (!before) return [];
      const label = `scene, keyframe every ${scene.video.keyframeInterval} frames`;
      return [
        [`${label}, end to end`, scene.endToEndSec.p50, before.endToEndSec.p50, 's'],
        [`${label}, frame sampling`, scene.decodeOnlySec, before.decodeOnlySec, 's'],
      ];
    }),
  ];
  return pairs
    .map(([name, now, before, unit]) => {
      const delta = now - before;
      const pct = before > 0 ? ` (${delta >= 0 ? '+' : ''}${((100 * delta) / before).toFixed(0)}%)` : '';
      return `  ${name}: ${before} → ${now} ${unit}${pct}`;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      compare: { type: 'string' },
      'skip-ann': { type: 'boolean', default: false },
      'ann-sizes': { type: 'string', default: '100000,1000000' },
      'ann-queries': { type: 'string', default: '200' },
      'scene-runs': { type: 'string', default: '3' },
      'scene-minutes': { type: 'string', default: '20' },
      gop: { type: 'string', default: '50,250' },
      frames: { type: 'string', default: String(PIPELINE_DEFAULTS.video.frameCount) },
      quick: { type: 'boolean', default: false },
      'process-malloc-defaults': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: bench/client-speed/main.ts [--json out.json] [--compare previous.json] [--skip-ann]\n' +
        '       [--ann-sizes 100000,1000000] [--ann-queries 200] [--scene-runs 3] [--frames 60] [--gop 50,250] [--scene-minutes 20] [--quick]\n' +
        "       [--process-malloc-defaults: glibc malloc defaults for the bench process, not the launcher's tunables]\n" +
        'Example: nice -n 10 node --conditions=source --import @swc-node/register/esm-register \\\n' +
        '  bench/client-speed/main.ts --skip-ann --json bench/results/client-speed.json',
    );
    return;
  }
  const tunedEnv = withMallocTunables(process.env);
  if (!values['process-malloc-defaults'] && tunedEnv !== process.env) {
    // glibc reads its tunables at process start: measure in a child that has them, as the CLI runs.
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: tunedEnv,
    });
    process.exitCode = child.status ?? 1;
    return;
  }
  const int = (text: string, what: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${what} takes a positive whole number, got "${text}"`);
    return n;
  };
  const quick = values.quick;
  const loadStart = round(loadavg()[0]!, 2);
  const work = mkdtempSync(join(tmpdir(), 'client-speed-'));
  try {
    log('embedding…');
    const embedding = await measureEmbedding(quick ? 40 : 400);
    log('detection…');
    const detection = await measureDetection(quick ? 10 : 40);
    log('scene…');
    const scenes = await measureScenes(work, {
      frames: int(values.frames, 'frames'),
      runs: quick ? 1 : int(values['scene-runs'], 'scene-runs'),
      gops: values.gop.split(',').map((g) => int(g, 'gop')),
      secondsEach: quick ? 2 : 5,
      minutes: int(values['scene-minutes'], 'scene-minutes'),
    });
    const result: ClientSpeedResult = {
      kind: 'client-speed',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model.trim() ?? 'unknown',
        cores: cpus().length,
        memoryGiB: round(totalmem() / 2 ** 30, 1),
        node: process.versions.node,
        loadAverage1mStart: loadStart,
        loadAverage1mEnd: round(loadavg()[0]!, 2),
        glibcTunables: process.env.GLIBC_TUNABLES ?? null,
      },
      embedding,
      detection,
      scenes,
    };
    if (!values['skip-ann']) {
      log('ANN (bench/client-speed/ann.ts)…');
      result.ann = await runAnnBenchmark({
        sizes: values['ann-sizes'].split(',').map((s) => int(s, 'ann-sizes')),
        dims: 512,
        queries: int(values['ann-queries'], 'ann-queries'),
        k: 10,
        log,
      });
    }
    console.log(formatSpeed(result));
    if (result.ann) console.log(`\nFace index (ANN), 1 search thread:\n${formatTable(result.ann)}`);
    if (values.compare) {
      const previous = JSON.parse(readFileSync(values.compare, 'utf8')) as ClientSpeedResult;
      console.log(
        `\nCompared with ${values.compare} (${previous.date}):\n${formatSpeedComparison(result, previous)}`,
      );
      if (result.ann && previous.ann) console.log(formatComparison(result.ann, previous.ann));
    }
    if (values.json) {
      mkdirSync(resolve(values.json, '..'), { recursive: true });
      writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
      log(`results written to ${values.json}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
