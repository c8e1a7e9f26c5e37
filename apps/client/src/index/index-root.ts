// The folder of pulled indexes: every version in its own folder, and a `current` symlink that names the one in
// use. Switching versions replaces the symlink with rename(2), which is atomic: a process that resolves
// `current` sees the old version or the new one, never a mix. `previous` names the version `index rollback`
// returns to. A folder with a manifest.json of its own (an index built by `build-local`) still works as before.
//
//   <root>/current -> versions/2026.12.06-1
//   <root>/previous -> versions/2026.12.05-1
//   <root>/versions/<version>/   manifest.json (the signed bytes), manifest.jws, the index files
//   <root>/downloads/<version>/  a pull in progress (partial files as <name>.part)
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FACE_INDEX_FILES, readManifest, type IndexManifest } from '@stash-sense/face-index';

export const CURRENT_LINK = 'current';
export const PREVIOUS_LINK = 'previous';
export const VERSIONS_DIR = 'versions';
export const DOWNLOADS_DIR = 'downloads';
/** The compact JWS of a pulled version's manifest, kept beside it. */
export const MANIFEST_JWS_FILE = 'manifest.jws';

export interface LocalIndex {
  version: string;
  dir: string;
  manifest: IndexManifest;
  /** true when it is a pulled version under versions/, false for an index folder of its own. */
  pulled: boolean;
}

export const versionDir = (root: string, version: string) => join(root, VERSIONS_DIR, version);

/** The version a link names, or undefined when the link does not exist. */
export async function readVersionLink(root: string, name: string): Promise<string | undefined> {
  try {
    const target = await readlink(join(root, name));
    const parts = target.split(/[\\/]/);
    return parts[parts.length - 1] || undefined;
  } catch {
    return undefined;
  }
}

/** The folder a reader should open: the `current` version, else the root itself. Synchronous and cheap. */
export function activeIndexDir(root: string): string {
  return existsSync(join(root, CURRENT_LINK)) ? join(root, CURRENT_LINK) : root;
}

/** The index in use, or undefined when there is none. */
export async function currentIndex(root: string): Promise<LocalIndex | undefined> {
  const version = await readVersionLink(root, CURRENT_LINK);
  if (version) {
    const dir = versionDir(root, version);
    try {
      return { version, dir, manifest: await readManifest(dir), pulled: true };
    } catch {
      return undefined;
    }
  }
  if (existsSync(join(root, FACE_INDEX_FILES.manifest))) {
    try {
      const manifest = await readManifest(root);
      return { version: manifest.indexVersion, dir: root, manifest, pulled: false };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Points `name` at versions/<version> atomically (a new symlink renamed over the old one). */
export async function setVersionLink(root: string, name: string, version: string): Promise<void> {
  const temp = join(root, `.${name}.tmp-${process.pid}-${Date.now()}`);
  await symlink(join(VERSIONS_DIR, version), temp);
  try {
    await rename(temp, join(root, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Makes `version` (already complete under versions/) the current one; the old current becomes `previous`.
 * Other versions are deleted (readers that still have one open keep their mapping on Linux and macOS).
 */
export async function activateVersion(root: string, version: string): Promise<{ previous: string | null }> {
  if (!existsSync(versionDir(root, version)))
    throw new Error(`cannot make ${version} current: ${versionDir(root, version)} does not exist`);
  const old = await readVersionLink(root, CURRENT_LINK);
  if (old && old !== version && existsSync(versionDir(root, old)))
    await setVersionLink(root, PREVIOUS_LINK, old);
  await setVersionLink(root, CURRENT_LINK, version);
  await pruneVersions(root);
  const previous = await readVersionLink(root, PREVIOUS_LINK);
  return { previous: previous && previous !== version ? previous : null };
}

/** Switches `current` and `previous`. Throws when there is no previous version. */
export async function rollbackVersion(root: string): Promise<{ from: string; to: string }> {
  const current = await readVersionLink(root, CURRENT_LINK);
  const previous = await readVersionLink(root, PREVIOUS_LINK);
  if (!current || !previous || previous === current || !existsSync(versionDir(root, previous)))
    throw new Error(`${root} holds no previous index version to roll back to`);
  await setVersionLink(root, CURRENT_LINK, previous);
  await setVersionLink(root, PREVIOUS_LINK, current);
  return { from: current, to: previous };
}

/** Deletes every version but the current and previous ones, and downloads of versions already installed. */
export async function pruneVersions(root: string): Promise<void> {
  const keep = new Set(
    [await readVersionLink(root, CURRENT_LINK), await readVersionLink(root, PREVIOUS_LINK)].filter(Boolean),
  );
  for (const entry of await readdir(join(root, VERSIONS_DIR)).catch(() => [] as string[])) {
    if (!keep.has(entry)) await rm(versionDir(root, entry), { recursive: true, force: true });
  }
  for (const entry of await readdir(join(root, DOWNLOADS_DIR)).catch(() => [] as string[])) {
    if (keep.has(entry)) await rm(join(root, DOWNLOADS_DIR, entry), { recursive: true, force: true });
  }
}

export async function ensureRoot(root: string): Promise<void> {
  await mkdir(join(root, VERSIONS_DIR), { recursive: true });
  await mkdir(join(root, DOWNLOADS_DIR), { recursive: true });
  const stats = await lstat(root);
  if (!stats.isDirectory()) throw new Error(`${root} is not a folder`);
}
