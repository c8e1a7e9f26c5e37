/**
 * Construction graphs kept between builds. A float16 index built on int8 links (`constructionStorage`) saves its
 * graph with int8 vectors, then rewrites it with the float16 ones; the next incremental build needs that int8 graph
 * again, and making it from the published file means reading and quantising every stored vector: loading the parent
 * took 7.4–10.8 s that way at 1M faces, 3.6–3.8 s from the cache (docs/benchmarks.md). With a cache folder,
 * `FaceIndexWriter.write` keeps the int8 graph there and `fromParent` takes it back.
 *
 * An entry is `<indexVersion>.<construction>.usearch` and `<indexVersion>.json`, which ties it to the version's graph
 * file (the sha256 and size its manifest lists) and records the kept file's own sha256, checked when it is taken:
 * a damaged, foreign or half-written entry is ignored and the build converts the parent's file as without a cache.
 * Taking an entry removes it (the build frees removed faces in it and loads it); each write keeps one entry per
 * model, its own.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { FaceIndexModel, FaceIndexStorage, IndexManifest } from '@stash-sense/contracts';
import { FACE_INDEX_FILES } from './constants.js';
import { hashFile } from './manifest.js';

const DigestSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0) });

const EntrySchema = z.object({
  kind: z.literal('stash-sense construction graph'),
  indexVersion: z.string(),
  model: z.object({ name: z.string(), version: z.string(), dimension: z.number().int() }),
  storage: z.enum(['float16', 'int8']),
  construction: z.enum(['float16', 'int8']),
  /** The version's published graph file (its manifest's entry). */
  ann: DigestSchema,
  /** The kept construction graph. */
  graph: DigestSchema,
});
type Entry = z.infer<typeof EntrySchema>;

export interface CachedGraph {
  path: string;
  entryPath: string;
  digest: { sha256: string; size: number };
}

const entryPath = (dir: string, indexVersion: string) => join(dir, `${indexVersion}.json`);
const graphPath = (dir: string, indexVersion: string, construction: FaceIndexStorage) =>
  join(dir, `${indexVersion}.${construction}.usearch`);

function sameModel(a: Pick<FaceIndexModel, 'name' | 'version' | 'dimension'>, b: Entry['model']): boolean {
  return a.name === b.name && a.version === b.version && a.dimension === b.dimension;
}

/** The kept construction graph of the version `manifest` describes, when the cache holds one for its graph file. */
export async function findCachedGraph(
  dir: string,
  manifest: IndexManifest,
  construction: FaceIndexStorage,
): Promise<CachedGraph | undefined> {
  const path = entryPath(dir, manifest.indexVersion);
  let entry: Entry;
  try {
    entry = EntrySchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return undefined; // none, or not one of ours
  }
  const ann = manifest.files.find((file) => file.name === FACE_INDEX_FILES.ann);
  const matches =
    ann !== undefined &&
    entry.indexVersion === manifest.indexVersion &&
    sameModel(manifest.model, entry.model) &&
    entry.storage === manifest.storage &&
    entry.construction === construction &&
    entry.ann.sha256 === ann.sha256 &&
    entry.ann.size === ann.size;
  if (!matches) return undefined;
  return { path: graphPath(dir, entry.indexVersion, construction), entryPath: path, digest: entry.graph };
}

/**
 * Takes `cached` out of the cache: renames its graph file to a name of its own (so that no other build takes it
 * too) and checks its sha256. Returns that file, which the caller deletes, or undefined when the entry is gone or
 * does not hash to what it recorded (then it is deleted here).
 */
export async function claimCachedGraph(cached: CachedGraph): Promise<string | undefined> {
  const claimed = `${cached.path}.claimed-${randomUUID()}`;
  try {
    await rename(cached.path, claimed);
  } catch {
    return undefined; // taken by another build, or removed
  }
  await rm(cached.entryPath, { force: true });
  const digest = await hashFile(claimed).catch(() => undefined);
  if (digest?.sha256 === cached.digest.sha256 && digest.size === cached.digest.size) return claimed;
  await rm(claimed, { force: true });
  return undefined;
}

/**
 * Moves the construction graph at `graph` (sha256 and size `digest`; saved by a write of `indexVersion`, whose
 * published graph file is `ann`) into the cache folder `dir`, then removes the model's other entries.
 */
export async function keepConstructionGraph(
  dir: string,
  graph: string,
  digest: { sha256: string; size: number },
  version: {
    indexVersion: string;
    model: FaceIndexModel;
    storage: FaceIndexStorage;
    construction: FaceIndexStorage;
    ann: { sha256: string; size: number };
  },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = graphPath(dir, version.indexVersion, version.construction);
  const entry: Entry = {
    kind: 'stash-sense construction graph',
    indexVersion: version.indexVersion,
    model: { name: version.model.name, version: version.model.version, dimension: version.model.dimension },
    storage: version.storage,
    construction: version.construction,
    ann: version.ann,
    graph: digest,
  };
  const partial = `${entryPath(dir, version.indexVersion)}.${randomUUID()}.partial`;
  try {
    try {
      await rename(graph, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(graph, target); // the cache is on another filesystem
    }
    await writeFile(partial, `${JSON.stringify(entry, null, 2)}\n`);
    await rename(partial, entryPath(dir, version.indexVersion));
  } catch (error) {
    // Leave no graph file without its entry (nothing would ever remove it).
    await Promise.all([rm(target, { force: true }), rm(partial, { force: true })]);
    throw error;
  }
  await dropOtherEntries(dir, entry);
}

/** Removes the entries of `kept`'s model other than `kept` (an incremental build starts from the latest version). */
async function dropOtherEntries(dir: string, kept: Entry): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    let other: Entry;
    try {
      other = EntrySchema.parse(JSON.parse(await readFile(join(dir, name), 'utf8')));
    } catch {
      continue;
    }
    if (other.indexVersion === kept.indexVersion || !sameModel(kept.model, other.model)) continue;
    await rm(join(dir, name), { force: true });
    await rm(graphPath(dir, other.indexVersion, other.construction), { force: true });
  }
}
