// The `stash-sense` CLI as a real child process (apps/client/bin/stash-sense.js) on the real ONNX models, the
// labelled fixture photos, a face index built by the CLI itself and a video made by ffmpeg. No mocks.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CliFacesLineSchema, CliIdentifyLineSchema, FaceIndexInfoSchema } from '@stash-sense/contracts';
import {
  FIXTURES,
  makeGallery,
  makeVideo,
  parseJsonLines,
  photo,
  runCli,
  writeCorruptImage,
} from './support/client-fixtures.js';

const STASHDB_PERFORMER = '6a1f0e3b-7c55-4d7b-9e61-0d2c4b8a9f10';
const STASHDB_ENDPOINT = 'https://stashdb.org/graphql';

let work: string;
let indexDir: string;
let buildStderr: string;

/** Enrolled: three photos each. Held out for the queries below: other photos of the same people. */
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
  compreface_person_a: [
    photo('compreface_person_a', '1.jpg'),
    photo('compreface_person_a', '2.jpg'),
    photo('compreface_person_a', '3.jpg'),
  ],
  // A UUID folder is a StashDB performer id.
  [STASHDB_PERFORMER]: [
    photo('deepface_unnamed_img26', '1.jpg'),
    photo('deepface_unnamed_img26', '2.jpg'),
    photo('deepface_unnamed_img26', '3.jpg'),
  ],
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
  const gallery = makeGallery(join(work, 'gallery'), {
    ...GALLERY,
    // Two faces of similar size: ambiguous, must be skipped.
    barack_obama: [...GALLERY.barack_obama, join(FIXTURES, 'multi/cf_010_2.jpg')],
  });
  writeCorruptImage(join(gallery, 'angelina_jolie', 'broken.jpg'));
  mkdirSync(join(gallery, 'nobody'));
  indexDir = join(work, 'index');
  const build = await runCli(['index', 'build-local', '--gallery', gallery, '--out', indexDir]);
  assert.equal(build.code, 0, build.stderr);
  buildStderr = build.stderr;
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('stash-sense faces', () => {
  it('prints one JSON line per file in input order, unit-norm embeddings, an error line for bad files, exit 1', async () => {
    const corrupt = writeCorruptImage(join(work, 'corrupt.jpg'));
    const files = [
      photo('barack_obama', '4.jpg'),
      corrupt,
      photo('angelina_jolie', '10.jpg'),
      join(work, 'missing.png'),
      join(FIXTURES, 'multi/cf_011_3.jpg'),
    ];
    const result = await runCli(['faces', '--json', ...files]);
    assert.equal(result.code, 1, 'a failed file makes the exit code non-zero');
    const lines = parseJsonLines(result.stdout);
    assert.deepEqual(
      lines.map((line) => line.file),
      files,
    );
    for (const line of lines) CliFacesLineSchema.parse(line);
    assert.match(String(lines[1]!.error), /cannot be read as an image/);
    assert.match(String(lines[3]!.error), /no such file/);
    for (const i of [0, 2, 4]) {
      const faces = lines[i]!.faces as { embedding: number[]; box: number[]; landmarks: number[][] }[];
      assert.ok(faces.length >= 1, `${files[i]}: no face`);
      for (const face of faces) {
        assert.equal(face.embedding.length, 512);
        const norm = Math.sqrt(face.embedding.reduce((sum, v) => sum + v * v, 0));
        assert.ok(Math.abs(norm - 1) < 1e-4, `embedding norm ${norm}`);
        assert.equal(face.landmarks.length, 5);
      }
    }
    assert.ok((lines[4]!.faces as unknown[]).length >= 2, 'the group photo has several faces');
    // Progress and errors go to stderr, never stdout.
    assert.match(result.stderr, /\[1\/5 images\]/);
  });

  it('prints a readable table without --json', async () => {
    const result = await runCli(['faces', photo('barack_obama', '5.jpg')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /barack_obama\/5\.jpg\s+\(1280×720, 1 face\)/);
    assert.match(result.stdout, /face\s+box x,y,w,h\s+size\s+score\s+quality/);
  });
});

describe('stash-sense index', () => {
  it('build-local enrols every usable photo and warns about skipped ones', () => {
    assert.match(buildStderr, /cf_010_2\.jpg: 2 faces of similar size/);
    assert.match(buildStderr, /broken\.jpg: cannot be read as an image/);
    assert.match(buildStderr, /"nobody" is left out of the index/);
  });

  it('info describes the index', async () => {
    const result = await runCli(['index', 'info', '--json', '--performers', '--index', indexDir]);
    assert.equal(result.code, 0, result.stderr);
    const info = JSON.parse(result.stdout) as Record<string, unknown> & {
      performers: { name: string; faceCount: number; stashIds: unknown[] }[];
    };
    FaceIndexInfoSchema.parse(info);
    assert.equal(info.performerCount, Object.keys(GALLERY).length);
    assert.equal(info.faceCount, Object.values(GALLERY).flat().length);
    assert.equal((info.model as { name: string }).name, 'faceplugin-fr-feature');
    const byName = new Map(info.performers.map((p) => [p.name, p]));
    assert.deepEqual(byName.get(STASHDB_PERFORMER)?.stashIds, [
      { endpoint: STASHDB_ENDPOINT, stashId: STASHDB_PERFORMER },
    ]);
    assert.equal(byName.get('barack_obama')?.faceCount, 3);

    const human = await runCli(['index', 'info', '--index', indexDir]);
    assert.match(human.stdout, /performers\s+4/);
  });

  it('build-local refuses to overwrite an existing index without --force', async () => {
    const result = await runCli([
      'index',
      'build-local',
      '--gallery',
      join(work, 'gallery'),
      '--out',
      indexDir,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /exists already.*--force/);
  });
});

describe('stash-sense identify', () => {
  it('finds the right performer on held-out photos and leaves an unknown person unknown', async () => {
    const queries = [
      { file: photo('angelina_jolie', '10.jpg'), expected: 'angelina_jolie' },
      { file: photo('barack_obama', '4.jpg'), expected: 'barack_obama' },
      { file: photo('compreface_person_a', '4.jpg'), expected: 'compreface_person_a' },
      { file: photo('deepface_unnamed_img26', '5.jpg'), expected: STASHDB_PERFORMER },
      { file: photo('john_lennon', '2.jpg'), expected: null },
    ];
    const result = await runCli(['identify', '--json', '--index', indexDir, ...queries.map((q) => q.file)]);
    assert.equal(result.code, 0, result.stderr);
    const lines = parseJsonLines(result.stdout).map((line) => CliIdentifyLineSchema.parse(line));
    assert.equal(lines.length, queries.length);
    lines.forEach((line, i) => {
      assert.equal(line.file, queries[i]!.file);
      assert.ok('kind' in line && line.kind === 'image', `${line.file}: ${JSON.stringify(line)}`);
      assert.equal(line.people.length, line.faces.length);
      const best = line.people[0]?.bestMatch ?? null;
      assert.equal(best?.name ?? null, queries[i]!.expected, `${line.file}`);
      if (best) {
        assert.ok(best.distance < 0.55 && best.confidence > 0.45, JSON.stringify(best));
        assert.ok(['high', 'likely'].includes(best.band));
      }
      assert.equal(line.faces[0]!.embedding.length, 512);
    });
    const stashdb = lines[3]!;
    assert.ok('people' in stashdb && stashdb.kind === 'image');
    assert.deepEqual(stashdb.people[0]!.bestMatch!.stashIds, [
      { endpoint: STASHDB_ENDPOINT, stashId: STASHDB_PERFORMER },
    ]);
  });

  it('identifies the people of a video made from held-out photos, with face tracks', async () => {
    const video = await makeVideo(
      join(work, 'scene.mp4'),
      [photo('barack_obama', '5.jpg'), photo('angelina_jolie', '11.jpg'), photo('john_lennon', '3.png')],
      { width: 1280, height: 720, secondsEach: 2 },
    );
    const result = await runCli(['identify', '--json', '--frames', '12', '--index', indexDir, video], {
      timeoutMs: 90_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const [line] = parseJsonLines(result.stdout).map((l) => CliIdentifyLineSchema.parse(l));
    assert.ok(line && 'kind' in line && line.kind === 'video', JSON.stringify(line));
    assert.equal(line.framesSampled, 12);
    assert.equal(line.width, 1280);
    const named = line.people.flatMap((p) => (p.bestMatch ? [p.bestMatch.name] : [])).sort();
    assert.deepEqual(named, ['angelina_jolie', 'barack_obama']);
    for (const person of line.people) {
      assert.equal(person.track.points.length, person.faceCount);
      for (const point of person.track.points) assert.ok(point.box[2] > 0 && point.timestampSec >= 0);
    }
    const obama = line.people.find((p) => p.bestMatch?.name === 'barack_obama')!;
    // Obama fills the first third of the video.
    assert.ok(
      obama.track.points.every((p) => p.timestampSec < 2.2),
      JSON.stringify(obama.track.points),
    );
    assert.match(result.stderr, /scene\.mp4: \d+\/12 frames/);
  });

  it('prints a table, and reports files it cannot read while going on with the others', async () => {
    const result = await runCli([
      'identify',
      '--index',
      indexDir,
      join(work, 'nope.jpg'),
      photo('barack_obama', '5.jpg'),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /barack_obama\s+0\.\d+\s+0\.\d+\s+high/);
    assert.match(result.stderr, /error: .*nope\.jpg: no such file/);
  });

  it('says how to get an index when there is none', async () => {
    const result = await runCli([
      'identify',
      '--index',
      join(work, 'no-index'),
      photo('barack_obama', '5.jpg'),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no face index loaded from .*no-index.*index build-local/);
    assert.equal(result.stdout, '');
  });
});

describe('stash-sense arguments', () => {
  it('rejects bad settings with exit code 2 and a message naming them', async () => {
    const threads = await runCli(['faces', '--threads', '0', photo('barack_obama', '5.jpg')]);
    assert.equal(threads.code, 2);
    assert.match(threads.stderr, /threads must be at least 1/);
    const env = await runCli(['faces', photo('barack_obama', '5.jpg')], {
      env: { STASH_SENSE_DEVICE: 'gpu' },
    });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /device must be "cpu" or "cuda".*STASH_SENSE_DEVICE/);
    const frames = await runCli(['identify', '--frames', 'many', 'x.mp4']);
    assert.equal(frames.code, 2);
    assert.match(frames.stderr, /--frames must be a whole number/);
    const unknown = await runCli(['identfy']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Did you mean identify\?/);
  });

  it('has --help with examples for every command', async () => {
    const commands = [
      [],
      ['faces'],
      ['identify'],
      ['index'],
      ['index', 'build-local'],
      ['index', 'info'],
      ['serve'],
    ];
    const results = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
    results.forEach((result, i) => {
      const name = `stash-sense ${commands[i]!.join(' ')} --help`;
      assert.equal(result.code, 0, name);
      assert.match(result.stdout, /Examples?:\n\s+\$ stash-sense /, name);
    });
  });

  it('falls back to the CPU with a warning when --device cuda cannot be used', async () => {
    const result = await runCli(['faces', '--json', '--device', 'cuda', photo('barack_obama', '5.jpg')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: .*CUDA.*CPU/i);
    assert.equal(parseJsonLines(result.stdout).length, 1);
  });
});
