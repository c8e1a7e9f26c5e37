import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphql, parse, validate } from 'graphql';
import { loadSchema } from './graphql-schemas.js';

export interface FixtureScene {
  id: string;
  title?: string;
  duration?: number;
  deleted?: boolean;
  performers: { id: string; name: string; disambiguation?: string | null }[];
  fingerprints: { algorithm: 'MD5' | 'OSHASH' | 'PHASH'; hash: string; duration: number }[];
}

/**
 * A real GraphQL server built from the stash-box schema (../shared/schemas/stash-box), serving fixture
 * scenes. Every request is validated against the schema, so a query the schema does not allow fails
 * here as it would on a real stash-box. `down = true` makes it answer 503.
 */
export class StashBoxFixtureServer {
  readonly scenes = new Map<string, FixtureScene>();
  down = false;
  requests: { query: string; variables: unknown; apiKey: string | undefined }[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    const schema = loadSchema('stash-box');
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', async () => {
        if (this.down) {
          res.writeHead(503).end('down for maintenance');
          return;
        }
        const { query, variables } = JSON.parse(body) as {
          query: string;
          variables: Record<string, unknown>;
        };
        this.requests.push({ query, variables, apiKey: req.headers.apikey as string | undefined });
        const errors = validate(schema, parse(query));
        if (errors.length) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
          return;
        }
        const result = await graphql({
          schema,
          source: query,
          variableValues: variables,
          rootValue: {
            findScene: ({ id }: { id: string }) => {
              const s = this.scenes.get(id);
              if (!s) return null;
              return {
                id: s.id,
                title: s.title ?? null,
                duration: s.duration ?? null,
                deleted: s.deleted ?? false,
                performers: s.performers.map((p) => ({
                  performer: { id: p.id, name: p.name, disambiguation: p.disambiguation ?? null },
                })),
                fingerprints: s.fingerprints,
              };
            },
          },
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
