// The README's first command, end to end: contributions built by the client → consensus → a signed index build →
// the client pulls and verifies it → identification finds the contributed performers in a scene the cloud never saw.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { TEST_DATABASE_URL } from './support/services.js';

test('npm run demo: the whole loop, printed step by step', { timeout: 900_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ss-demo-'));
  const name = `demo_test_${randomBytes(4).toString('hex')}`;
  try {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        '@swc-node/register/esm-register',
        'scripts/demo/loop.ts',
        '--exit',
        '--port',
        '0',
        '--data-dir',
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    for (let n = 1; n <= 9; n++) assert.match(stdout, new RegExp(`\\[${n}/9\\]`));
    // Every sample person is established by the three honest accounts; the hostile swap is held back.
    for (const name of ['Sample A', 'Sample B', 'Sample C', 'Sample D'])
      assert.match(stdout, new RegExp(`${name}\\s+established\\s+\\d+\\s+3`), stdout);
    assert.match(stdout, /mallory's swap: 0 faces trusted, [1-9]\d* held back/);
    assert.match(
      stdout,
      /moderation queue: closer_to_other_performer: .*credited to Sample A but looks like Sample B/,
    );
    assert.match(stdout, /version \S+: 4 performers/);
    assert.match(stdout, /updated to index/);
    // The moderation dashboard's URL and its demo admin login.
    assert.match(stdout, /dashboard\s+http:\/\/\S+\/admin\//);
    assert.match(stdout, /admin login\s+\S+@\S+ \/ \S+/);
    const result = JSON.parse(readFileSync(join(dataDir, 'identify-result.json'), 'utf8')) as {
      people: { bestMatch: { name: string; band: string } | null }[];
    };
    assert.deepEqual(result.people.map((p) => p.bestMatch?.name).sort(), ['Sample A', 'Sample C']);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS stash_sense_${name} WITH (FORCE)`);
    await admin.end();
  }
});
