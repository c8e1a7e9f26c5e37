// Timings of the stash-sense plugin's heaviest calls against its timeouts (180 s for a scene, 300 s for a gallery):
// POST /identify/scene for a 60-frame scene sampled from Stash's HTTP stream (the file is not on this machine), and
// POST /identify/gallery for a 50-image gallery, in the plugin's request shapes, through the real sidecar process
// (real models, a face index built by the CLI) and the fixture Stash of the tests (a GraphQL server from Stash's
// schema, API key on, stream served with Range support).
//
//   nice -n 10 node --conditions=source --import @swc-node/register/esm-register bench/stash-sense-compat/main.ts \
//     [--runs 3] [--width 1920] [--height 1080] [--seconds 1200] [--images 50] [--json out.json]
//
// Each figure is the median of --runs runs after one warm-up call; the load average is printed beside them
// because other work on the same cores slows every figure down.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  IMG,
  makeGallery,
  makeVideo,
  photo,
  runCli,
  startSidecarProcess,
} from '../../apps/client/test/support/client-fixtures.js';
import { StashFixtureServer } from '../../test/support/stash-server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    width: { type: 'string', default: '1920' },
    height: { type: 'string', default: '1080' },
    seconds: { type: 'string', default: '1200' },
    images: { type: 'string', default: '50' },
    json: { type: 'string' },
  },
});
const runs = Number(values.runs);
const API_KEY = 'bench-api-key';
const STASHDB = 'https://stashdb.org/graphql';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(
  url: string,
  path: string,
  body: unknown,
): Promise<{ ms: number; body: Record<string, unknown> }> {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return { ms: performance.now() - started, body: JSON.parse(text) as Record<string, unknown> };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'bench-compat-'));
  try {
    const people = readdirSync(IMG).sort();
    const allPhotos = people.flatMap((p) =>
      readdirSync(join(IMG, p))
        .sort()
        .map((f) => join(IMG, p, f)),
    );
    const enrolled = [
      'barack_obama',
      'angelina_jolie',
      'amy_adams',
      'bradley_cooper',
      'paul_rudd',
      'steve_carell',
    ];
    const gallery = makeGallery(
      join(work, 'gallery'),
      Object.fromEntries(
        enrolled.map((p) => [
          p,
          readdirSync(join(IMG, p))
            .sort()
            .slice(0, 3)
            .map((f) => join(IMG, p, f)),
        ]),
      ),
    );
    const seconds = Number(values.seconds);
    const shown = [
      photo('barack_obama', '5.jpg'),
      photo('angelina_jolie', '11.jpg'),
      photo('barack_obama', '4.jpg'),
      photo('angelina_jolie', '12.jpg'),
    ];
    const video = join(work, 'scene.mp4');
    console.error(`building the index and a ${seconds} s ${values.width}×${values.height} video…`);
    const [build] = await Promise.all([
      runCli(['index', 'build-local', '--gallery', gallery, '--out', join(work, 'index'), '--no-progress']),
      makeVideo(video, shown, {
        width: Number(values.width),
        height: Number(values.height),
        // Real scenes run 20–40 minutes: 60 frames over 20 minutes are 18 s apart (keyframe seeking).
        secondsEach: Math.min(5, seconds / shown.length),
        fps: 25,
        repeatToSec: seconds,
      }),
    ]);
    if (build.code !== 0) throw new Error(build.stderr);

    const stash = await new StashFixtureServer({ apiKey: API_KEY }).start();
    stash.addScene({
      id: '1',
      files: [
        {
          path: '/mnt/elsewhere/scene.mp4',
          duration: seconds,
          width: Number(values.width),
          height: Number(values.height),
        },
      ],
      performerIds: [],
      streamFile: video,
    });
    const imageCount = Number(values.images);
    for (let i = 0; i < imageCount; i++)
      stash.addImage({ id: String(i + 1), file: allPhotos[i % allPhotos.length]!, galleryIds: ['1'] });
    stash.addGallery({ id: '1' });
    stash.stashBoxes.set(STASHDB, new Map());

    const sidecar = await startSidecarProcess(['--index', join(work, 'index')], {
      env: {
        STASH_SENSE_FROM_SOURCE: '1',
        STASH_SENSE_STASH_URL: stash.url,
        STASH_SENSE_STASH_API_KEY: API_KEY,
        STASH_SENSE_CLOUD_URL: '',
      },
      timeoutMs: 120_000,
    });
    try {
      await timed(sidecar.url, '/identify/scene', { scene_id: '1', top_k: 5, num_frames: 5 }); // warm-up
      const scene: number[] = [];
      let last: Record<string, unknown> = {};
      for (let r = 0; r < runs; r++) {
        stash.streamRequests = [];
        const { ms, body } = await timed(sidecar.url, '/identify/scene', { scene_id: '1', top_k: 5 });
        scene.push(ms);
        last = { ...body, streamRequests: stash.streamRequests.length };
        console.error(
          `scene run ${r + 1}: ${(ms / 1000).toFixed(1)} s, ${String(body.frames_analyzed)} frames, ${stash.streamRequests.length} HTTP range requests, load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      const galleryTimes: number[] = [];
      let lastGallery: Record<string, unknown> = {};
      for (let r = 0; r < runs; r++) {
        const { ms, body } = await timed(sidecar.url, '/identify/gallery', { gallery_id: '1' });
        galleryTimes.push(ms);
        lastGallery = body;
        console.error(
          `gallery run ${r + 1}: ${(ms / 1000).toFixed(1)} s, ${String(body.images_processed)} images, ${String(body.faces_detected)} faces, load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      const result = {
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          memGiB: Math.round(totalmem() / 2 ** 30),
          loadavg: loadavg(),
        },
        video: { width: Number(values.width), height: Number(values.height), seconds, fps: 25 },
        scene: {
          medianSec: median(scene) / 1000,
          runsSec: scene.map((ms) => ms / 1000),
          framesAnalyzed: last.frames_analyzed,
          facesDetected: last.faces_detected,
          rangeRequests: last.streamRequests,
          pluginTimeoutSec: 180,
        },
        gallery: {
          medianSec: median(galleryTimes) / 1000,
          runsSec: galleryTimes.map((ms) => ms / 1000),
          images: lastGallery.images_processed,
          facesDetected: lastGallery.faces_detected,
          pluginTimeoutSec: 300,
        },
      };
      console.log(JSON.stringify(result, null, 2));
      if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
    } finally {
      await sidecar.stop();
      await stash.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
