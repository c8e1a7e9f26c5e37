import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { INDEX_DELTA_FILE, type IndexManifest } from '@stash-sense/contracts';
import { hashFile, REMOVED_FACE, writeIndexDelta } from '@stash-sense/face-index';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { bucketPercentages, faceCountBuckets } from './build-report.rules.js';
import { buildIndexVersion, readFaceTable } from './index-builder.js';
import { IndexSigningService } from './index-signing.service.js';
import { type DeltaInfo, IndexesRepository } from './indexes.repository.js';
import { IndexStorage } from './storage/index-storage.js';

/** A build's heartbeat: another worker takes over a build whose heartbeat is older than 4 of these. */
const HEARTBEAT_MS = 15_000;
const STALE_MS = 4 * HEARTBEAT_MS;
/** A build that finds another build of its model running waits this long before trying again. */
const BUSY_RETRY_MS = 30_000;

function day(now: Date): string {
  return now.toISOString().slice(0, 10).replaceAll('-', '.');
}

/**
 * Runs index builds in the worker process: claims the build (one per model), builds incrementally from the
 * model's latest published version (or from scratch), signs the manifest, publishes files then database rows.
 */
@Injectable()
export class IndexBuildService {
  private readonly logger = new Logger(IndexBuildService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: IndexesRepository,
    private readonly storage: IndexStorage,
    private readonly signing: IndexSigningService,
    private readonly jobs: JobsService,
  ) {}

  /** The job: idempotent (a build that is not queued any more is left alone). */
  async run(buildId: string): Promise<void> {
    const build = await this.repository.build(buildId);
    if (!build || build.status !== 'queued') return;
    const claim = await this.repository.claimBuild(build.id, build.modelId, STALE_MS);
    if (claim === 'gone') return;
    if (claim === 'busy') {
      await this.jobs.enqueue(
        'indexes.build',
        { buildId },
        { delay: BUSY_RETRY_MS, jobId: `index-build-${buildId}-${Date.now()}` },
      );
      return;
    }
    const started = Date.now();
    const heartbeat = setInterval(() => {
      this.repository.heartbeat(buildId).catch(() => undefined);
    }, HEARTBEAT_MS);
    let parentVersion: string | null = null;
    let work: string | null = null;
    try {
      const model = await this.repository.model(build.modelId);
      if (!model) throw new Error(`embedding model ${build.modelId} does not exist`);
      const latest = await this.repository.latestPublished([model.id]);
      const parentDir = latest ? await this.storage.localDir(latest.version) : null;
      if (latest && !parentDir)
        this.logger.warn(
          `files of ${latest.version} are missing from the index storage: building from scratch`,
        );
      const parent = latest && parentDir ? { dir: parentDir, version: latest.version } : null;
      parentVersion = parent?.version ?? null;
      const version = await this.repository.reserveVersion(buildId, day(new Date()));
      work = await this.storage.workDir();
      const outDir = join(work, 'index');

      const parentTable = parent ? await readFaceTable(parent.dir) : null;
      const [performers, performerIds, trustedFaceIds, presentFaces] = await Promise.all([
        this.repository.performerMeta(model.id),
        this.repository.performerIds(model.id),
        parent ? this.repository.trustedFaceIds(model.id, model.dimension) : undefined,
        this.repository.presentFaces(
          model.id,
          parentTable?.length ?? 0,
          (id) => parentTable![id] !== REMOVED_FACE,
        ),
      ]);
      const output = await buildIndexVersion({
        model: { name: model.name, version: model.version, dimension: model.dimension },
        indexVersion: version,
        outDir,
        parent,
        rebuild: build.full && parent !== null,
        performers,
        faces: (only) => this.repository.trustedFaces(model.id, model.dimension, only),
        trustedFaceIds,
        performerIds,
        presentFaces,
        maxFacesPerPerformer: this.config.indexes.maxFacesPerPerformer,
        minFaces: this.config.indexes.minFaces,
        threads: this.config.indexes.buildThreads,
        expansionAdd: this.config.indexes.buildExpansionAdd,
        constructionStorage: this.config.indexes.buildConstruction,
        constructionCache: this.storage.constructionCacheDir(),
        force: build.full,
      });
      const buckets = faceCountBuckets(output.faceCounts);
      if (output.status === 'unchanged' || !output.manifest || (!parent && output.faces === 0)) {
        await this.repository.finishBuild(buildId, {
          status: 'unchanged',
          parentVersion,
          performers: output.performers,
          faces: output.faces,
          buckets,
          changes: output.changes,
          durationMs: Date.now() - started,
        });
        this.logger.log(
          `index build ${buildId} (${model.name}): ${parent ? `nothing changed since ${parentVersion}` : 'no trusted faces yet'}`,
        );
        return;
      }
      const manifest: IndexManifest = output.manifest;
      const jws = await this.signing.sign(manifest);
      let delta: DeltaInfo | null = null;
      const extra: { name: string; path: string }[] = [];
      if (parent) {
        // Clients holding the parent download this instead of the whole index (docs/index-distribution.md#deltas).
        const deltaPath = join(work, INDEX_DELTA_FILE);
        await writeIndexDelta(parent.dir, outDir, deltaPath);
        const digest = await hashFile(deltaPath);
        delta = {
          name: INDEX_DELTA_FILE,
          sha256: digest.sha256,
          size: digest.size,
          fromVersion: parent.version,
        };
        extra.push({ name: INDEX_DELTA_FILE, path: deltaPath });
      }
      await this.storage.publish(version, outDir, extra);
      const durationMs = Date.now() - started;
      await this.repository.publish(
        {
          buildId,
          version,
          modelId: model.id,
          parentVersion,
          manifest,
          jws,
          signingKid: this.signing.currentKid,
          delta,
          performers: output.performers,
          faces: output.faces,
          sizeBytes: manifest.files.reduce((sum, f) => sum + f.size, 0),
          parentFaceIdCount: output.parentFaceIdCount,
          newFaceIds: output.newFaceIds,
          newIndexFaceIds: output.newIndexFaceIds,
          newPerformerIds: output.newPerformerIds,
        },
        { buckets, changes: output.changes, durationMs },
      );
      const pct = bucketPercentages(buckets);
      this.logger.log(
        `index ${version} (${model.name}) published in ${durationMs} ms: ${output.performers} performers, ${output.faces} faces, ` +
          `buckets 1:${pct['1']}% 2-3:${pct['2-3']}% 4-5:${pct['4-5']}% 6-10:${pct['6-10']}% 11+:${pct['11+']}%, ` +
          `changes ${JSON.stringify(output.changes)}` +
          (output.parentGraph ? `, parent graph from the ${output.parentGraph}` : ''),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`index build ${buildId} failed: ${message}`);
      await this.repository.finishBuild(buildId, {
        status: 'failed',
        parentVersion,
        durationMs: Date.now() - started,
        error: message.slice(0, 2000),
      });
    } finally {
      clearInterval(heartbeat);
      if (work) await this.storage.discard(work);
    }
  }
}
