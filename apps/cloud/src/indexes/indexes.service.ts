import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import {
  type AdminIndexListQuery,
  type AdminIndexVersion,
  type AdminIndexVersionList,
  INDEX_DELTA_FILE,
  type IndexBuildList,
  type IndexBuildReport,
  type IndexBuildRequest,
  type IndexFileLink,
  type IndexJwks,
  type IndexRelease,
  type IndexVersionList,
  type IndexVersionSummary,
} from '@stash-sense/contracts';
import { decodeCursor, pageOf } from '../admin/cursor.js';
import { AuditService } from '../audit/audit.service.js';
import { AppConfig } from '../config/app-config.js';
import { badRequest, conflict, notFound } from '../common/domain-errors.js';
import type { Principal } from '../common/request-context.js';
import { JobsService } from '../jobs/jobs.service.js';
import { bucketPercentages, NO_CHANGES } from './build-report.rules.js';
import { IndexSigningService } from './index-signing.service.js';
import { type BuildRow, IndexesRepository, type ModelRow, type VersionRow } from './indexes.repository.js';
import { IndexStorage } from './storage/index-storage.js';

const EMPTY_BUCKETS = { '1': 0, '2-3': 0, '4-5': 0, '6-10': 0, '11+': 0 };
const BUILD_LIST_LIMIT = 100;

export interface ServedFile {
  sha256: string;
  size: number;
  open(range?: { start: number; end: number }): Promise<Readable>;
}

/** Published versions (public), the build queue and withdrawal (admins). */
@Injectable()
export class IndexesService {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: IndexesRepository,
    private readonly storage: IndexStorage,
    private readonly signing: IndexSigningService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
  ) {}

  private async modelsNamed(name: string | undefined): Promise<{ all: ModelRow[]; chosen: ModelRow[] }> {
    const all = await this.repository.models();
    if (name === undefined) return { all, chosen: all };
    const chosen = all.filter((m) => m.name === name);
    if (chosen.length === 0)
      throw notFound(
        `no embedding model "${name}" (models: ${[...new Set(all.map((m) => m.name))].join(', ')})`,
      );
    return { all, chosen };
  }

  private summary(row: VersionRow, models: readonly ModelRow[]): IndexVersionSummary {
    const model = models.find((m) => m.id === row.modelId);
    return {
      version: row.version,
      model: model
        ? { name: model.name, version: model.version, dimension: model.dimension }
        : {
            name: row.manifest.model.name,
            version: row.manifest.model.version,
            dimension: row.manifest.model.dimension,
          },
      status: row.status,
      createdAt: row.createdAt.toISOString(),
      parentVersion: row.parentVersion,
      counts: { performers: row.performers, faces: row.faces },
      sizeBytes: row.sizeBytes,
      withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
      withdrawnReason: row.withdrawnReason,
    };
  }

  private fileUrl(version: string, name: string): string {
    return `/v1/indexes/${encodeURIComponent(version)}/files/${encodeURIComponent(name)}`;
  }

  private release(row: VersionRow): IndexRelease {
    const files: IndexFileLink[] = row.manifest.files.map((f) => ({
      ...f,
      url: this.fileUrl(row.version, f.name),
    }));
    return {
      version: row.version,
      status: row.status,
      jws: row.jws,
      manifest: row.manifest,
      files,
      delta: row.delta
        ? {
            name: row.delta.name,
            url: `/v1/indexes/${encodeURIComponent(row.version)}/delta`,
            size: row.delta.size,
            sha256: row.delta.sha256,
            fromVersion: row.delta.fromVersion,
          }
        : null,
    };
  }

  async list(model: string | undefined): Promise<IndexVersionList> {
    const { all, chosen } = await this.modelsNamed(model);
    const rows = await this.repository.versions(model === undefined ? null : chosen.map((m) => m.id));
    return { versions: rows.map((r) => this.summary(r, all)) };
  }

  async latest(model: string | undefined): Promise<IndexRelease> {
    const name = model ?? this.config.indexes.defaultModel;
    const { chosen } = await this.modelsNamed(name);
    const row = await this.repository.latestPublished(chosen.map((m) => m.id));
    if (!row) throw notFound(`no published index for model "${name}" yet: an admin can queue a build`);
    return this.release(row);
  }

  private async versionRow(version: string): Promise<VersionRow> {
    const row = await this.repository.version(version);
    if (!row) throw notFound(`no index version "${version}" (GET /v1/indexes lists them)`);
    return row;
  }

  async manifest(version: string): Promise<IndexRelease> {
    return this.release(await this.versionRow(version));
  }

  keys(): IndexJwks {
    return this.signing.jwks();
  }

  /** A file of a version, as its manifest lists it (or the delta); 404 for anything else. */
  async file(version: string, name: string): Promise<ServedFile> {
    const row = await this.versionRow(version);
    const listed =
      row.manifest.files.find((f) => f.name === name) ??
      (row.delta && name === row.delta.name ? row.delta : undefined);
    if (!listed) throw notFound(`index ${version} has no file "${name}"`);
    const size = await this.storage.size(version, listed.name);
    if (size === null) throw notFound(`the file ${name} of index ${version} is missing from the storage`);
    return {
      sha256: listed.sha256,
      size,
      open: (range) => this.storage.read(version, listed.name, range),
    };
  }

  async delta(version: string): Promise<ServedFile> {
    const row = await this.versionRow(version);
    if (!row.delta) throw notFound(`index ${version} has no delta (a full build, or no delta was written)`);
    return this.file(version, row.delta.name ?? INDEX_DELTA_FILE);
  }

  async withdraw(
    actor: Principal,
    version: string,
    reason: string,
    ip: string | null,
  ): Promise<IndexVersionSummary> {
    const current = await this.versionRow(version);
    if (current.status === 'withdrawn') throw conflict(`index ${version} is withdrawn already`);
    const row = await this.repository.withdraw(version, actor.userId, reason);
    if (!row) throw conflict(`index ${version} is withdrawn already`);
    await this.audit.record({
      actorId: actor.userId,
      action: 'index.withdrawn',
      targetType: 'index_version',
      targetId: version,
      details: { reason },
      ip,
    });
    return this.summary(row, await this.repository.models());
  }

  /** Versions for the dashboard, newest first and paged, with their build report (buckets, diff) and who withdrew them. */
  async adminVersions(query: AdminIndexListQuery): Promise<AdminIndexVersionList> {
    const { all, chosen } = await this.modelsNamed(query.model);
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string'] as const) : null;
    const rows = await this.repository.versionsPage({
      modelIds: query.model === undefined ? null : chosen.map((m) => m.id),
      after: after ? { createdAt: after[0], version: after[1] } : undefined,
      limit: query.limit,
    });
    const latest = new Set<string>();
    for (const model of new Set(rows.map((r) => r.modelId))) {
      const row = await this.repository.latestPublished([model]);
      if (row) latest.add(row.version);
    }
    return pageOf(
      rows,
      query.limit,
      (r): AdminIndexVersion => {
        const buckets = { ...EMPTY_BUCKETS, ...r.build?.buckets };
        return {
          ...this.summary(r, all),
          latest: latest.has(r.version),
          withdrawnBy: r.withdrawnBy,
          build: r.build
            ? {
                id: r.build.id,
                full: r.build.full,
                requestedBy: r.build.requestedBy,
                buckets,
                bucketPercent: bucketPercentages(buckets),
                changes: { ...NO_CHANGES, ...r.build.changes },
                durationMs: r.build.durationMs,
              }
            : null,
        };
      },
      (r) => [r.createdAt.toISOString(), r.version],
    );
  }

  /**
   * Puts a withdrawn version back (undoes a withdrawal). Only the model's newest version: a build after it has
   * forgotten the face ids it had allocated (docs/index-distribution.md, stable ids) and may have reused them.
   */
  async republish(
    actor: Principal,
    version: string,
    reason: string | undefined,
    ip: string | null,
  ): Promise<IndexVersionSummary> {
    const current = await this.versionRow(version);
    if (current.status === 'published') throw conflict(`index ${version} is published already`);
    if (await this.repository.hasNewerVersion(current))
      throw conflict(
        `index ${version} cannot be published again: a newer version of its model exists (queue a build instead)`,
      );
    const row = await this.repository.republish(version);
    if (!row) throw conflict(`index ${version} is published already`);
    await this.audit.record({
      actorId: actor.userId,
      action: 'index.republished',
      targetType: 'index_version',
      targetId: version,
      details: { reason: reason ?? null, withdrawnReason: current.withdrawnReason },
      ip,
    });
    return this.summary(row, await this.repository.models());
  }

  async queueBuilds(
    actor: Principal | null,
    request: IndexBuildRequest,
    ip: string | null,
  ): Promise<IndexBuildList> {
    const models = await this.repository.models();
    const chosen =
      request.model === undefined
        ? models.filter((m) => m.active)
        : models.filter((m) => m.name === request.model);
    if (chosen.length === 0)
      throw badRequest(
        request.model === undefined ? 'no active embedding model' : `no embedding model "${request.model}"`,
      );
    const builds: BuildRow[] = [];
    for (const model of chosen) {
      const build = await this.repository.createBuild(model.id, request.full, actor?.userId ?? null);
      await this.jobs.enqueue('indexes.build', { buildId: build.id }, { jobId: `index-build-${build.id}` });
      builds.push(build);
    }
    if (actor) {
      await this.audit.record({
        actorId: actor.userId,
        action: 'index.build_queued',
        targetType: 'index_build',
        targetId: builds.map((b) => b.id).join(','),
        details: { model: request.model ?? null, full: request.full },
        ip,
      });
    }
    return { builds: builds.map((b) => this.report(b, models)) };
  }

  async builds(): Promise<IndexBuildList> {
    const [rows, models] = await Promise.all([
      this.repository.builds(BUILD_LIST_LIMIT),
      this.repository.models(),
    ]);
    return { builds: rows.map((r) => this.report(r, models)) };
  }

  private report(row: BuildRow, models: readonly ModelRow[]): IndexBuildReport {
    const model = models.find((m) => m.id === row.modelId);
    const buckets = { ...EMPTY_BUCKETS, ...row.buckets };
    return {
      id: row.id,
      model: model
        ? { name: model.name, version: model.version, dimension: model.dimension }
        : { name: 'unknown', version: 'unknown', dimension: 1 },
      status: row.status,
      version: row.status === 'published' ? row.version : null,
      parentVersion: row.parentVersion,
      full: row.full,
      performers: row.performers,
      faces: row.faces,
      buckets,
      bucketPercent: bucketPercentages(buckets),
      changes: { ...NO_CHANGES, ...row.changes },
      durationMs: row.durationMs,
      error: row.error,
      startedAt: row.startedAt?.toISOString() ?? null,
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  }
}
