import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { checkFileName, checkVersion, IndexStorage } from './index-storage.js';

/**
 * Versions as folders under one root: `<root>/<version>/<file>`; scratch space in `<root>/.work`, kept construction
 * graphs in `<root>/.construction-cache`.
 */
export class LocalIndexStorage extends IndexStorage {
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  private path(version: string, name?: string): string {
    // Names come from the database and the URL: refuse anything that could leave the root.
    checkVersion(version);
    return name === undefined ? join(this.root, version) : join(this.root, version, checkFileName(name));
  }

  async publish(version: string, dir: string, extra: readonly { name: string; path: string }[] = []) {
    const target = this.path(version);
    for (const file of extra) await rename(file.path, join(dir, basename(this.path(version, file.name))));
    await mkdir(this.root, { recursive: true });
    await rename(resolve(dir), target);
  }

  async size(version: string, name: string): Promise<number | null> {
    try {
      const info = await stat(this.path(version, name));
      return info.isFile() ? info.size : null;
    } catch {
      return null;
    }
  }

  async read(version: string, name: string, range?: { start: number; end: number }): Promise<Readable> {
    const path = this.path(version, name);
    const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', fail);
    });
    return stream;
  }

  async localDir(version: string): Promise<string | null> {
    const dir = this.path(version);
    try {
      return (await stat(dir)).isDirectory() ? dir : null;
    } catch {
      return null;
    }
  }

  constructionCacheDir(): string {
    return join(this.root, '.construction-cache');
  }

  async workDir(): Promise<string> {
    const work = join(this.root, '.work');
    await mkdir(work, { recursive: true });
    return mkdtemp(join(work, 'build-'));
  }
}
