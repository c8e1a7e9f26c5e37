// The sidecar (`stash-sense serve`) as a real process over real HTTP on an ephemeral port, with the real models,
// a face index built by the CLI from fixture photos, and an ffmpeg-made video. No mocks.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MALLOC_TUNABLES } from '../bin/malloc-tunables.js';
import {
  FaceIndexInfoSchema,
  SidecarErrorSchema,
  SidecarHealthSchema,
  SidecarIdentifyResponseSchema,
  SidecarIdentifySceneResponseSchema,
} from '@stash-sense/contracts';
import {
  makeGallery,
  makeVideo,
  photo,
  runCli,
  type SidecarProcess,
  startSidecarProcess,
  writeCorruptImage,
} from './support/client-fixtures.js';

let work: string;
let indexDir: string;
let video: string;
let sidecar: SidecarProcess;
let imageServer: Server;
let imageServerUrl: string;

const GALLERY = {
  angelina_jolie: [
    photo('angelina_jolie', '7.jpg'),
    photo('angelina_jolie', '8.jpg'),
    photo('angelina_jolie', '9.jpg'),
  ],
  barack_obama: [
    photo('barack_obama', '1.jpg'),
    photo('barack_obama', '2.jpg'),
    photo('barack_obama', '3.jpg'),
  ],
};

async function buildIndex(out: string): Promise<void> {
  const gallery = makeGallery(join(work, 'gallery'), GALLERY);
  const build = await runCli([
    'index',
    'build-local',
    '--gallery',
    gallery,
    '--out',
    out,
    '--force',
    '--no-progress',
  ]);
  assert.equal(build.code, 0, build.stderr);
}

/** Serves a fixture photo at /obama.jpg and answers 404 elsewhere: the `image_url` source. */
function startImageServer(): Promise<void> {
  const jpeg = readFileSync(photo('barack_obama', '4.jpg'));
  imageServer = createServer((req, res) => {
    if (req.url?.startsWith('/obama.jpg')) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    else res.writeHead(404).end('not here');
  });
  return new Promise((resolve) =>
    imageServer.listen(0, '127.0.0.1', () => {
      imageServerUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

async function postJson(path: string, body: unknown, base = sidecar.url): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function upload(file: Buffer | string, fields: Record<string, string> = {}, field = 'image'): FormData {
  const form = new FormData();
  const bytes = typeof file === 'string' ? readFileSync(file) : file;
  form.append(field, new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}

/** Asserts a 4xx/5xx answer with the `{ detail }` body and returns the detail. */
async function expectError(response: Response, status: number): Promise<string> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return SidecarErrorSchema.parse(JSON.parse(text)).detail;
}

async function expectHealthy(base = sidecar.url): Promise<void> {
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sidecar-e2e-'));
  indexDir = join(work, 'index');
  await Promise.all([
    buildIndex(indexDir),
    startImageServer(),
    makeVideo(join(work, 'scene.mp4'), [photo('barack_obama', '5.jpg'), photo('angelina_jolie', '11.jpg')], {
      width: 1280,
      height: 720,
      secondsEach: 2,
    }).then((path) => (video = path)),
  ]);
  sidecar = await startSidecarProcess(['--index', indexDir, '--max-upload-mb', '1']);
});

after(async () => {
  await sidecar?.stop();
  imageServer?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('sidecar status endpoints', () => {
  it('GET /health reports the model, device and loaded index', async () => {
    const response = await fetch(`${sidecar.url}/health`);
    assert.equal(response.status, 200);
    const health = SidecarHealthSchema.parse(await response.json());
    assert.equal(health.device, 'cpu');
    assert.equal(health.model.name, 'faceplugin-fr-feature');
    assert.deepEqual(
      { loaded: health.index.loaded, performers: health.index.performerCount, faces: health.index.faceCount },
      { loaded: true, performers: 2, faces: 6 },
    );
  });

  it('GET /database/info describes the index', async () => {
    const info = FaceIndexInfoSchema.parse(await (await fetch(`${sidecar.url}/database/info`)).json());
    assert.equal(info.dir, indexDir);
    assert.equal(info.performerCount, 2);
    assert.equal(info.faceCount, 6);
    assert.ok(info.sizeBytes > 0);
    assert.match(info.indexVersion, /^local-/);
  });

  it("runs with glibc's malloc tunables, which its ffmpeg processes inherit (bin/malloc-tunables.js)", () => {
    // The launcher starts the CLI in a child node: glibc reads GLIBC_TUNABLES only at process start.
    const launcher = sidecar.child.pid!;
    const children = readFileSync(`/proc/${launcher}/task/${launcher}/children`, 'utf8').trim().split(/\s+/);
    assert.equal(children.length, 1, `the launcher should run one child, found ${children.join(' ')}`);
    // glibc turns the ':' of GLIBC_TUNABLES into NULs in the process's own copy of its environment block.
    const environ = readFileSync(`/proc/${children[0]}/environ`, 'utf8').split('\0');
    const at = environ.findIndex((v) => v.startsWith('GLIBC_TUNABLES='));
    assert.ok(at >= 0, 'GLIBC_TUNABLES should be set');
    const tunables = [environ[at]!.slice('GLIBC_TUNABLES='.length)];
    for (let i = at + 1; environ[i]?.startsWith('glibc.'); i++) tunables.push(environ[i]!);
    assert.deepEqual(
      tunables.join(':').split(':').sort(),
      Object.entries(MALLOC_TUNABLES)
        .map(([name, value]) => `${name}=${value}`)
        .sort(),
    );
  });
  it('GET /openapi.json is generated from the contracts', async () => {
    const doc = (await (await fetch(`${sidecar.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/contributions',
      '/contributions/status',
      '/database/check-update',
      '/database/info',
      '/database/update',
      '/feedback',
      '/health',
      '/identify',
      '/identify/gallery',
      '/identify/image',
      '/identify/scene',
      '/openapi.json',
      '/stash/create-performer',
      '/stash/link-performer',
      '/stash/scene/{id}/performers',
      '/stash/search-performers',
    ]);
    assert.ok(doc.paths['/identify']!.post);
    for (const schema of [
      'SidecarIdentifyResponse',
      'SidecarIdentifySceneResponse',
      'SidecarError',
      'SidecarHealth',
    ]) {
      assert.ok(doc.components.schemas[schema], `components.schemas.${schema}`);
    }
  });
});

describe('POST /identify', () => {
  it('identifies an uploaded image (multipart field "image"), embeddings only when asked', async () => {
    const plain = await fetch(`${sidecar.url}/identify`, {
      method: 'POST',
      body: upload(photo('barack_obama', '4.jpg')),
    });
    assert.equal(plain.status, 200);
    const body = SidecarIdentifyResponseSchema.parse(await plain.json());
    assert.equal(body.people[0]?.bestMatch?.name, 'barack_obama');
    assert.equal(body.faces[0]?.embedding, undefined);
    assert.equal(body.model.dimension, 512);
    assert.ok(body.timing.totalMs > 0);

    const withEmbeddings = await fetch(`${sidecar.url}/identify`, {
      method: 'POST',
      body: upload(photo('barack_obama', '4.jpg'), { include_embeddings: 'true', top_k: '1' }),
    });
    const full = SidecarIdentifyResponseSchema.parse(await withEmbeddings.json());
    assert.equal(full.faces[0]?.embedding?.length, 512);
    assert.equal(full.people[0]?.candidates.length, 1);
  });

  it('identifies a local file by path and a remote one by image_url', async () => {
    const byPath = SidecarIdentifyResponseSchema.parse(
      await (await postJson('/identify', { path: photo('angelina_jolie', '10.jpg') })).json(),
    );
    assert.equal(byPath.people[0]?.bestMatch?.name, 'angelina_jolie');
    const byUrl = await postJson('/identify', { image_url: `${imageServerUrl}/obama.jpg?apikey=secret` });
    assert.equal(byUrl.status, 200);
    assert.equal(
      SidecarIdentifyResponseSchema.parse(await byUrl.json()).people[0]?.bestMatch?.name,
      'barack_obama',
    );
  });

  it('leaves an unknown person unknown', async () => {
    const response = await postJson('/identify', { path: photo('john_lennon', '2.jpg') });
    const body = SidecarIdentifyResponseSchema.parse(await response.json());
    assert.equal(body.faces.length, 1);
    assert.equal(body.people[0]?.bestMatch, null);
    assert.ok((body.people[0]?.candidates.length ?? 0) > 0, 'the nearest performers are still listed');
  });

  it('serves concurrent requests (queued, one analysis at a time)', async () => {
    const files = [
      photo('barack_obama', '5.jpg'),
      photo('angelina_jolie', '10.jpg'),
      photo('barack_obama', '4.jpg'),
    ];
    const responses = await Promise.all(files.map((path) => postJson('/identify', { path })));
    const names = await Promise.all(
      responses.map(
        async (r) => SidecarIdentifyResponseSchema.parse(await r.json()).people[0]?.bestMatch?.name,
      ),
    );
    assert.deepEqual(names, ['barack_obama', 'angelina_jolie', 'barack_obama']);
  });
});

describe('POST /identify/scene', () => {
  it('identifies the people of a local video file', async () => {
    const response = await postJson('/identify/scene', { path: video, frames: 10 });
    assert.equal(response.status, 200);
    const body = SidecarIdentifySceneResponseSchema.parse(await response.json());
    assert.equal(body.framesSampled, 10);
    assert.deepEqual(body.people.flatMap((p) => (p.bestMatch ? [p.bestMatch.name] : [])).sort(), [
      'angelina_jolie',
      'barack_obama',
    ]);
    assert.ok(body.people.every((p) => p.track.points.length === p.faceCount));
  });

  it('answers scene_id with 503 when no Stash URL is configured, saying what to set (apps/client/test/stash-sidecar.e2e.ts covers Stash)', async () => {
    const detail = await expectError(await postJson('/identify/scene', { scene_id: '42' }), 503);
    assert.match(detail, /STASH_SENSE_STASH_URL.*"path"/);
  });
});

describe('bad input gets a 4xx with a detail, and the sidecar stays up', () => {
  it('answers each bad request with the right status', async () => {
    const url = sidecar.url;
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      [
        'multipart without a file',
        () =>
          fetch(`${url}/identify`, {
            method: 'POST',
            body: (() => {
              const f = new FormData();
              f.append('top_k', '3');
              return f;
            })(),
          }),
        400,
        /no image uploaded.*"image"/,
      ],
      [
        'file in another field',
        () =>
          fetch(`${url}/identify`, {
            method: 'POST',
            body: upload(photo('barack_obama', '4.jpg'), {}, 'file'),
          }),
        400,
        /unexpected file field "file"/,
      ],
      [
        'corrupt image upload',
        () =>
          fetch(`${url}/identify`, {
            method: 'POST',
            body: upload(Buffer.from('not a jpeg at all'.repeat(10))),
          }),
        400,
        /uploaded image "photo\.jpg": cannot be read as an image/,
      ],
      [
        'corrupt image by path',
        () => postJson('/identify', { path: writeCorruptImage(join(work, 'corrupt.jpg')) }),
        400,
        /corrupt\.jpg: cannot be read as an image/,
      ],
      [
        'missing path',
        () => postJson('/identify', { path: join(work, 'missing.jpg') }),
        404,
        /missing\.jpg: no such file/,
      ],
      ['no body at all', () => fetch(`${url}/identify`, { method: 'POST' }), 400, /no image/],
      ['empty JSON object', () => postJson('/identify', {}), 400, /exactly one of image_url or path/],
      [
        'both sources',
        () => postJson('/identify', { path: '/a.jpg', image_url: 'http://x/y.jpg' }),
        400,
        /exactly one/,
      ],
      [
        'unknown field',
        () => postJson('/identify', { path: '/a.jpg', threshold: 0.3 }),
        400,
        /unknown field "threshold"/,
      ],
      ['wrong field type', () => postJson('/identify', { path: 42 }), 400, /"path" must be string/],
      ['top_k out of range', () => postJson('/identify', { path: '/a.jpg', top_k: 500 }), 400, /top_k/],
      ['array instead of object', () => postJson('/identify', [1, 2]), 400, /body must be object/],
      ['invalid JSON', () => postJson('/identify', '{"path": '), 400, /not valid JSON/],
      [
        'non-http image_url',
        () => postJson('/identify', { image_url: 'file:///etc/passwd' }),
        400,
        /http:\/\/ or https:\/\//,
      ],
      [
        'image_url answering 404',
        () => postJson('/identify', { image_url: `${imageServerUrl}/nothing.jpg` }),
        502,
        /answered 404/,
      ],
      [
        'unsupported content type',
        () =>
          fetch(`${url}/identify`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'hello',
          }),
        415,
        /multipart\/form-data or application\/json/,
      ],
      [
        'huge JSON body',
        () => postJson('/identify', { path: 'x'.repeat(200_000) }),
        413,
        /larger than the limit of 64 KiB/,
      ],
      [
        'upload over --max-upload-mb',
        () => fetch(`${url}/identify`, { method: 'POST', body: upload(Buffer.alloc(2 * 1024 * 1024, 1)) }),
        413,
        /larger than the limit of 1 MiB/,
      ],
      ['scene without path', () => postJson('/identify/scene', { frames: 5 }), 400, /missing "path"/],
      [
        'scene with a bad field type',
        () => postJson('/identify/scene', { path: video, frames: 'ten' }),
        400,
        /"frames" must be number/,
      ],
      [
        'scene path that is not a video',
        () => postJson('/identify/scene', { path: writeCorruptImage(join(work, 'fake.mp4')) }),
        400,
        /fake\.mp4/,
      ],
      [
        'scene path missing',
        () => postJson('/identify/scene', { path: join(work, 'missing.mp4') }),
        404,
        /no such file/,
      ],
      [
        'scene as multipart',
        () =>
          fetch(`${url}/identify/scene`, { method: 'POST', body: upload(photo('barack_obama', '4.jpg')) }),
        415,
        /send JSON/,
      ],
      ['unknown route', () => fetch(`${url}/nope`), 404, /no such endpoint: GET \/nope/],
      ['wrong method', () => fetch(`${url}/identify`), 405, /GET is not allowed on \/identify; use POST/],
    ];
    for (const [name, send, status, detail] of cases) {
      const response = await send();
      assert.match(await expectError(response, status), detail, name);
      if (status === 405) assert.equal(response.headers.get('allow'), 'POST');
    }
    await expectHealthy();
    assert.doesNotMatch(sidecar.log(), /ERROR/, 'no bad request is logged as an internal error');
  });

  it('survives a client that hangs up in the middle of a scene analysis', async () => {
    const controller = new AbortController();
    const pending = fetch(`${sidecar.url}/identify/scene`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: video, frames: 40 }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 700));
    controller.abort();
    assert.equal(((await pending) as Error).name, 'AbortError');
    await expectHealthy();
    const after = await postJson('/identify', { path: photo('barack_obama', '5.jpg') });
    assert.equal(after.status, 200);
    await after.body?.cancel();
  });
});

describe('index lifecycle', () => {
  it('answers 503 without an index, and picks up an index built while it runs', async () => {
    const emptyDir = join(work, 'later-index');
    const bare = await startSidecarProcess(['--index', emptyDir]);
    try {
      const health = SidecarHealthSchema.parse(await (await fetch(`${bare.url}/health`)).json());
      assert.equal(health.index.loaded, false);
      assert.match(health.index.problem ?? '', /index build-local/);
      assert.match(await expectError(await fetch(`${bare.url}/database/info`), 503), /no face index loaded/);
      assert.match(
        await expectError(
          await postJson('/identify', { path: photo('barack_obama', '5.jpg') }, bare.url),
          503,
        ),
        /build-local/,
      );

      await buildIndex(emptyDir);
      const response = await postJson('/identify', { path: photo('barack_obama', '5.jpg') }, bare.url);
      assert.equal(response.status, 200);
      assert.equal(
        SidecarIdentifyResponseSchema.parse(await response.json()).people[0]?.bestMatch?.name,
        'barack_obama',
      );

      // A launcher killed with SIGKILL cannot forward it: the sidecar notices and stops instead of holding the port.
      bare.child.kill('SIGKILL');
      const deadline = Date.now() + 8000;
      let stillUp = true;
      while (stillUp && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        stillUp = await fetch(`${bare.url}/health`).then(
          () => true,
          () => false,
        );
      }
      assert.equal(stillUp, false, 'the orphaned sidecar should stop within seconds');
    } finally {
      await bare.stop();
    }
  });
});

describe('shutdown', () => {
  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    // Few frames: the request must finish within the sidecar's shutdown grace even on a loaded 2-core machine.
    const inFlight = postJson('/identify/scene', { path: video, frames: 4 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    sidecar.child.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200);
    SidecarIdentifySceneResponseSchema.parse(await response.json());
    assert.deepEqual(await sidecar.exited, { code: 0, signal: null });
    assert.match(sidecar.log(), /SIGTERM: finishing in-flight requests/);
  });
});
