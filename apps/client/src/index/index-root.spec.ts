import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  activateVersion,
  activeIndexDir,
  readVersionLink,
  rollbackVersion,
  versionDir,
} from './index-root.js';

const work = mkdtempSync(join(tmpdir(), 'index-root-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('index root: versions, current and previous', () => {
  it('switches current atomically, keeps one previous version, rolls back and forth', async () => {
    const root = join(work, 'root');
    mkdirSync(versionDir(root, 'v1'), { recursive: true });
    assert.equal(activeIndexDir(root), root, 'no current yet: the folder itself');
    await activateVersion(root, 'v1');
    mkdirSync(versionDir(root, 'v2'));
    mkdirSync(versionDir(root, 'stale'));
    assert.equal(readlinkSync(join(root, 'current')), join('versions', 'v1'));
    assert.equal(activeIndexDir(root), join(root, 'current'));
    assert.deepEqual(await activateVersion(root, 'v2'), { previous: 'v1' });
    assert.equal(existsSync(versionDir(root, 'stale')), false, 'neither current nor previous: deleted');
    await assert.rejects(activateVersion(root, 'missing'), /does not exist/);
    mkdirSync(versionDir(root, 'v3'));
    assert.deepEqual(await activateVersion(root, 'v3'), { previous: 'v2' });
    assert.equal(existsSync(versionDir(root, 'v1')), false);
    assert.deepEqual(await rollbackVersion(root), { from: 'v3', to: 'v2' });
    assert.equal(await readVersionLink(root, 'current'), 'v2');
    assert.deepEqual(await rollbackVersion(root), { from: 'v2', to: 'v3' });
    rmSync(join(root, 'previous'));
    await assert.rejects(rollbackVersion(root), /no previous index version/);
  });
});
