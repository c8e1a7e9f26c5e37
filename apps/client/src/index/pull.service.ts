// `stash-sense index pull` and POST /database/update: fetch the latest signed release, verify its signature
// against the pinned keys, get the files (a delta from the current version when one is offered, else every
// file, resumably), check every file against the signed manifest, then switch `current` atomically. Any failure
// leaves the index in use untouched. docs/client.md, "Updating the index".
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  INDEX_DELTA_FILE,
  type IndexJwk,
  type IndexManifest,
  type IndexRelease,
} from '@stash-sense/contracts';
import {
  applyIndexDelta,
  FACE_INDEX_FILES,
  hashFile,
  verifyIndexFiles,
  verifyManifestJws,
  type VerifiedManifest,
} from '@stash-sense/face-index';
import { type DownloadProgress, IndexCloudClient } from './cloud-client.js';
import {
  activateVersion,
  currentIndex,
  DOWNLOADS_DIR,
  ensureRoot,
  MANIFEST_JWS_FILE,
  PREVIOUS_LINK,
  pruneVersions,
  versionDir,
} from './index-root.js';

/** Another process is pulling into the same index folder. */
export class PullBusyError extends Error {
  override name = 'PullBusyError';
}

/** The signed release could not be trusted, or the files do not match it. Nothing was installed. */
export class IndexVerificationError extends Error {
  override name = 'IndexVerificationError';
}

export interface PullOptions {
  /** The index folder (STASH_SENSE_INDEX_DIR). */
  root: string;
  server: string;
  /** Embedding model whose index to pull; default: the server's default. */
  model?: string;
  trustedKeys: readonly IndexJwk[];
  log?: (line: string) => void;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  /** updated: a newer version is current now; current: nothing to do; rolled-back: the local version was withdrawn. */
  status: 'updated' | 'current' | 'rolled-back';
  version: string;
  previousVersion: string | null;
  /** How the files came: a delta from the previous version, every file, or a version already on disk. */
  via: 'delta' | 'full' | 'local' | null;
  /** Bytes received over the network by this pull. */
  downloadedBytes: number;
}

export async function pullIndex(options: PullOptions): Promise<PullResult> {
  const client = new IndexCloudClient(options.server, options.signal);
  const release = await client.latest(options.model);
  const verified = await verifyRelease(release, options.trustedKeys, options.server);
  const { manifest } = verified;
  if (options.model && manifest.model.name !== options.model)
    throw new IndexVerificationError(
      `the server's latest index is for model ${manifest.model.name}, not ${options.model}`,
    );
  await mkdir(options.root, { recursive: true });
  const unlock = await lockRoot(options.root);
  try {
    return await pullVerified(options, client, release, verified);
  } finally {
    await unlock();
  }
}

async function pullVerified(
  options: PullOptions,
  client: IndexCloudClient,
  release: IndexRelease,
  verified: VerifiedManifest,
): Promise<PullResult> {
  const log = options.log ?? (() => {});
  const { manifest } = verified;
  const local = await currentIndex(options.root);
  if (local?.version === manifest.indexVersion)
    return {
      status: 'current',
      version: local.version,
      previousVersion: null,
      via: null,
      downloadedBytes: 0,
    };

  let rollingBack = false;
  if (local && Date.parse(local.manifest.createdAt) > Date.parse(manifest.createdAt)) {
    // The served latest is older than the local index: the local one was withdrawn (go back), is a version the
    // server still publishes (keep it), or is unknown to the server, e.g. a local build (replace it).
    const listed = (await client.versions(options.model)).versions.find((v) => v.version === local.version);
    if (listed?.status === 'published') {
      log(
        `the local index ${local.version} is newer than the server's latest (${manifest.indexVersion}); keeping it`,
      );
      return {
        status: 'current',
        version: local.version,
        previousVersion: null,
        via: null,
        downloadedBytes: 0,
      };
    }
    if (listed?.status === 'withdrawn') {
      rollingBack = true;
      log(
        `the local index ${local.version} was withdrawn${listed.withdrawnReason ? ` (${listed.withdrawnReason})` : ''}; going back to ${manifest.indexVersion}`,
      );
    }
  }

  await ensureRoot(options.root);
  const version = manifest.indexVersion;
  const target = versionDir(options.root, version);
  let via: PullResult['via'] = null;
  let downloadedBytes = 0;

  if (existsSync(target)) {
    // A version already on disk (the previous one, when rolling back): use it if it still matches.
    try {
      if ((await readFile(join(target, FACE_INDEX_FILES.manifest), 'utf8')) !== verified.manifestText)
        throw new Error('another manifest');
      await verifyIndexFiles(target, manifest);
      via = 'local';
    } catch {
      await rm(target, { recursive: true, force: true });
    }
  }

  if (!via) {
    const staging = join(options.root, DOWNLOADS_DIR, version);
    await mkdir(staging, { recursive: true });
    const built = join(staging, 'index');
    await rm(built, { recursive: true, force: true });

    const delta = release.delta;
    if (local && delta && delta.fromVersion === local.version && manifest.parentVersion === local.version) {
      try {
        const deltaPath = join(staging, INDEX_DELTA_FILE);
        const got = await client.download(
          delta.url,
          deltaPath,
          delta.size,
          options.onProgress,
          INDEX_DELTA_FILE,
        );
        downloadedBytes += got.received;
        await applyIndexDelta(local.dir, deltaPath, built, manifest);
        via = 'delta';
      } catch (error) {
        if (options.signal?.aborted) throw error;
        log(
          `the delta from ${local.version} could not be used (${(error as Error).message}); downloading the full index`,
        );
        await rm(built, { recursive: true, force: true });
        await rm(join(staging, INDEX_DELTA_FILE), { force: true });
        await rm(join(staging, `${INDEX_DELTA_FILE}.part`), { force: true });
      }
    }
    if (!via) {
      downloadedBytes += await downloadFiles(client, release, manifest, join(staging, 'files'), options);
      await rename(join(staging, 'files'), built);
      via = 'full';
    }
    // The manifest exactly as signed, and its signature beside it.
    await writeFile(join(built, FACE_INDEX_FILES.manifest), verified.manifestText);
    await writeFile(join(built, MANIFEST_JWS_FILE), `${release.jws}\n`);
    await rename(built, target);
    await rm(staging, { recursive: true, force: true });
  }

  const { previous } = await activateVersion(options.root, version);
  if (rollingBack && local) {
    // Never offer the withdrawn version as a rollback target.
    await rm(join(options.root, PREVIOUS_LINK), { force: true });
    await pruneVersions(options.root);
  }
  return {
    status: rollingBack ? 'rolled-back' : 'updated',
    version,
    previousVersion: rollingBack ? null : (previous ?? local?.version ?? null),
    via,
    downloadedBytes,
  };
}

const LOCK_FILE = '.pull.lock';

/** One pull per index folder across processes: a lock file holding the pid (a dead holder's lock is taken over). */
async function lockRoot(root: string): Promise<() => Promise<void>> {
  const path = join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (pid > 0 && isAlive(pid))
        throw new PullBusyError(
          `another pull (process ${pid}) is updating ${root}; try again when it has finished`,
        );
      await rm(path, { force: true });
    }
  }
  throw new PullBusyError(`another pull is updating ${root}; try again when it has finished`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Checks the release's JWS against the pinned keys; the manifest used from here on is the signed payload. */
export async function verifyRelease(
  release: IndexRelease,
  trustedKeys: readonly IndexJwk[],
  server: string,
): Promise<VerifiedManifest> {
  if (trustedKeys.length === 0)
    throw new IndexVerificationError(
      `no index signing key is trusted yet: run \`stash-sense index trust --server ${server}\`, compare the fingerprints it prints with the ones the index publisher announces, then pull again`,
    );
  let kid: string | undefined;
  try {
    const header = JSON.parse(Buffer.from(release.jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    kid = typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    kid = undefined;
  }
  if (kid !== undefined && !trustedKeys.some((k) => k.kid === kid))
    throw new IndexVerificationError(
      `index ${release.version} is signed with key "${kid}", which is not among your trusted keys (${trustedKeys.map((k) => k.kid).join(', ')}). ` +
        `If the publisher rotated its signing key, run \`stash-sense index trust --server ${server}\`, check the new key's fingerprint against the publisher's announcement, then pull again. The current index stays in use`,
    );
  let verified: VerifiedManifest;
  try {
    verified = await verifyManifestJws(release.jws, trustedKeys);
  } catch (error) {
    throw new IndexVerificationError(
      `refusing index ${release.version}: ${(error as Error).message}. The current index stays in use`,
      { cause: error },
    );
  }
  if (verified.manifest.indexVersion !== release.version)
    throw new IndexVerificationError(
      `refusing index ${release.version}: its signed manifest is for version ${verified.manifest.indexVersion}`,
    );
  return verified;
}

async function downloadFiles(
  client: IndexCloudClient,
  release: IndexRelease,
  manifest: IndexManifest,
  dir: string,
  options: PullOptions,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  let received = 0;
  for (const file of manifest.files) {
    const dest = join(dir, file.name);
    if (existsSync(dest)) {
      const digest = await hashFile(dest);
      if (digest.sha256 === file.sha256 && digest.size === file.size) continue;
      await rm(dest, { force: true });
    }
    const url =
      release.files.find((f) => f.name === file.name)?.url ??
      `/v1/indexes/${encodeURIComponent(manifest.indexVersion)}/files/${encodeURIComponent(file.name)}`;
    const got = await client.download(url, dest, file.size, options.onProgress, file.name);
    received += got.received;
    const digest = await hashFile(dest);
    if (digest.sha256 !== file.sha256) {
      await rm(dest, { force: true });
      throw new IndexVerificationError(
        `refusing index ${manifest.indexVersion}: ${file.name} has sha256 ${digest.sha256}, the signed manifest says ${file.sha256} (the file was changed on the server or on the way). The current index stays in use; the damaged file was deleted`,
      );
    }
  }
  return received;
}
