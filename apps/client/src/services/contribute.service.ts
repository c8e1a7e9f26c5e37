// `stash-sense contribute`: analyse a scene file the stash-box already identifies, attribute its people to the
// credited performers (contribute/attribution.ts), and send the embeddings — never images — to the cloud.
import type { ContributionReceipt, ContributionRequest, SceneFingerprint } from '@stash-sense/contracts';
import { type AttributionConfig, attributeScene, type LeftOutPerson } from '../contribute/attribution.js';
import type { CloudClientOptions } from '../contribute/cloud-client.js';
import { buildContributionRequest } from '../contribute/contribution-payload.js';
import { type LibrarySource, walkKey, walkLibrary } from '../contribute/library-walk.js';
import type { Outbox, OutboxEntry, OutboxScene } from '../contribute/outbox.js';
import { oshash } from '../contribute/oshash.js';
import { type BackoffConfig, drain, sendDue, type SendReport } from '../contribute/sender.js';
import { type FacePipeline, probeVideo } from '../pipeline/index.js';
import { IndexUnavailableError } from './errors.js';
import type { FaceIndexStore } from './face-index-store.js';
import { assertReadableFile } from './input-file.js';
import type { ProgressListener, WarningListener } from './progress.js';
import { analyzeVideoFrames } from './video-analysis.js';

export interface ContributeSceneInput {
  file: string;
  /** stash-box GraphQL URL, e.g. https://stashdb.org/graphql */
  endpoint: string;
  sceneId: string;
  /** Performers credited on the stash-box scene. */
  performers: string[];
  /** Fingerprints of this file as the stash-box knows them; the file's OSHASH is always added. */
  fingerprints?: Omit<SceneFingerprint, 'durationSec'>[];
}

export interface ContributeOptions {
  frames?: number;
  /** Analyse and build the request, send nothing. */
  dryRun?: boolean;
  cloud?: CloudClientOptions;
  /** Where the request is queued before it is sent (required unless dryRun). */
  outbox?: Outbox;
  /** Keep retrying a retryable failure within this run for up to this long (default 0: one try, then queued). */
  retryForMs?: number;
  backoff?: BackoffConfig;
  /** Stash scene and file, when the scene comes from the library walk. */
  scene?: Pick<OutboxScene, 'localSceneId' | 'file'>;
  attribution?: Partial<AttributionConfig>;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface ContributeResult {
  file: string;
  framesSampled: number;
  facesDetected: number;
  attributed: { stashId: string; faces: number; personFaces: number; distance: number | null }[];
  leftOut: LeftOutPerson[];
  /** What was (or, with dryRun, would be) sent; null when no person could be attributed. */
  request: ContributionRequest | null;
  receipt: ContributionReceipt | null;
  /** The outbox entry after this run's tries: sent, failed for good (with the reason) or still queued. */
  outbox: Pick<OutboxEntry, 'id' | 'state' | 'attempts' | 'lastError' | 'failure' | 'nextAttemptAt'> | null;
}

export interface LibraryOptions extends Omit<ContributeOptions, 'scene'> {
  perPage?: number;
  /** One line per scene (done, skipped, queued, sent, failed). */
  onScene?: (event: LibrarySceneEvent) => void;
}

export interface LibrarySceneEvent {
  index: number;
  total: number;
  localSceneId: string;
  stashBoxSceneId: string;
  endpoint: string;
  file: string | null;
  /** already: done in an earlier run; unusable: cannot be contributed; nothing: no person attributed. */
  outcome: 'already' | 'unusable' | 'unreadable' | 'nothing' | 'queued' | 'would-send';
  detail: string | null;
  request?: ContributionRequest | null;
}

export interface LibraryReport {
  scenes: number;
  already: number;
  unusable: number;
  unreadable: number;
  nothing: number;
  queued: number;
  send: SendReport | null;
}

export class ContributeService {
  constructor(
    private readonly deps: {
      pipeline: FacePipeline;
      indexStore: FaceIndexStore | null;
      onWarning?: WarningListener;
    },
  ) {}

  async contributeScene(
    input: ContributeSceneInput,
    options: ContributeOptions = {},
  ): Promise<ContributeResult> {
    if (!options.dryRun && (!options.cloud || !options.outbox))
      throw new Error('no cloud to send to: give --server and --api-key (or use --dry-run)');
    const analysed = await this.analyseScene(input, options);
    let receipt: ContributionReceipt | null = null;
    let entry: OutboxEntry | null = null;
    if (analysed.request && !options.dryRun) {
      const outbox = options.outbox!;
      entry = outbox.enqueue(
        analysed.request,
        { endpoint: input.endpoint, stashId: input.sceneId, ...options.scene },
        analysed.walkKey,
      );
      await drain(outbox, {
        cloud: options.cloud!,
        retryForMs: options.retryForMs ?? 0,
        ignoreSchedule: true,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      entry = outbox.get(entry.id) ?? entry;
      receipt = entry.receipt;
    }
    return {
      ...analysed.result,
      receipt,
      outbox: entry
        ? {
            id: entry.id,
            state: entry.state,
            attempts: entry.attempts,
            lastError: entry.lastError,
            failure: entry.failure,
            nextAttemptAt: entry.nextAttemptAt,
          }
        : null,
    };
  }

  /**
   * `contribute --all`: every scene of the Stash library with a stash-box id, resumed through the outbox journal
   * (a walk key already there — queued, sent, failed or skipped — is not analysed again). Each request is queued,
   * then tried once; at the end the queue is drained with backoff for `retryForMs`.
   */
  async contributeLibrary(source: LibrarySource, options: LibraryOptions): Promise<LibraryReport> {
    const { outbox, cloud } = options;
    if (!options.dryRun && (!cloud || !outbox))
      throw new Error('no cloud to send to: give --server and --api-key (or use --dry-run)');
    const report: LibraryReport = {
      scenes: 0,
      already: 0,
      unusable: 0,
      unreadable: 0,
      nothing: 0,
      queued: 0,
      send: null,
    };
    // What an earlier (killed) run queued goes first.
    if (!options.dryRun)
      await sendDue(outbox!, {
        cloud: cloud!,
        ignoreSchedule: true,
        ...(options.backoff ? { backoff: options.backoff } : {}),
      });
    const model = this.deps.pipeline.model;
    for await (const step of walkLibrary(source, {
      ...(options.perPage ? { perPage: options.perPage } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      options.signal?.throwIfAborted();
      const c = step.candidate;
      report.scenes++;
      const base = {
        index: step.index,
        total: step.total,
        localSceneId: c.localSceneId,
        stashBoxSceneId: c.stashBoxSceneId,
        endpoint: c.endpoint,
        file: c.file,
      };
      const label = c.file ?? `scene ${c.localSceneId}`;
      options.onProgress?.({
        type: 'file-start',
        file: label,
        index: step.index,
        total: step.total,
        kind: 'video',
      });
      const done = (event: Omit<LibrarySceneEvent, keyof typeof base>) => {
        report[event.outcome === 'would-send' ? 'queued' : event.outcome]++;
        options.onScene?.({ ...base, ...event });
        options.onProgress?.({
          type: 'file-done',
          file: label,
          index: step.index,
          total: step.total,
          ok: true,
        });
      };
      if (c.unusable || !c.file) {
        done({ outcome: 'unusable', detail: c.unusable ?? 'no file' });
        continue;
      }
      let hash: string;
      try {
        await assertReadableFile(c.file);
        hash = await oshash(c.file);
      } catch (error) {
        // Not journaled: the file may be readable next time (a disconnected drive).
        done({ outcome: 'unreadable', detail: (error as Error).message });
        continue;
      }
      const key = walkKey(c, hash, model);
      if (!options.dryRun && outbox!.hasWalkKey(key)) {
        done({ outcome: 'already', detail: null });
        continue;
      }
      const input: ContributeSceneInput = {
        file: c.file,
        endpoint: c.endpoint,
        sceneId: c.stashBoxSceneId,
        performers: c.performers,
        fingerprints: c.fingerprints,
      };
      const scene: OutboxScene = {
        endpoint: c.endpoint,
        stashId: c.stashBoxSceneId,
        localSceneId: c.localSceneId,
        file: c.file,
      };
      let analysed: Awaited<ReturnType<ContributeService['analyseScene']>>;
      try {
        analysed = await this.analyseScene(input, { ...options, oshash: hash, walkKey: key });
      } catch (error) {
        options.signal?.throwIfAborted();
        done({ outcome: 'unreadable', detail: (error as Error).message });
        continue;
      }
      const { request, leftOut } = analysed.result;
      if (options.dryRun) {
        done(
          request ? { outcome: 'would-send', detail: null, request } : { outcome: 'nothing', detail: null },
        );
        continue;
      }
      if (!request) {
        const reason = leftOut.length
          ? [...new Set(leftOut.map((l) => l.reason))].join(', ')
          : 'no face in the sampled frames';
        outbox!.skip(key, scene, reason);
        done({ outcome: 'nothing', detail: reason });
        continue;
      }
      const entry = outbox!.enqueue(request, scene, key);
      await sendDue(outbox!, {
        cloud: cloud!,
        only: new Set([entry.id]),
        ...(options.backoff ? { backoff: options.backoff } : {}),
      });
      const after = outbox!.get(entry.id)!;
      done({
        outcome: 'queued',
        detail: after.state === 'queued' ? `queued (${after.lastError ?? 'not sent yet'})` : after.state,
      });
    }
    if (!options.dryRun)
      report.send = await drain(outbox!, {
        cloud: cloud!,
        retryForMs: options.retryForMs ?? 0,
        ignoreSchedule: true,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    return report;
  }

  /** Probes, fingerprints, samples frames and attributes; builds the request (null when nobody is attributed). */
  private async analyseScene(
    input: ContributeSceneInput,
    options: ContributeOptions & { oshash?: string; walkKey?: string },
  ): Promise<{
    result: Omit<ContributeResult, 'receipt' | 'outbox'>;
    request: ContributionRequest | null;
    walkKey: string | null;
  }> {
    await assertReadableFile(input.file);
    const video = await probeVideo(input.file);
    const fingerprints: SceneFingerprint[] = [
      ...(input.fingerprints ?? []).map((f) => ({ ...f, durationSec: video.durationSec })),
      {
        algorithm: 'OSHASH' as const,
        hash: options.oshash ?? (await oshash(input.file)),
        durationSec: video.durationSec,
      },
    ].filter((f, i, all) => all.findIndex((g) => g.algorithm === f.algorithm && g.hash === f.hash) === i);

    const frames = await analyzeVideoFrames(this.deps.pipeline, input.file, {
      ...(options.frames !== undefined ? { frames: options.frames } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(this.deps.onWarning ? { onWarning: this.deps.onWarning } : {}),
    });
    const search = input.performers.length > 1 ? await this.localIndex() : null;
    const attribution = attributeScene(
      frames,
      { endpoint: input.endpoint, performers: input.performers },
      search,
      options.attribution,
    );
    const request = attribution.attributed.length
      ? buildContributionRequest(
          { endpoint: input.endpoint, stashId: input.sceneId, fingerprints },
          attribution.attributed,
          this.deps.pipeline.model,
        )
      : null;
    const result = {
      file: input.file,
      framesSampled: frames.length,
      facesDetected: attribution.facesDetected,
      attributed: attribution.attributed.map((a) => ({
        stashId: a.stashId,
        faces: a.faces.length,
        personFaces: a.personFaces,
        distance: a.distance,
      })),
      leftOut: attribution.leftOut,
      request,
    };
    return {
      result,
      request,
      walkKey:
        options.walkKey ??
        walkKey(
          {
            endpoint: input.endpoint,
            stashBoxSceneId: input.sceneId,
            performers: [...input.performers].sort(),
          },
          fingerprints.find((f) => f.algorithm === 'OSHASH')!.hash,
          this.deps.pipeline.model,
        ),
    };
  }

  /** The local index tells credited performers apart in multi-performer scenes; without one they are left out. */
  private async localIndex() {
    if (!this.deps.indexStore) return null;
    try {
      return await this.deps.indexStore.get();
    } catch (error) {
      if (error instanceof IndexUnavailableError) {
        this.deps.onWarning?.(
          `no local index (${error.message}): multi-performer scenes cannot be attributed`,
        );
        return null;
      }
      throw error;
    }
  }
}
