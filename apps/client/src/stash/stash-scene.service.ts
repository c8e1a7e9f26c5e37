// Identification of a Stash scene by its id: the scene is read from Stash, its file is sampled locally when this
// machine can read it, else through Stash's stream URL (with the ApiKey header); the people found are matched
// like any video, and each gets a face thumbnail (cropped here) and, per candidate, whether the scene or the
// library already has that performer (by stash-box id).
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type {
  SidecarAddScenePerformersRequest,
  SidecarAddScenePerformersResponse,
  SceneCandidate,
  StashSceneCandidate,
  StashScenePerson,
} from '@stash-sense/contracts';
import { CLIENT_LIMITS } from '../config.js';
import { identifyScene } from '../identify/index.js';
import {
  type Box,
  cropFaceThumbnail,
  type DetectedFace,
  type FacePipeline,
  PIPELINE_DEFAULTS,
  sampleVideoFrames,
} from '../pipeline/index.js';
import { CancelledError } from '../services/errors.js';
import type { FaceIndexStore } from '../services/face-index-store.js';
import { toScenePeople } from '../services/match-mapping.js';
import type { WorkQueue } from '../services/work-queue.js';
import { type StashClient, StashError, type StashScene } from './stash-client.js';

export interface StashSceneIdentifyOptions {
  frames?: number;
  topK?: number;
  /** Sampled span as fractions of the duration (default: the pipeline's, 0.05–0.95). */
  startFraction?: number;
  endFraction?: number;
  /** Faces whose box is smaller than this in either side (pixels of the sampled frame) are ignored. */
  minFaceSize?: number;
  /** Faces with a lower detector score are ignored. */
  minFaceScore?: number;
  signal?: AbortSignal;
}

export interface StashSceneIdentification {
  sceneId: string;
  analysisId: string;
  source: 'file' | 'stream';
  kind: 'video';
  width: number;
  height: number;
  durationSec: number;
  framesSampled: number;
  /** Frames asked for (some may be undecodable and skipped). */
  framesRequested: number;
  /** Faces kept for identification (after minFaceSize / minFaceScore). */
  faceCount: number;
  /** Faces the detector found, before those filters. */
  facesDetected: number;
  scenePerformers: { id: string; name: string; stashIds: { endpoint: string; stashId: string }[] }[];
  people: StashScenePerson[];
}

export interface StashSceneServiceDeps {
  stash: StashClient;
  pipeline: FacePipeline;
  indexStore: FaceIndexStore;
  queue?: WorkQueue;
  onWarning?: (message: string) => void;
}

/** Recent analyses kept for POST /feedback: each holds one 512-float centroid per person (a few KiB). */
const KEPT_ANALYSES = 50;

export interface PersonFeedbackFace {
  /** Mean of the person's face embeddings, L2-normalised. */
  embedding: Float32Array;
  /** The scene's ids on stash-boxes (the cloud's feedback may name the scene). */
  sceneStashIds: { endpoint: string; stashId: string }[];
}

function centroid(vectors: readonly Float32Array[]): Float32Array | null {
  if (!vectors.length) return null;
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i]! += v[i]!;
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return null;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

const key = (endpoint: string, stashId: string) => `${endpoint.replace(/\/+$/, '')}#${stashId}`;

/** The first of the scene's files this process can read, or null. */
async function readableFile(scene: StashScene): Promise<string | null> {
  for (const file of scene.files) {
    try {
      await access(file.path, constants.R_OK);
      if ((await stat(file.path)).isFile()) return file.path;
    } catch {
      // not on this machine (Stash runs elsewhere, or another mount point): try the next, then the stream
    }
  }
  return null;
}

function sameBox(a: Box, b: Box): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) < 0.5);
}

export class StashSceneService {
  private readonly recent = new Map<
    string,
    { sceneStashIds: StashScene['stashIds']; people: Map<number, Float32Array> }
  >();

  constructor(private readonly deps: StashSceneServiceDeps) {}

  /** The face of `person` in a recent analysis, for feedback; null when unknown or expired. */
  feedbackFace(analysisId: string, person: number): PersonFeedbackFace | null {
    const analysis = this.recent.get(analysisId);
    const embedding = analysis?.people.get(person);
    return analysis && embedding ? { embedding, sceneStashIds: analysis.sceneStashIds } : null;
  }

  private remember(sceneStashIds: StashScene['stashIds'], people: Map<number, Float32Array>): string {
    const id = randomUUID();
    this.recent.set(id, { sceneStashIds, people });
    while (this.recent.size > KEPT_ANALYSES) this.recent.delete(this.recent.keys().next().value!);
    return id;
  }

  async identifyScene(
    sceneId: string,
    options: StashSceneIdentifyOptions = {},
  ): Promise<StashSceneIdentification> {
    const scene = await this.deps.stash.findScene(sceneId);
    if (!scene) throw new StashError(`Stash has no scene ${sceneId}; check the scene id`, 'not-found');
    const path = await readableFile(scene);
    if (!path && !scene.streamUrl) {
      throw new StashError(
        `scene ${sceneId} has no file this machine can read and no stream URL`,
        'not-found',
      );
    }
    const input = path ?? scene.streamUrl!;
    const headers = path ? undefined : this.deps.stash.authHeaders();
    await this.deps.indexStore.get(); // no index → fail before decoding anything
    const count = Math.min(
      options.frames ?? PIPELINE_DEFAULTS.video.frameCount,
      CLIENT_LIMITS.maxSceneFrames,
    );
    const job = async () => {
      const frames: { index: number; timestampSec: number; faces: DetectedFace[] }[] = [];
      const thumbnails = new Map<number, { box: Box; jpeg: Buffer }[]>();
      let faceCount = 0;
      let facesDetected = 0;
      const keep = (face: DetectedFace) =>
        (options.minFaceSize === undefined || Math.min(face.box[2], face.box[3]) >= options.minFaceSize) &&
        (options.minFaceScore === undefined || face.score >= options.minFaceScore);
      let width = scene.width ?? 0;
      let height = scene.height ?? 0;
      for await (const frame of sampleVideoFrames(input, {
        count,
        ...(options.startFraction !== undefined ? { startFraction: options.startFraction } : {}),
        ...(options.endFraction !== undefined ? { endFraction: options.endFraction } : {}),
        ...(headers ? { headers } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.deps.onWarning ? { onWarning: this.deps.onWarning } : {}),
      })) {
        const detected = await this.deps.pipeline.analyzeImage(frame.image);
        facesDetected += detected.length;
        const faces = detected.filter(keep);
        faceCount += faces.length;
        frames.push({ index: frame.index, timestampSec: frame.timestampSec, faces });
        const crops: { box: Box; jpeg: Buffer }[] = [];
        for (const face of faces)
          crops.push({ box: face.box, jpeg: await cropFaceThumbnail(frame.image, face.box) });
        thumbnails.set(frame.index, crops);
        if (!width || !height) ({ width, height } = frame.image);
      }
      if (options.signal?.aborted) throw new CancelledError();
      const result = await this.deps.indexStore.use((index) =>
        identifyScene(index, frames, { ...(options.topK !== undefined ? { topK: options.topK } : {}) }),
      );
      const centroids = new Map<number, Float32Array>();
      const facesByFrame = new Map(frames.map((f) => [f.index, f.faces]));
      const people = toScenePeople(result.people).map((person) => {
        const embeddings = person.track.points.flatMap((point) => {
          const face = facesByFrame.get(point.frame)?.find((f) => sameBox(f.box, point.box));
          return face ? [face.embedding] : [];
        });
        const mean = centroid(embeddings);
        if (mean) centroids.set(person.person, mean);
        const best = [...person.track.points].sort((a, b) => b.quality - a.quality)[0];
        const crop = best ? thumbnails.get(best.frame)?.find((c) => sameBox(c.box, best.box)) : undefined;
        return {
          ...person,
          thumbnail: crop ? `data:image/jpeg;base64,${crop.jpeg.toString('base64')}` : null,
        };
      });
      return { people, centroids, framesSampled: frames.length, faceCount, facesDetected, width, height };
    };
    const analysed = await (this.deps.queue ? this.deps.queue.run(job, options.signal) : job());

    // Which candidates are on the scene already, and which the library has.
    const onScene = new Map<string, string>();
    for (const performer of scene.performers)
      for (const id of performer.stashIds) onScene.set(key(id.endpoint, id.stashId), performer.id);
    const libraryCache = new Map<string, Promise<string | null>>();
    const libraryId = (endpoint: string, stashId: string) => {
      const k = key(endpoint, stashId);
      let found = libraryCache.get(k);
      if (!found) {
        found = this.deps.stash.findPerformerByStashId(endpoint, stashId).then((p) => p?.id ?? null);
        libraryCache.set(k, found);
      }
      return found;
    };
    const annotate = async (candidate: SceneCandidate): Promise<StashSceneCandidate> => {
      for (const id of candidate.stashIds) {
        const sceneHas = onScene.get(key(id.endpoint, id.stashId));
        if (sceneHas) return { ...candidate, onScene: true, stashPerformerId: sceneHas };
      }
      for (const id of candidate.stashIds) {
        const found = await libraryId(id.endpoint, id.stashId);
        if (found) return { ...candidate, onScene: false, stashPerformerId: found };
      }
      return { ...candidate, onScene: false, stashPerformerId: null };
    };
    const people: StashScenePerson[] = [];
    for (const person of analysed.people) {
      const candidates = await Promise.all(person.candidates.map(annotate));
      const bestMatch = person.bestMatch ? await annotate(person.bestMatch) : null;
      people.push({ ...person, candidates, bestMatch });
    }
    return {
      sceneId: scene.id,
      analysisId: this.remember(scene.stashIds, analysed.centroids),
      source: path ? 'file' : 'stream',
      kind: 'video',
      width: analysed.width || 1,
      height: analysed.height || 1,
      durationSec: scene.durationSec ?? 0,
      framesSampled: analysed.framesSampled,
      framesRequested: count,
      faceCount: analysed.faceCount,
      facesDetected: analysed.facesDetected,
      scenePerformers: scene.performers.map((p) => ({ id: p.id, name: p.name, stashIds: p.stashIds })),
      people,
    };
  }

  /** Adds performers to a scene: Stash ids as given, stash-box ids found in the library or created from the stash-box. */
  async addPerformers(
    sceneId: string,
    request: SidecarAddScenePerformersRequest,
  ): Promise<SidecarAddScenePerformersResponse> {
    const scene = await this.deps.stash.findScene(sceneId);
    if (!scene) throw new StashError(`Stash has no scene ${sceneId}; check the scene id`, 'not-found');
    const added: SidecarAddScenePerformersResponse['added'] = (request.performer_ids ?? []).map((id) => ({
      performerId: id,
      name: null,
      created: false,
      source: 'library' as const,
    }));
    for (const wanted of request.stash_ids ?? []) {
      const result = await this.deps.stash.createPerformerFromStashBox({
        endpoint: wanted.endpoint,
        stashId: wanted.stash_id,
        ...(wanted.name ? { fallbackName: wanted.name } : {}),
      });
      added.push({
        performerId: result.performer.id,
        name: result.performer.name,
        created: result.created,
        source: result.source,
        stashId: wanted.stash_id,
        endpoint: wanted.endpoint,
      });
    }
    const performerIds = await this.deps.stash.addPerformersToScene(
      scene.id,
      added.map((a) => a.performerId),
    );
    return { sceneId: scene.id, performerIds, added };
  }
}
