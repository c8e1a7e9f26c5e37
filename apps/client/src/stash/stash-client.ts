// Stash GraphQL client: reads scenes (files, fingerprints, stream/screenshot URLs, stash-box ids, performers),
// looks performers up by stash-box id, adds performers to scenes and creates missing performers from a
// stash-box id. Every document is in stash.queries.ts and validated against Stash's schema in the tests.
import { CLIENT_LIMITS, stashBaseUrl } from '../config.js';
import { fetchTextWithin } from '../services/deadline.js';
import { fetchRemoteImage } from '../services/remote-image.js';
import { STASH_DOCUMENTS, type StashDocumentName } from './stash.queries.js';

export interface StashId {
  endpoint: string;
  stashId: string;
}

export interface StashFingerprint {
  /** Stash's fingerprint type: `oshash`, `md5`, `phash`. */
  type: string;
  value: string;
}

export interface StashSceneFile {
  id: string;
  path: string;
  durationSec: number;
  width: number;
  height: number;
  fingerprints: StashFingerprint[];
}

export interface StashPerformer {
  id: string;
  name: string;
  disambiguation: string | null;
  imagePath: string | null;
  stashIds: StashId[];
}

export interface StashScene {
  id: string;
  title: string | null;
  files: StashSceneFile[];
  /** Duration, width and height of the primary (first) file; null when the scene has no file. */
  durationSec: number | null;
  width: number | null;
  height: number | null;
  /** Absolute URLs served by Stash (they need the ApiKey header when Stash has a login). */
  streamUrl: string | null;
  screenshotUrl: string | null;
  stashIds: StashId[];
  performers: StashPerformer[];
}

export interface StashScenePage {
  /** Total number of scenes in the library (all pages). */
  count: number;
  page: number;
  perPage: number;
  scenes: StashScene[];
}

export interface StashImage {
  id: string;
  imageUrl: string | null;
  path: string | null;
  performerIds: string[];
}

export interface StashGallery {
  id: string;
  title: string | null;
  imageCount: number;
}

/** An image of a gallery: its id and the absolute URL Stash serves it at. */
export interface StashGalleryImage {
  id: string;
  imageUrl: string | null;
}

/** A library performer as the name search finds it. */
export interface StashPerformerHit {
  id: string;
  name: string;
  disambiguation: string | null;
  aliases: string[];
  imagePath: string | null;
}

/** A library performer's editable fields (what `update_metadata` may fill). */
export interface StashPerformerDetails {
  id: string;
  name: string;
  disambiguation: string | null;
  gender: string | null;
  birthdate: string | null;
  country: string | null;
  ethnicity: string | null;
  details: string | null;
  aliases: string[];
  urls: string[];
  stashIds: StashId[];
}

/** A stash-box configured in Stash (Settings → Metadata providers); its API key is deliberately not read. */
export interface StashBoxEndpoint {
  endpoint: string;
  name: string;
}

/** Performer fields a stash-box answered through Stash's `scrapeSinglePerformer`. */
export interface StashBoxPerformerData {
  name: string;
  disambiguation?: string | null;
  gender?: string | null;
  birthdate?: string | null;
  country?: string | null;
  ethnicity?: string | null;
  aliases?: string[];
  urls?: string[];
  image?: string | null;
  details?: string | null;
}

export interface CreatePerformerFromStashBoxInput {
  /** Stash-box GraphQL endpoint as configured in Stash, e.g. `https://stashdb.org/graphql`. */
  endpoint: string;
  /** The performer's id on that stash-box (UUID). */
  stashId: string;
  /** Used when Stash cannot fetch the performer from the stash-box (not configured there, unreachable). */
  fallbackName?: string;
}

export interface CreatedPerformer {
  performer: StashPerformer;
  /** false when the performer already existed (found by its stash-box id) and nothing was created. */
  created: boolean;
  /** Where the performer's data came from: the stash-box through Stash, or only the fallback name. */
  source: 'existing' | 'stash-box' | 'fallback';
}

/** Stash answered with an error, could not be reached, or a request was malformed. */
export class StashError extends Error {
  override name = 'StashError';
  constructor(
    message: string,
    /** `unreachable`: network/HTTP failure; `graphql`: Stash refused the request; `not-found`: no such object. */
    readonly kind: 'unreachable' | 'graphql' | 'not-found' | 'auth',
  ) {
    super(message);
  }
}

export interface StashClientOptions {
  /** Stash base URL (`http://localhost:9999`); a trailing `/graphql` is accepted. */
  url: string;
  apiKey?: string;
  /** Per-request timeout (default 30 s: Stash answers in milliseconds; stash-box scrapes take seconds). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const GENDERS = new Set([
  'MALE',
  'FEMALE',
  'TRANSGENDER_MALE',
  'TRANSGENDER_FEMALE',
  'INTERSEX',
  'NON_BINARY',
]);

/** A stash-box gender ("Female", "transgender_male") as Stash's GenderEnum, or undefined when it is none of them. */
export function toStashGender(value: string | null | undefined): string | undefined {
  const gender = value?.toUpperCase().replace(/[\s-]+/g, '_');
  return gender && GENDERS.has(gender) ? gender : undefined;
}

interface RawStashId {
  endpoint: string;
  stash_id: string;
}
interface RawPerformer {
  id: string;
  name: string;
  disambiguation?: string | null;
  image_path?: string | null;
  stash_ids?: RawStashId[];
}
interface RawScene {
  id: string;
  title?: string | null;
  files: {
    id: string;
    path: string;
    duration: number;
    width: number;
    height: number;
    fingerprints: StashFingerprint[];
  }[];
  paths: { stream?: string | null; screenshot?: string | null };
  stash_ids: RawStashId[];
  performers: RawPerformer[];
}

export class StashClient {
  readonly baseUrl: string;
  readonly graphqlUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: StashClientOptions) {
    this.baseUrl = stashBaseUrl(options.url);
    this.graphqlUrl = `${this.baseUrl}/graphql`;
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Headers for Stash's media URLs (stream, screenshot) as well as GraphQL: `ApiKey` when configured. */
  authHeaders(): Record<string, string> {
    return this.apiKey ? { ApiKey: this.apiKey } : {};
  }

  /** One scene, or null when Stash has no scene with that id. */
  async findScene(id: string): Promise<StashScene | null> {
    const data = await this.request<{ findScene: RawScene | null }>('findScene', { id: String(id) });
    return data.findScene ? this.toScene(data.findScene) : null;
  }

  /** One page of the library's scenes, oldest id first (stable while walking the library). `page` starts at 1. */
  async findScenes({
    page = 1,
    perPage = 100,
  }: { page?: number; perPage?: number } = {}): Promise<StashScenePage> {
    const data = await this.request<{ findScenes: { count: number; scenes: RawScene[] } }>('findScenes', {
      filter: { page, per_page: perPage, sort: 'id', direction: 'ASC' },
    });
    return {
      count: data.findScenes.count,
      page,
      perPage,
      scenes: data.findScenes.scenes.map((s) => this.toScene(s)),
    };
  }

  /** The library's performer linked to `stashId` on `endpoint`, or null. */
  async findPerformerByStashId(endpoint: string, stashId: string): Promise<StashPerformer | null> {
    const data = await this.request<{ findPerformers: { count: number; performers: RawPerformer[] } }>(
      'findPerformerByStashId',
      { criterion: { endpoint, stash_id: stashId, modifier: 'EQUALS' } },
    );
    const performer = data.findPerformers.performers[0];
    return performer ? this.toPerformer(performer) : null;
  }

  async findImage(id: string): Promise<StashImage | null> {
    const data = await this.request<{
      findImage: {
        id: string;
        paths: { image?: string | null };
        visual_files: { path?: string }[];
        performers: { id: string }[];
      } | null;
    }>('findImage', { id: String(id) });
    const image = data.findImage;
    if (!image) return null;
    return {
      id: image.id,
      imageUrl: this.absolute(image.paths.image ?? null),
      path: image.visual_files.find((f) => f.path)?.path ?? null,
      performerIds: image.performers.map((p) => p.id),
    };
  }

  /**
   * Adds performers to a scene, keeping the ones already on it. Returns the scene's performer ids afterwards.
   * Throws StashError `not-found` when the scene does not exist.
   */
  async addPerformersToScene(sceneId: string, performerIds: readonly string[]): Promise<string[]> {
    const scene = await this.findScene(sceneId);
    if (!scene) throw new StashError(`Stash has no scene ${sceneId}`, 'not-found');
    const current = scene.performers.map((p) => p.id);
    const wanted = [...new Set([...current, ...performerIds.map(String)])];
    if (wanted.length === current.length) return current;
    const data = await this.request<{ sceneUpdate: { id: string; performers: { id: string }[] } | null }>(
      'sceneUpdatePerformers',
      { id: scene.id, performerIds: wanted },
    );
    if (!data.sceneUpdate) throw new StashError(`Stash did not update scene ${sceneId}`, 'graphql');
    return data.sceneUpdate.performers.map((p) => p.id);
  }

  /**
   * Fetches a performer's data from a stash-box through Stash (`scrapeSinglePerformer`, which uses the
   * stash-box API key configured in Stash). Null when Stash cannot (endpoint not configured, no such performer).
   */
  async scrapeStashBoxPerformer(endpoint: string, stashId: string): Promise<StashBoxPerformerData | null> {
    let data: {
      scrapeSinglePerformer: {
        name?: string | null;
        disambiguation?: string | null;
        gender?: string | null;
        birthdate?: string | null;
        country?: string | null;
        ethnicity?: string | null;
        aliases?: string | null;
        urls?: string[] | null;
        images?: string[] | null;
        details?: string | null;
      }[];
    };
    try {
      data = await this.request('scrapePerformerFromStashBox', { endpoint, performerId: stashId });
    } catch (error) {
      if (error instanceof StashError && error.kind === 'graphql') return null;
      throw error;
    }
    const found = data.scrapeSinglePerformer.find((p) => p.name);
    if (!found?.name) return null;
    return {
      name: found.name,
      disambiguation: found.disambiguation ?? null,
      gender: found.gender ?? null,
      birthdate: found.birthdate ?? null,
      country: found.country ?? null,
      ethnicity: found.ethnicity ?? null,
      aliases: (found.aliases ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      urls: found.urls ?? [],
      image: found.images?.[0] ?? null,
      details: found.details ?? null,
    };
  }

  /**
   * Returns the library's performer for a stash-box id, creating it when the library lacks it: with the
   * stash-box's data when Stash can fetch it, else with `fallbackName` (and the stash id, so Stash can
   * update it later). Throws when neither is available.
   */
  async createPerformerFromStashBox(input: CreatePerformerFromStashBoxInput): Promise<CreatedPerformer> {
    const existing = await this.findPerformerByStashId(input.endpoint, input.stashId);
    if (existing) return { performer: existing, created: false, source: 'existing' };
    const scraped = await this.scrapeStashBoxPerformer(input.endpoint, input.stashId);
    const name = scraped?.name ?? input.fallbackName;
    if (!name) {
      throw new StashError(
        `Stash could not fetch performer ${input.stashId} from ${input.endpoint} (is that stash-box configured in Stash's settings?) and no name was given`,
        'not-found',
      );
    }
    const gender = toStashGender(scraped?.gender);
    const createInput: Record<string, unknown> = {
      name,
      stash_ids: [{ endpoint: input.endpoint, stash_id: input.stashId }],
    };
    if (scraped) {
      if (scraped.disambiguation) createInput.disambiguation = scraped.disambiguation;
      if (gender) createInput.gender = gender;
      if (scraped.birthdate) createInput.birthdate = scraped.birthdate;
      if (scraped.country) createInput.country = scraped.country;
      if (scraped.ethnicity) createInput.ethnicity = scraped.ethnicity;
      if (scraped.aliases?.length) createInput.alias_list = scraped.aliases;
      if (scraped.urls?.length) createInput.urls = scraped.urls;
      if (scraped.image) createInput.image = scraped.image;
      if (scraped.details) createInput.details = scraped.details;
    }
    const data = await this.request<{ performerCreate: RawPerformer | null }>('performerCreate', {
      input: createInput,
    });
    if (!data.performerCreate) throw new StashError(`Stash did not create performer ${name}`, 'graphql');
    return {
      performer: this.toPerformer(data.performerCreate),
      created: true,
      source: scraped ? 'stash-box' : 'fallback',
    };
  }

  async findGallery(id: string): Promise<StashGallery | null> {
    const data = await this.request<{
      findGallery: { id: string; title?: string | null; image_count: number } | null;
    }>('findGallery', { id: String(id) });
    const g = data.findGallery;
    return g ? { id: g.id, title: g.title ?? null, imageCount: g.image_count } : null;
  }

  /** Every image of a gallery, oldest id first, read page by page. */
  async findGalleryImages(galleryId: string, perPage = 100): Promise<StashGalleryImage[]> {
    const images: StashGalleryImage[] = [];
    for (let page = 1; ; page++) {
      const data = await this.request<{
        findImages: { count: number; images: { id: string; paths: { image?: string | null } }[] };
      }>('findGalleryImages', { galleryId: String(galleryId), page, perPage });
      const found = data.findImages.images;
      images.push(...found.map((i) => ({ id: i.id, imageUrl: this.absolute(i.paths.image ?? null) })));
      if (found.length < perPage || images.length >= data.findImages.count) return images;
    }
  }

  /** Library performers whose name or alias matches `q`, by name (Stash's own search). */
  async searchPerformers(q: string, perPage = 10): Promise<StashPerformerHit[]> {
    const data = await this.request<{
      findPerformers: {
        performers: {
          id: string;
          name: string;
          disambiguation?: string | null;
          alias_list?: string[] | null;
          image_path?: string | null;
        }[];
      };
    }>('searchPerformers', { q, perPage });
    return data.findPerformers.performers.map((p) => ({
      id: p.id,
      name: p.name,
      disambiguation: p.disambiguation ?? null,
      aliases: p.alias_list ?? [],
      imagePath: this.absolute(p.image_path ?? null),
    }));
  }

  async findPerformerDetails(id: string): Promise<StashPerformerDetails | null> {
    const data = await this.request<{
      findPerformer: {
        id: string;
        name: string;
        disambiguation?: string | null;
        gender?: string | null;
        birthdate?: string | null;
        country?: string | null;
        ethnicity?: string | null;
        details?: string | null;
        alias_list?: string[] | null;
        urls?: string[] | null;
        stash_ids?: RawStashId[];
      } | null;
    }>('findPerformerDetails', { id: String(id) });
    const p = data.findPerformer;
    if (!p) return null;
    return {
      id: p.id,
      name: p.name,
      disambiguation: p.disambiguation ?? null,
      gender: p.gender ?? null,
      birthdate: p.birthdate ?? null,
      country: p.country ?? null,
      ethnicity: p.ethnicity ?? null,
      details: p.details ?? null,
      aliases: p.alias_list ?? [],
      urls: p.urls ?? [],
      stashIds: (p.stash_ids ?? []).map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id })),
    };
  }

  /** `performerUpdate` with the given fields (snake_case, as Stash's PerformerUpdateInput names them). */
  async updatePerformer(id: string, fields: Record<string, unknown>): Promise<StashPerformer> {
    const data = await this.request<{ performerUpdate: RawPerformer | null }>('performerUpdate', {
      input: { ...fields, id: String(id) },
    });
    if (!data.performerUpdate) throw new StashError(`Stash did not update performer ${id}`, 'graphql');
    return this.toPerformer(data.performerUpdate);
  }

  /** The stash-boxes configured in Stash (endpoint and name only: the sidecar never reads their API keys). */
  async stashBoxEndpoints(): Promise<StashBoxEndpoint[]> {
    const data = await this.request<{
      configuration: { general: { stashBoxes: { endpoint: string; name: string }[] } };
    }>('stashBoxEndpoints', {});
    return data.configuration.general.stashBoxes.map((b) => ({ endpoint: b.endpoint, name: b.name }));
  }

  /**
   * Downloads a media file Stash serves (an image), with the ApiKey header, into memory. Errors name the URL
   * without its query string and never carry the key.
   */
  async downloadMedia(url: string, options: { maxBytes: number; signal?: AbortSignal }): Promise<Buffer> {
    return fetchRemoteImage(url, {
      maxBytes: options.maxBytes,
      timeoutMs: CLIENT_LIMITS.remoteImageTimeoutMs,
      headers: this.authHeaders(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Stash's version string; a cheap call that checks the URL and the API key. */
  async version(): Promise<string | null> {
    const data = await this.request<{ version: { version: string | null } }>('version', {});
    return data.version.version;
  }

  private async request<T>(name: StashDocumentName, variables: Record<string, unknown>): Promise<T> {
    const { response, text } = await fetchTextWithin(
      this.timeoutMs,
      (signal) =>
        this.fetchImpl(this.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...this.authHeaders() },
          body: JSON.stringify({ query: STASH_DOCUMENTS[name], variables }),
          signal,
        }),
      (step, reason) =>
        new StashError(
          step === 'request'
            ? `cannot reach Stash at ${this.graphqlUrl}: ${reason}. Check STASH_SENSE_STASH_URL`
            : `Stash's answer broke off: ${reason}`,
          'unreachable',
        ),
    );
    if (response.status === 401 || response.status === 403) {
      throw new StashError(
        `Stash refused the request (HTTP ${response.status}): set STASH_SENSE_STASH_API_KEY to the API key of Stash's Settings → Security`,
        'auth',
      );
    }
    if (!response.ok) {
      throw new StashError(`Stash answered HTTP ${response.status}: ${text.slice(0, 200)}`, 'unreachable');
    }
    let body: { data?: T | null; errors?: { message: string }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new StashError(`Stash answered something other than JSON: ${text.slice(0, 200)}`, 'unreachable');
    }
    if (body.errors?.length) {
      throw new StashError(`Stash GraphQL error: ${body.errors.map((e) => e.message).join('; ')}`, 'graphql');
    }
    if (!body.data) throw new StashError('Stash answered without data', 'graphql');
    return body.data;
  }

  private absolute(url: string | null): string | null {
    if (!url) return null;
    try {
      return new URL(url, `${this.baseUrl}/`).toString();
    } catch {
      return null;
    }
  }

  private toPerformer(p: RawPerformer): StashPerformer {
    return {
      id: p.id,
      name: p.name,
      disambiguation: p.disambiguation ?? null,
      imagePath: this.absolute(p.image_path ?? null),
      stashIds: (p.stash_ids ?? []).map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id })),
    };
  }

  private toScene(s: RawScene): StashScene {
    const files = s.files.map((f) => ({
      id: f.id,
      path: f.path,
      durationSec: f.duration,
      width: f.width,
      height: f.height,
      fingerprints: f.fingerprints.map((fp) => ({ type: fp.type, value: fp.value })),
    }));
    const primary = files[0];
    return {
      id: s.id,
      title: s.title ?? null,
      files,
      durationSec: primary?.durationSec ?? null,
      width: primary?.width ?? null,
      height: primary?.height ?? null,
      streamUrl: this.absolute(s.paths.stream ?? null),
      screenshotUrl: this.absolute(s.paths.screenshot ?? null),
      stashIds: s.stash_ids.map((x) => ({ endpoint: x.endpoint, stashId: x.stash_id })),
      performers: s.performers.map((p) => this.toPerformer(p)),
    };
  }
}

/** A client from the sidecar/CLI config, or null when no Stash URL is configured. */
export function stashClientFromConfig(config: {
  stashUrl?: string;
  stashApiKey?: string;
}): StashClient | null {
  if (!config.stashUrl) return null;
  return new StashClient({ url: config.stashUrl, apiKey: config.stashApiKey });
}
