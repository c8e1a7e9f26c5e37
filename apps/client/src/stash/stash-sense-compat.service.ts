// The calls of the stash-sense / stash-sense2 Stash plugins (their Python sidecar's API), answered with the usual
// services: scene identification is StashSceneService's, images go through IdentifyService, Stash reads and
// writes through StashClient. This file only fetches what those need from Stash and reshapes the results
// (stash-sense-compat.mapping.ts). Reference: ../shared/compat/stash-sense-plugin-api.md.
import {
  STASH_SENSE_COMPAT_LIMITS,
  type SidecarDatabaseInfo,
  type StashSenseCheckUpdateResponse,
  type StashSenseCreatePerformerRequest,
  type StashSenseCreatePerformerResponse,
  type StashSenseGalleryRequest,
  type StashSenseGalleryResponse,
  type StashSenseIdentifyRequest,
  type StashSenseImageRequest,
  type StashSenseImageResponse,
  type StashSenseLinkPerformerRequest,
  type StashSenseLinkPerformerResponse,
  type StashSensePerformerHit,
  type StashSenseSceneFields,
  type StashSenseSceneRequest,
} from '@stash-sense/contracts';
import type { IndexUpdater, UpdateFailure } from '../index/index-updater.js';
import { InputError } from '../pipeline/index.js';
import { CancelledError, IndexUnavailableError, ModelMismatchError } from '../services/errors.js';
import type { FaceIndexStore } from '../services/face-index-store.js';
import type { IdentifyService } from '../services/identify.service.js';
import { type StashClient, StashError, toStashGender } from './stash-client.js';
import type { StashSceneIdentification, StashSceneService } from './stash-scene.service.js';
import {
  aggregateGallery,
  decodeImageBase64,
  type GalleryImageMatches,
  imageFaceMatches,
  type PerformerExtras,
  type PerformerExtrasLookup,
  stashBoxDomain,
  stashBoxEndpointUrl,
  toStashSenseImage,
  toStashSensePersons,
} from './stash-sense-compat.mapping.js';

/** A compat call that cannot be answered: mapped to its HTTP status by the route (the detail says what to do). */
export class CompatUnavailableError extends Error {
  override name = 'CompatUnavailableError';
  constructor(
    readonly failure: UpdateFailure | 'no_stash',
    message: string,
  ) {
    super(message);
  }
}

export interface StashSenseCompatDeps {
  stash: StashClient | null;
  stashScenes: StashSceneService | null;
  identify: IdentifyService;
  indexStore: FaceIndexStore;
  updater: IndexUpdater;
  /** Largest image downloaded from Stash. */
  maxImageBytes: number;
  /** Progress lines (a gallery's images). */
  log?: (line: string) => void;
}

/** Images of a gallery downloaded ahead of the one being analysed (analysis is serialised, downloads are not). */
const GALLERY_PREFETCH = 4;

const NO_STASH =
  'this call needs Stash: start the sidecar with STASH_SENSE_STASH_URL (and STASH_SENSE_STASH_API_KEY when Stash has a login)';

export class StashSenseCompatService {
  private sources: { version: string; domains: string[] } | undefined;

  constructor(private readonly deps: StashSenseCompatDeps) {}

  private requireStash(): StashClient {
    if (!this.deps.stash) throw new CompatUnavailableError('no_stash', NO_STASH);
    return this.deps.stash;
  }

  /** Country and image URL of index performers, read once per call (the index stays open meanwhile). */
  private async extrasFor(performerIds: Iterable<number>): Promise<PerformerExtrasLookup> {
    const ids = new Set(performerIds);
    const found = new Map<number, PerformerExtras>();
    if (ids.size) {
      await this.deps.indexStore.use((index) => {
        for (const id of ids) {
          const p = index.performers.get(id);
          if (p) found.set(id, { country: p.country ?? null, imageUrl: p.imageUrl ?? null });
        }
      });
    }
    return (id) => found.get(id);
  }

  /** POST /identify/scene with the plugin's fields: our scene identification, and its answer in the old shape too. */
  async identifyScene(
    request: StashSenseSceneRequest,
    signal?: AbortSignal,
  ): Promise<{ result: StashSceneIdentification; fields: StashSenseSceneFields }> {
    if (!this.deps.stashScenes) throw new CompatUnavailableError('no_stash', NO_STASH);
    const frames = request.frames ?? request.num_frames ?? request.max_frames;
    const result = await this.deps.stashScenes.identifyScene(request.scene_id, {
      ...(frames !== undefined ? { frames } : {}),
      ...(request.top_k !== undefined ? { topK: request.top_k } : {}),
      ...(request.start_offset_pct !== undefined ? { startFraction: request.start_offset_pct } : {}),
      ...(request.end_offset_pct !== undefined ? { endFraction: request.end_offset_pct } : {}),
      ...(request.min_face_size !== undefined ? { minFaceSize: request.min_face_size } : {}),
      ...(request.min_face_confidence !== undefined ? { minFaceScore: request.min_face_confidence } : {}),
      ...(signal ? { signal } : {}),
    });
    const tagged = new Set<string>([
      ...(request.scene_performer_stashdb_ids ?? []).map((id) => id.toLowerCase()),
      ...result.scenePerformers.flatMap((p) => p.stashIds.map((s) => s.stashId.toLowerCase())),
    ]);
    const extras = await this.extrasFor(
      result.people.flatMap((p) => [
        ...(p.bestMatch ? [p.bestMatch.performerId] : []),
        ...p.candidates.map((c) => c.performerId),
      ]),
    );
    const persons = toStashSensePersons(result.people, {
      taggedStashIds: tagged,
      extras,
      ...(request.max_distance !== undefined ? { maxDistance: request.max_distance } : {}),
    });
    return {
      result,
      fields: {
        scene_id: result.sceneId,
        frames_analyzed: result.framesSampled,
        frames_requested: result.framesRequested,
        faces_detected: result.facesDetected,
        faces_after_filter: result.faceCount,
        persons,
        errors: [],
        multi_signal_used: false,
        fingerprint_saved: false,
        fingerprint_error: null,
      },
    };
  }

  /** Identifies the faces of an image in memory and answers in the old shape. */
  private async identifyBuffer(
    buffer: Buffer,
    name: string,
    options: { topK?: number; maxDistance?: number; minFaceConfidence?: number; signal?: AbortSignal },
  ): Promise<StashSenseImageResponse> {
    const result = await this.deps.identify.identifyImage(
      { kind: 'buffer', buffer, name },
      {
        ...(options.topK !== undefined ? { topK: options.topK } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    const kept = result.faces.flatMap((face, i) =>
      options.minFaceConfidence === undefined || face.score >= options.minFaceConfidence ? [i] : [],
    );
    const faces = kept.map((i) => result.faces[i]!);
    const people = kept.flatMap((i, position) => {
      const person = result.people.find((p) => p.face === i);
      return person ? [{ ...person, face: position }] : [];
    });
    const extras = await this.extrasFor(people.flatMap((p) => p.candidates.map((c) => c.performerId)));
    return toStashSenseImage(
      { faces, people },
      { extras, ...(options.maxDistance !== undefined ? { maxDistance: options.maxDistance } : {}) },
    );
  }

  /** POST /identify in the old shape: `image_base64` (the fork's "Identify current frame") or `image_url`. */
  async identifyUpload(
    request: StashSenseIdentifyRequest,
    signal?: AbortSignal,
  ): Promise<StashSenseImageResponse> {
    const options = {
      ...(request.top_k !== undefined ? { topK: request.top_k } : {}),
      ...(request.max_distance !== undefined ? { maxDistance: request.max_distance } : {}),
      ...(request.min_face_confidence !== undefined
        ? { minFaceConfidence: request.min_face_confidence }
        : {}),
      ...(signal ? { signal } : {}),
    };
    if (request.image_base64 !== undefined) {
      let buffer: Buffer;
      try {
        buffer = decodeImageBase64(request.image_base64);
      } catch {
        throw new InputError(
          'image_base64',
          'is not base64: send the image bytes base64-encoded (no data: prefix needed)',
        );
      }
      return this.identifyBuffer(buffer, 'image_base64', options);
    }
    const result = await this.deps.identify.identifyImage(
      { kind: 'url', url: request.image_url! },
      { ...(options.topK !== undefined ? { topK: options.topK } : {}), ...(signal ? { signal } : {}) },
    );
    const extras = await this.extrasFor(result.people.flatMap((p) => p.candidates.map((c) => c.performerId)));
    return toStashSenseImage(result, {
      extras,
      ...(options.maxDistance !== undefined ? { maxDistance: options.maxDistance } : {}),
    });
  }

  /** Candidates of our own /identify answer in the old match shape (its superset fields). */
  async matchesForImage(
    result: Parameters<typeof imageFaceMatches>[0],
  ): Promise<ReturnType<typeof imageFaceMatches>> {
    const extras = await this.extrasFor(result.people.flatMap((p) => p.candidates.map((c) => c.performerId)));
    return imageFaceMatches(result, { extras });
  }

  /** POST /identify/image: the image is read from Stash (findImage) and downloaded with the ApiKey header. */
  async identifyStashImage(
    request: StashSenseImageRequest,
    signal?: AbortSignal,
  ): Promise<StashSenseImageResponse> {
    const stash = this.requireStash();
    const image = await stash.findImage(request.image_id);
    if (!image)
      throw new StashError(`Stash has no image ${request.image_id}; check the image id`, 'not-found');
    if (!image.imageUrl) throw new StashError(`Stash has no file for image ${request.image_id}`, 'not-found');
    const buffer = await stash.downloadMedia(image.imageUrl, {
      maxBytes: this.deps.maxImageBytes,
      ...(signal ? { signal } : {}),
    });
    return this.identifyBuffer(buffer, `Stash image ${request.image_id}`, {
      ...(request.top_k !== undefined ? { topK: request.top_k } : {}),
      ...(request.max_distance !== undefined ? { maxDistance: request.max_distance } : {}),
      ...(request.min_face_confidence !== undefined
        ? { minFaceConfidence: request.min_face_confidence }
        : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * POST /identify/gallery: every image of the gallery, downloaded a few ahead while one is analysed, with a
   * progress line per image. An image that fails is listed in `errors` and the others go on; a missing index,
   * a cancelled request or an unreachable Stash stop the whole call.
   */
  async identifyGallery(
    request: StashSenseGalleryRequest,
    signal?: AbortSignal,
  ): Promise<StashSenseGalleryResponse> {
    const stash = this.requireStash();
    const log = this.deps.log ?? (() => {});
    const gallery = await stash.findGallery(request.gallery_id);
    if (!gallery)
      throw new StashError(`Stash has no gallery ${request.gallery_id}; check the gallery id`, 'not-found');
    await this.deps.indexStore.get(); // no index → fail before downloading anything
    const images = await stash.findGalleryImages(gallery.id);
    log(`gallery ${gallery.id}: ${images.length} images`);
    const started = performance.now();
    const download = (i: number) => {
      const image = images[i]!;
      const promise = image.imageUrl
        ? stash.downloadMedia(image.imageUrl, {
            maxBytes: this.deps.maxImageBytes,
            ...(signal ? { signal } : {}),
          })
        : Promise.reject(new Error('Stash has no file for it'));
      promise.catch(() => {}); // awaited below, in order
      return promise;
    };
    const pending = new Map<number, Promise<Buffer>>();
    const analysed: GalleryImageMatches[] = [];
    const errors: string[] = [];
    let facesDetected = 0;
    for (let i = 0; i < images.length; i++) {
      for (let j = i; j < Math.min(images.length, i + GALLERY_PREFETCH); j++)
        if (!pending.has(j)) pending.set(j, download(j));
      const image = images[i]!;
      try {
        const buffer = await pending.get(i)!;
        const answer = await this.identifyBuffer(buffer, `Stash image ${image.id}`, {
          ...(request.top_k !== undefined ? { topK: request.top_k } : {}),
          ...(request.max_distance !== undefined ? { maxDistance: request.max_distance } : {}),
          ...(request.min_face_confidence !== undefined
            ? { minFaceConfidence: request.min_face_confidence }
            : {}),
          ...(signal ? { signal } : {}),
        });
        facesDetected += answer.face_count;
        analysed.push({ imageId: image.id, faces: answer.faces.map((f) => f.matches) });
        log(
          `gallery ${gallery.id}: image ${i + 1}/${images.length} (id ${image.id}): ${answer.face_count} faces`,
        );
      } catch (error) {
        if (
          error instanceof CancelledError ||
          error instanceof IndexUnavailableError ||
          error instanceof ModelMismatchError ||
          (error instanceof StashError && error.kind !== 'not-found')
        )
          throw error;
        if (signal?.aborted) throw new CancelledError('the client closed the connection');
        const message = `image ${image.id}: ${(error as Error).message}`;
        log(`gallery ${gallery.id}: image ${i + 1}/${images.length} failed: ${message}`);
        if (errors.length < STASH_SENSE_COMPAT_LIMITS.galleryMaxErrors) errors.push(message);
      } finally {
        pending.delete(i);
      }
    }
    log(
      `gallery ${gallery.id}: ${analysed.length}/${images.length} images, ${facesDetected} faces in ${Math.round(performance.now() - started)} ms`,
    );
    return {
      gallery_id: gallery.id,
      total_images: images.length,
      images_processed: analysed.length,
      faces_detected: facesDetected,
      performers: aggregateGallery(analysed),
      errors,
    };
  }

  /** POST /stash/search-performers: Stash's own performer search, 10 by name. */
  async searchPerformers(query: string): Promise<StashSensePerformerHit[]> {
    const hits = await this.requireStash().searchPerformers(query, 10);
    return hits.map((p) => ({
      id: p.id,
      name: p.name,
      disambiguation: p.disambiguation,
      alias_list: p.aliases,
      image_path: p.imagePath,
    }));
  }

  /** The stash-box GraphQL URL Stash knows for a domain (its configured stash-boxes), else https://<domain>/graphql. */
  private async endpointUrl(domainOrUrl: string): Promise<string> {
    const configured = await this.requireStash()
      .stashBoxEndpoints()
      .catch((error: unknown) => {
        if (error instanceof StashError && (error.kind === 'unreachable' || error.kind === 'auth'))
          throw error;
        return [];
      });
    return stashBoxEndpointUrl(
      domainOrUrl,
      configured.map((b) => b.endpoint),
    );
  }

  /**
   * POST /stash/create-performer: the performer is created in Stash from the stash-box (Stash fetches it with its
   * own stash-box settings; a performer the library already has by that id is reused), then added to the scene.
   */
  async createPerformer(
    request: StashSenseCreatePerformerRequest,
  ): Promise<StashSenseCreatePerformerResponse> {
    if (!this.deps.stashScenes) throw new CompatUnavailableError('no_stash', NO_STASH);
    const endpoint = await this.endpointUrl(request.endpoint);
    const result = await this.deps.stashScenes.addPerformers(request.scene_id, {
      stash_ids: [{ endpoint, stash_id: request.stashdb_id }],
    });
    const added = result.added[0]!;
    return {
      success: true,
      performer_id: added.performerId,
      name: added.name ?? '',
      created: added.created,
    };
  }

  /**
   * POST /stash/link-performer: merges the stash-box ids into the performer (and, with update_metadata, fills its
   * empty fields from the stash-box through Stash), then adds it to the scene.
   */
  async linkPerformer(request: StashSenseLinkPerformerRequest): Promise<StashSenseLinkPerformerResponse> {
    const stash = this.requireStash();
    const performer = await stash.findPerformerDetails(request.performer_id);
    if (!performer)
      throw new StashError(
        `Stash has no performer ${request.performer_id}; check the performer id`,
        'not-found',
      );
    if (!(await stash.findScene(request.scene_id)))
      throw new StashError(`Stash has no scene ${request.scene_id}; check the scene id`, 'not-found');

    const fields: Record<string, unknown> = {};
    const wanted = await Promise.all(
      (request.stash_ids ?? []).map(async (s) => ({
        endpoint: await this.endpointUrl(s.endpoint),
        stashId: s.stash_id,
      })),
    );
    const have = new Set(performer.stashIds.map((s) => `${stashBoxDomain(s.endpoint)}#${s.stashId}`));
    const added = wanted.filter((s) => {
      const k = `${stashBoxDomain(s.endpoint)}#${s.stashId}`;
      return !have.has(k) && have.add(k);
    });
    if (added.length)
      fields.stash_ids = [...performer.stashIds, ...added].map((s) => ({
        endpoint: s.endpoint,
        stash_id: s.stashId,
      }));

    const updated: string[] = [];
    if (request.update_metadata) {
      for (const id of wanted) {
        const scraped = await stash.scrapeStashBoxPerformer(id.endpoint, id.stashId);
        if (!scraped) continue;
        const fill = (field: string, current: unknown, value: unknown) => {
          const empty =
            current === null || current === '' || (Array.isArray(current) && current.length === 0);
          const given =
            value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && !value.length);
          if (empty && given && !(field in fields)) {
            fields[field] = value;
            updated.push(field);
          }
        };
        fill('disambiguation', performer.disambiguation, scraped.disambiguation);
        fill('gender', performer.gender, toStashGender(scraped.gender));
        fill('birthdate', performer.birthdate, scraped.birthdate);
        fill('country', performer.country, scraped.country);
        fill('ethnicity', performer.ethnicity, scraped.ethnicity);
        fill('details', performer.details, scraped.details);
        fill('alias_list', performer.aliases, scraped.aliases);
        fill('urls', performer.urls, scraped.urls);
        break;
      }
    }
    if (Object.keys(fields).length) await stash.updatePerformer(performer.id, fields);
    const scenePerformerIds = await stash.addPerformersToScene(request.scene_id, [performer.id]);
    return {
      success: true,
      performer_id: performer.id,
      scene_performer_ids: scenePerformerIds,
      stash_ids_added: added.length,
      updated_fields: updated,
    };
  }

  /** GET /database/info: the index in use, with the old sidecar's fields. */
  async databaseInfo(): Promise<SidecarDatabaseInfo> {
    const info = await this.deps.indexStore.info();
    if (this.sources?.version !== info.indexVersion) {
      const domains = await this.deps.indexStore.use((index) => {
        const found = new Set<string>();
        for (const performer of index.performers.values())
          for (const id of performer.stashIds) found.add(stashBoxDomain(id.endpoint));
        return [...found].sort();
      });
      this.sources = { version: info.indexVersion, domains };
    }
    return {
      ...info,
      version: info.indexVersion,
      performer_count: info.performerCount,
      face_count: info.faceCount,
      sources: this.sources.domains,
      created_at: info.createdAt,
      tattoo_embedding_count: 0,
    };
  }

  /** GET /database/check-update: the latest signed release of our index distribution against the index in use. */
  async checkUpdate(): Promise<StashSenseCheckUpdateResponse> {
    const outcome = await this.deps.updater.check();
    if ('failure' in outcome) throw new CompatUnavailableError(outcome.failure, outcome.detail);
    const { check } = outcome;
    return {
      current_version: check.currentVersion,
      latest_version: check.latestVersion,
      update_available: check.updateAvailable,
      release_name: `Stash Sense face index ${check.latestVersion}`,
      download_url: null,
      download_size_mb: Math.round((check.downloadBytes / 1024 / 1024) * 10) / 10,
      published_at: check.publishedAt,
      signature_verified: true,
    };
  }
}
