import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, execute, type GraphQLError, parse, validate } from 'graphql';
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
 * scenes. Every query is validated against the schema, so a query the schema does not allow fails
 * here as it would on a real stash-box. As production GraphQL servers do, a query text is parsed and validated
 * once and the result kept: the service sends the same few texts with new variables, and re-validating each
 * against the large stash-box schema cost the ingest bench's load generator (same cores) more CPU per request
 * than the stash-box lookup is worth. `down = true` makes it answer 503.
 */
export class StashBoxFixtureServer {
  readonly scenes = new Map<string, FixtureScene>();
  down = false;
  requests: { query: string; variables: unknown; apiKey: string | undefined }[] = [];
  private server: Server | null = null;
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
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
        let document = this.documents.get(query);
        if (!document) {
          const parsed = parse(query);
          const errors = validate(schema, parsed);
          document = errors.length ? errors : parsed;
          this.documents.set(query, document);
        }
        if (Array.isArray(document)) {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ errors: document }));
          return;
        }
        const result = await execute({
          schema,
          document: document as DocumentNode,
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
