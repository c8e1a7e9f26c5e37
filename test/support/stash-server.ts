import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphql, GraphQLError, parse, validate } from 'graphql';
import { loadSchema } from './graphql-schemas.js';

export interface FixtureStashId {
  endpoint: string;
  stashId: string;
}

export interface FixtureStashPerformer {
  id: string;
  name: string;
  disambiguation?: string | null;
  gender?: string | null;
  country?: string | null;
  stashIds: FixtureStashId[];
  /** A local JPEG served at /performer/<id>/image (the performer's picture). */
  imageFile?: string;
  aliases?: string[];
  birthdate?: string | null;
  ethnicity?: string | null;
  details?: string | null;
  urls?: string[];
}

/** An image of the library, served at /image/<id>/image; `galleryIds` are the galleries it belongs to. */
export interface FixtureStashImage {
  id: string;
  file: string;
  galleryIds?: string[];
  performerIds?: string[];
}

export interface FixtureStashGallery {
  id: string;
  title?: string;
}

export interface FixtureStashScene {
  id: string;
  title?: string;
  files: {
    path: string;
    duration: number;
    width: number;
    height: number;
    fingerprints?: { type: string; value: string }[];
  }[];
  stashIds?: FixtureStashId[];
  performerIds: string[];
  /** A local video served at /scene/<id>/stream (what Stash streams); also the screenshot source. */
  streamFile?: string;
}

/** A stash-box performer as Stash's `scrapeSinglePerformer` returns it (for a configured stash-box). */
export interface FixtureStashBoxPerformer {
  name: string;
  disambiguation?: string;
  gender?: string;
  country?: string;
  aliases?: string;
  urls?: string[];
  images?: string[];
}

/** A page of the fake Stash UI: `path` (e.g. `/scenes/1`) answered with `html`, any content type. */
export interface FixtureStashPage {
  body: string | Buffer;
  contentType: string;
}

/**
 * A real GraphQL server built from Stash's schema (../shared/schemas/stash), serving fixture scenes and
 * performers at /graphql, the scenes' streams at /scene/<id>/stream (with Range support, as ffmpeg seeks), and
 * any extra pages (`pages`) so a browser test can load a Stash-like UI from the same origin. Every GraphQL request
 * is validated against the schema, so a query the schema does not allow fails here as it would on a real Stash.
 * With `apiKey` set, every request without the `ApiKey` header gets 401, like Stash with a login.
 */
export class StashFixtureServer {
  readonly scenes = new Map<string, FixtureStashScene>();
  readonly performers = new Map<string, FixtureStashPerformer>();
  readonly images = new Map<string, FixtureStashImage>();
  readonly galleries = new Map<string, FixtureStashGallery>();
  /** API key of each configured stash-box as `configuration { general { stashBoxes } }` would answer it. */
  stashBoxApiKey = 'fixture-stash-box-key';
  /** Stash-box endpoints configured in this Stash, and the performers `scrapeSinglePerformer` finds there. */
  readonly stashBoxes = new Map<string, Map<string, FixtureStashBoxPerformer>>();
  readonly pages = new Map<string, FixtureStashPage>();
  /** Plugin settings as Stash stores them (`configuration { plugins }`), by plugin id. */
  readonly pluginSettings: Record<string, Record<string, unknown>> = {};
  requests: { operation: string; query: string; variables: Record<string, unknown>; apiKey?: string }[] = [];
  streamRequests: { sceneId: string; apiKey?: string; range?: string }[] = [];
  apiKey: string | undefined;
  /** true: every connection is dropped at once (a Stash that cannot be reached). */
  unreachable = false;
  url = '';
  private server: Server | null = null;
  private nextPerformerId = 1000;

  constructor(options: { apiKey?: string } = {}) {
    this.apiKey = options.apiKey;
  }

  addPerformer(performer: FixtureStashPerformer): this {
    this.performers.set(performer.id, performer);
    return this;
  }

  addImage(image: FixtureStashImage): this {
    this.images.set(image.id, image);
    return this;
  }

  addGallery(gallery: FixtureStashGallery): this {
    this.galleries.set(gallery.id, gallery);
    return this;
  }

  addScene(scene: FixtureStashScene): this {
    this.scenes.set(scene.id, scene);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private authorised(req: IncomingMessage): boolean {
    return !this.apiKey || req.headers.apikey === this.apiKey;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.unreachable) return void req.socket.destroy();
    const path = (req.url ?? '/').split('?')[0]!;
    const page = this.pages.get(path);
    if (page && req.method === 'GET') {
      res.writeHead(200, { 'content-type': page.contentType }).end(page.body);
      return;
    }
    const picture = /^\/performer\/(\d+)\/image$/.exec(path);
    if (picture) {
      if (!this.authorised(req)) return void res.writeHead(401).end('Unauthorized');
      const file = this.performers.get(picture[1]!)?.imageFile;
      if (!file) return void res.writeHead(404).end('no image');
      return this.sendFile(req, res, file, 'image/jpeg');
    }
    const image = /^\/image\/(\d+)\/image$/.exec(path);
    if (image) {
      if (!this.authorised(req)) return void res.writeHead(401).end('Unauthorized');
      const file = this.images.get(image[1]!)?.file;
      if (!file) return void res.writeHead(404).end('no image');
      return this.sendFile(req, res, file, 'image/jpeg');
    }
    const stream = /^\/scene\/(\d+)\/(stream|screenshot)$/.exec(path);
    if (stream) {
      this.streamRequests.push({
        sceneId: stream[1]!,
        apiKey: req.headers.apikey as string | undefined,
        range: req.headers.range,
      });
      if (!this.authorised(req)) return void res.writeHead(401).end('Unauthorized');
      const file = this.scenes.get(stream[1]!)?.streamFile;
      if (!file) return void res.writeHead(404).end('no such scene');
      return this.sendFile(req, res, file, 'video/mp4');
    }
    if (path !== '/graphql' || req.method !== 'POST') return void res.writeHead(404).end('not found');
    if (!this.authorised(req)) return void res.writeHead(401).end('Unauthorized');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const { query, variables = {} } = JSON.parse(body) as {
      query: string;
      variables?: Record<string, unknown>;
    };
    const schema = loadSchema('stash');
    const document = parse(query);
    const errors = validate(schema, document);
    const operation =
      document.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value ?? 'anonymous';
    this.requests.push({ operation, query, variables, apiKey: req.headers.apikey as string | undefined });
    if (errors.length) {
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
      return;
    }
    const result = await graphql({
      schema,
      source: query,
      variableValues: variables,
      rootValue: this.root(),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  }

  private sendFile(req: IncomingMessage, res: ServerResponse, file: string, type: string): void {
    const size = statSync(file).size;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = range[1] ? Number(range[1]) : size - Number(range[2]);
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-type': type,
        'accept-ranges': 'bytes',
        'content-range': `bytes ${start}-${end}/${size}`,
        'content-length': end - start + 1,
      });
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-type': type, 'accept-ranges': 'bytes', 'content-length': size });
    createReadStream(file).pipe(res);
  }

  private performerObject(p: FixtureStashPerformer) {
    return {
      id: p.id,
      name: p.name,
      disambiguation: p.disambiguation ?? null,
      gender: p.gender ?? null,
      country: p.country ?? null,
      birthdate: p.birthdate ?? null,
      ethnicity: p.ethnicity ?? null,
      details: p.details ?? null,
      alias_list: p.aliases ?? [],
      urls: p.urls ?? [],
      image_path: `${this.url}/performer/${p.id}/image`,
      stash_ids: p.stashIds.map((s) => ({
        endpoint: s.endpoint,
        stash_id: s.stashId,
        updated_at: new Date(0).toISOString(),
      })),
    };
  }

  private imageObject(i: FixtureStashImage) {
    return {
      id: i.id,
      paths: { image: `${this.url}/image/${i.id}/image`, thumbnail: null, preview: null },
      visual_files: [{ __typename: 'ImageFile', path: i.file, width: 0, height: 0 }],
      performers: (i.performerIds ?? [])
        .map((id) => this.performers.get(id))
        .filter((p): p is FixtureStashPerformer => !!p)
        .map((p) => this.performerObject(p)),
    };
  }

  private sceneObject(s: FixtureStashScene) {
    return {
      id: s.id,
      title: s.title ?? null,
      files: s.files.map((f, i) => ({
        id: `${s.id}${i}`,
        path: f.path,
        duration: f.duration,
        width: f.width,
        height: f.height,
        fingerprints: f.fingerprints ?? [],
      })),
      paths: {
        stream: `${this.url}/scene/${s.id}/stream`,
        screenshot: `${this.url}/scene/${s.id}/screenshot`,
      },
      stash_ids: (s.stashIds ?? []).map((x) => ({
        endpoint: x.endpoint,
        stash_id: x.stashId,
        updated_at: new Date(0).toISOString(),
      })),
      performers: s.performerIds
        .map((id) => this.performers.get(id))
        .filter((p): p is FixtureStashPerformer => !!p)
        .map((p) => this.performerObject(p)),
    };
  }

  private root() {
    return {
      version: () => ({ version: 'v0.28.1', hash: 'fixture', build_time: '2026-01-01' }),
      findScene: ({ id }: { id?: string }) => {
        const s = id ? this.scenes.get(id) : undefined;
        return s ? this.sceneObject(s) : null;
      },
      findScenes: ({ filter }: { filter?: { page?: number; per_page?: number } }) => {
        const all = [...this.scenes.values()].sort((a, b) => Number(a.id) - Number(b.id));
        const perPage = filter?.per_page ?? 25;
        const page = filter?.page ?? 1;
        const slice = perPage < 0 ? all : all.slice((page - 1) * perPage, page * perPage);
        return {
          count: all.length,
          duration: 0,
          filesize: 0,
          scenes: slice.map((s) => this.sceneObject(s)),
        };
      },
      findPerformers: ({
        performer_filter,
        filter,
      }: {
        performer_filter?: { stash_id_endpoint?: { endpoint?: string; stash_id?: string; modifier: string } };
        filter?: { per_page?: number; q?: string; sort?: string };
      }) => {
        let found = [...this.performers.values()];
        const q = filter?.q?.toLowerCase();
        if (q)
          found = found.filter((p) =>
            [p.name, ...(p.aliases ?? [])].some((n) => n.toLowerCase().includes(q)),
          );
        if (filter?.sort === 'name') found.sort((a, b) => a.name.localeCompare(b.name));
        const c = performer_filter?.stash_id_endpoint;
        if (c) {
          if (c.modifier !== 'EQUALS')
            throw new GraphQLError(`fixture supports EQUALS only, got ${c.modifier}`);
          found = found.filter((p) =>
            p.stashIds.some(
              (s) =>
                (c.endpoint === undefined || s.endpoint === c.endpoint) &&
                (c.stash_id === undefined || s.stashId === c.stash_id),
            ),
          );
        }
        const perPage = filter?.per_page ?? 25;
        return {
          count: found.length,
          performers: (perPage < 0 ? found : found.slice(0, perPage)).map((p) => this.performerObject(p)),
        };
      },
      findImage: ({ id }: { id?: string }) => {
        const i = id ? this.images.get(id) : undefined;
        return i ? this.imageObject(i) : null;
      },
      findImages: ({
        image_filter,
        filter,
      }: {
        image_filter?: { galleries?: { value?: string[]; modifier: string } };
        filter?: { page?: number; per_page?: number };
      }) => {
        let all = [...this.images.values()].sort((a, b) => Number(a.id) - Number(b.id));
        const galleries = image_filter?.galleries;
        if (galleries) {
          if (galleries.modifier !== 'INCLUDES')
            throw new GraphQLError(`fixture supports INCLUDES only, got ${galleries.modifier}`);
          all = all.filter((i) => (i.galleryIds ?? []).some((g) => galleries.value?.includes(g)));
        }
        const perPage = filter?.per_page ?? 25;
        const page = filter?.page ?? 1;
        const slice = perPage < 0 ? all : all.slice((page - 1) * perPage, page * perPage);
        return {
          count: all.length,
          megapixels: 0,
          filesize: 0,
          images: slice.map((i) => this.imageObject(i)),
        };
      },
      findGallery: ({ id }: { id: string }) => {
        const g = this.galleries.get(id);
        if (!g) return null;
        const count = [...this.images.values()].filter((i) => i.galleryIds?.includes(id)).length;
        return { id: g.id, title: g.title ?? null, image_count: count };
      },
      performerUpdate: ({
        input,
      }: {
        input: { id: string; stash_ids?: { endpoint: string; stash_id: string }[] } & Record<string, unknown>;
      }) => {
        const p = this.performers.get(input.id);
        if (!p) throw new GraphQLError(`performer ${input.id} not found`);
        const { id: _id, stash_ids, alias_list, ...rest } = input;
        Object.assign(p, rest);
        if (alias_list) p.aliases = alias_list as string[];
        if (stash_ids) p.stashIds = stash_ids.map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id }));
        return this.performerObject(p);
      },
      findPerformer: ({ id }: { id: string }) => {
        const p = this.performers.get(id);
        return p ? this.performerObject(p) : null;
      },
      configuration: () => ({
        general: {
          stashBoxes: [...this.stashBoxes.keys()].map((endpoint) => ({
            endpoint,
            api_key: this.stashBoxApiKey,
            name: new URL(endpoint).host,
            max_requests_per_minute: 240,
          })),
        },
        plugins: ({ include }: { include?: string[] }) =>
          Object.fromEntries(
            Object.entries(this.pluginSettings).filter(([id]) => !include || include.includes(id)),
          ),
      }),
      scrapeSinglePerformer: ({
        source,
        input,
      }: {
        source: { stash_box_endpoint?: string };
        input: { performer_id?: string };
      }) => {
        const box = source.stash_box_endpoint ? this.stashBoxes.get(source.stash_box_endpoint) : undefined;
        if (!box) throw new GraphQLError(`stash box not found: ${source.stash_box_endpoint}`);
        const p = input.performer_id ? box.get(input.performer_id) : undefined;
        return p ? [{ ...p, remote_site_id: input.performer_id }] : [];
      },
      sceneUpdate: ({ input }: { input: { id: string; performer_ids?: string[] } }) => {
        const s = this.scenes.get(input.id);
        if (!s) throw new GraphQLError(`scene ${input.id} not found`);
        if (input.performer_ids) {
          const missing = input.performer_ids.filter((id) => !this.performers.has(id));
          if (missing.length) throw new GraphQLError(`performers not found: ${missing.join(', ')}`);
          s.performerIds = [...input.performer_ids];
        }
        return this.sceneObject(s);
      },
      performerCreate: ({
        input,
      }: {
        input: {
          name: string;
          disambiguation?: string;
          gender?: string;
          country?: string;
          stash_ids?: { endpoint: string; stash_id: string }[];
        };
      }) => {
        const id = String(this.nextPerformerId++);
        const p: FixtureStashPerformer = {
          id,
          name: input.name,
          disambiguation: input.disambiguation ?? null,
          gender: input.gender ?? null,
          country: input.country ?? null,
          stashIds: (input.stash_ids ?? []).map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id })),
        };
        this.performers.set(id, p);
        return this.performerObject(p);
      },
    };
  }
}
