// `stash-sense contribute`: analyse a scene file the stash-box already identifies, attribute its people to the
// credited performers (contribute/attribution.ts), and send the embeddings — never images — to the cloud.
import type { ContributionReceipt, ContributionRequest, SceneFingerprint } from '@stash-sense/contracts';
import { type AttributionConfig, attributeScene, type LeftOutPerson } from '../contribute/attribution.js';
import { type CloudClientOptions, postContribution } from '../contribute/cloud-client.js';
import { buildContributionRequest } from '../contribute/contribution-payload.js';
import { oshash } from '../contribute/oshash.js';
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
    if (!options.dryRun && !options.cloud)
      throw new Error('no cloud to send to: give --server and --api-key (or use --dry-run)');
    await assertReadableFile(input.file);
    const video = await probeVideo(input.file);
    const fingerprints: SceneFingerprint[] = [
      ...(input.fingerprints ?? []).map((f) => ({ ...f, durationSec: video.durationSec })),
      { algorithm: 'OSHASH' as const, hash: await oshash(input.file), durationSec: video.durationSec },
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
    const receipt = request && !options.dryRun ? await postContribution(request, options.cloud!) : null;
    return {
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
      receipt,
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
