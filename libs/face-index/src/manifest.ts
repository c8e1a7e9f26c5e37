import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type IndexManifest, IndexManifestSchema } from '@stash-sense/contracts';
import { canonicalJson } from './canonical-json.js';
import { FACE_INDEX_FILES, FACE_INDEX_FORMAT_VERSION } from './constants.js';
import { FaceIndexError } from './errors.js';

/** The manifest exactly as stored: canonical JSON (sorted keys, no whitespace) and a final newline. */
export function serializeManifest(manifest: IndexManifest): string {
  return `${canonicalJson(manifest)}\n`;
}

/**
 * Validates a manifest's text. Errors name the directory (`where`) and what was wrong: unreadable JSON, a
 * format version this code does not know, or the fields that do not fit the schema.
 */
export function parseManifest(text: string, where: string): IndexManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FaceIndexError(
      'manifest_invalid',
      `${where}: manifest.json is not valid JSON (${(error as Error).message}); the index is damaged — pull or build it again`,
    );
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version !== FACE_INDEX_FORMAT_VERSION) {
    throw new FaceIndexError(
      'format_unsupported',
      version > FACE_INDEX_FORMAT_VERSION
        ? `${where}: index format ${version} is newer than this software understands (format ${FACE_INDEX_FORMAT_VERSION}); upgrade Stash Sense`
        : `${where}: index format ${version} is no longer supported (this software reads format ${FACE_INDEX_FORMAT_VERSION}); pull a current index`,
    );
  }
  const parsed = IndexManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new FaceIndexError(
      'manifest_invalid',
      `${where}: manifest.json does not describe a face index:\n${formatIssues(parsed.error.issues)}\nThe index is damaged or was not written by Stash Sense — pull or build it again`,
    );
  }
  return parsed.data;
}

/** Reads and validates `<dir>/manifest.json`. */
export async function readManifest(dir: string): Promise<IndexManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, FACE_INDEX_FILES.manifest), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FaceIndexError(
        'manifest_missing',
        `${dir} is not a face index: it has no ${FACE_INDEX_FILES.manifest}. Point to the folder of a built or pulled index, or build one first`,
      );
    }
    throw new FaceIndexError(
      'manifest_missing',
      `cannot read ${join(dir, FACE_INDEX_FILES.manifest)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseManifest(text, dir);
}

export interface FileDigest {
  sha256: string;
  size: number;
}

/** sha256 (lowercase hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Checks that every file the manifest lists exists with the listed size and sha256 — the integrity half of
 * pulling a signed index (the signature covers the manifest, the manifest covers the files). Sizes are
 * checked first, so a truncated download fails without hashing gigabytes. Throws a FaceIndexError listing
 * every problem; resolves when all files match.
 */
export async function verifyIndexFiles(dir: string, manifest: IndexManifest): Promise<void> {
  const problems: string[] = [];
  const present: { name: string; sha256: string }[] = [];
  let missing = false;
  for (const file of manifest.files) {
    let size: number;
    try {
      size = (await stat(join(dir, file.name))).size;
    } catch {
      problems.push(`${file.name} is missing`);
      missing = true;
      continue;
    }
    if (size !== file.size) problems.push(`${file.name} has ${size} bytes, the manifest says ${file.size}`);
    else present.push(file);
  }
  for (const file of present) {
    const digest = await hashFile(join(dir, file.name));
    if (digest.sha256 !== file.sha256)
      problems.push(`${file.name} has sha256 ${digest.sha256}, the manifest says ${file.sha256}`);
  }
  if (problems.length > 0) {
    throw new FaceIndexError(
      missing ? 'file_missing' : 'file_mismatch',
      `${dir}: the index files do not match the manifest (${problems.join('; ')}); the download is incomplete or the files were changed — pull the index again`,
    );
  }
}

function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map(
      (issue) => `  - ${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
    )
    .join('\n');
}
