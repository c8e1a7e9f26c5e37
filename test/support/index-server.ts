// A small real HTTP server with the cloud's index distribution routes and contract (libs/contracts/src/
// index-distribution.ts), for client tests that must not need the Nest cloud: versions built with
// FaceIndexWriter, manifests signed with signManifest (Ed25519 keys from jose), deltas from writeIndexDelta, and
// hooks to misbehave (tampered bytes, cut-off bodies, withdrawn versions, a rotated key). Every request is logged.
//
//   GET /v1/indexes[?model=]                 IndexVersionList, newest first
//   GET /v1/indexes/latest[?model=]          IndexRelease of the newest published version
//   GET /v1/indexes/keys                     IndexJwks
//   GET /v1/indexes/:version/manifest        IndexRelease
//   GET /v1/indexes/:version/files/:name     the file (Range: bytes=N- → 206)
//   GET /v1/indexes/:version/delta           the delta from the parent (Range as well)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  INDEX_DELTA_FILE,
  type IndexJwk,
  type IndexManifest,
  type IndexRelease,
  type IndexVersionSummary,
} from '@stash-sense/contracts';
import {
  FACE_INDEX_FILES,
  readManifest,
  signManifest,
  writeIndexDelta,
  type ManifestSigningKey,
} from '@stash-sense/face-index';
import { exportJWK, generateKeyPair } from 'jose';

export interface TestSigningKey extends ManifestSigningKey {
  publicJwk: IndexJwk;
}

export async function makeSigningKey(kid: string): Promise<TestSigningKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return {
    kid,
    privateJwk: jwk,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x!, kid, alg: 'EdDSA', use: 'sig' },
  };
}

interface Published {
  dir: string;
  manifest: IndexManifest;
  jws: string;
  status: 'published' | 'withdrawn';
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  delta: { path: string; fromVersion: string } | null;
}

export interface RequestRecord {
  method: string;
  path: string;
  range: string | undefined;
}

/** Changes what the server sends for a file: `bytes` → what goes on the wire (and in Content-Length). */
export type FileFault =
  | { kind: 'alter'; offset: number }
  | { kind: 'truncate'; bytes: number }
  /** Sends `bytes` bytes, then destroys the connection (Content-Length announces the whole file). Once. */
  | { kind: 'cut'; bytes: number };

export class IndexServer {
  readonly requests: RequestRecord[] = [];
  private readonly versions: Published[] = [];
  private readonly faults = new Map<string, FileFault>();
  private server: Server | undefined;
  url = '';

  constructor(public keys: TestSigningKey[]) {}

  /** The key used to sign new versions: the first one. */
  get signingKey(): TestSigningKey {
    return this.keys[0]!;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Publishes the index at `dir` (newest). With `deltaFrom` (the parent's folder) a delta is written and offered.
   * `jws` overrides the signature (a forged or broken one).
   */
  async publish(
    dir: string,
    options: { deltaFrom?: string; deltaFile?: string; key?: TestSigningKey; jws?: string } = {},
  ): Promise<IndexManifest> {
    const manifest = await readManifest(dir);
    const jws = options.jws ?? (await signManifest(manifest, options.key ?? this.signingKey));
    let delta: Published['delta'] = null;
    if (options.deltaFrom) {
      const parent = await readManifest(options.deltaFrom);
      const path = options.deltaFile ?? `${dir}.delta`;
      await writeIndexDelta(options.deltaFrom, dir, path);
      delta = { path, fromVersion: parent.indexVersion };
    }
    this.versions.unshift({
      dir,
      manifest,
      jws,
      status: 'published',
      withdrawnAt: null,
      withdrawnReason: null,
      delta,
    });
    return manifest;
  }

  withdraw(version: string, reason: string): void {
    const entry = this.find(version);
    entry.status = 'withdrawn';
    entry.withdrawnAt = new Date().toISOString();
    entry.withdrawnReason = reason;
  }

  /** Replaces the signature of a published version. */
  setJws(version: string, jws: string): void {
    this.find(version).jws = jws;
  }

  /** Misbehaves for `version`'s file `name` (or INDEX_DELTA_FILE) until cleared. */
  setFault(version: string, name: string, fault: FileFault | undefined): void {
    if (fault) this.faults.set(`${version}/${name}`, fault);
    else this.faults.delete(`${version}/${name}`);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  release(version: string): IndexRelease {
    const entry = this.find(version);
    const base = `/v1/indexes/${encodeURIComponent(version)}`;
    return {
      version,
      status: entry.status,
      jws: entry.jws,
      manifest: entry.manifest,
      files: entry.manifest.files.map((f) => ({
        name: f.name,
        url: `${base}/files/${encodeURIComponent(f.name)}`,
        size: f.size,
        sha256: f.sha256,
      })),
      delta: entry.delta
        ? {
            name: INDEX_DELTA_FILE,
            url: `${base}/delta`,
            ...digest(readFileSync(entry.delta.path)),
            fromVersion: entry.delta.fromVersion,
          }
        : null,
    };
  }

  private find(version: string): Published {
    const entry = this.versions.find((v) => v.manifest.indexVersion === version);
    if (!entry) throw new Error(`no version ${version} published`);
    return entry;
  }

  private forModel(model: string | null): Published[] {
    return this.versions.filter((v) => !model || v.manifest.model.name === model);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const range = req.headers.range;
    this.requests.push({ method: req.method ?? '', path: url.pathname, range });
    const model = url.searchParams.get('model');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method !== 'GET' || parts[0] !== 'v1' || parts[1] !== 'indexes')
      return json(404, { error: 'not_found', message: 'no such route', details: null });

    if (parts.length === 2) {
      const versions: IndexVersionSummary[] = this.forModel(model).map((v) => ({
        version: v.manifest.indexVersion,
        model: {
          name: v.manifest.model.name,
          version: v.manifest.model.version,
          dimension: v.manifest.model.dimension,
        },
        status: v.status,
        createdAt: v.manifest.createdAt,
        parentVersion: v.manifest.parentVersion,
        counts: v.manifest.counts,
        sizeBytes: v.manifest.files.reduce((s, f) => s + f.size, 0),
        withdrawnAt: v.withdrawnAt,
        withdrawnReason: v.withdrawnReason,
      }));
      return json(200, { versions });
    }
    if (parts.length === 3 && parts[2] === 'keys')
      return json(200, { keys: this.keys.map((k) => k.publicJwk) });
    if (parts.length === 3 && parts[2] === 'latest') {
      const latest = this.forModel(model).find((v) => v.status === 'published');
      if (!latest) return json(404, { error: 'not_found', message: 'no published index', details: null });
      return json(200, this.release(latest.manifest.indexVersion));
    }
    const version = parts[2]!;
    const entry = this.versions.find((v) => v.manifest.indexVersion === version);
    if (!entry) return json(404, { error: 'not_found', message: `no version ${version}`, details: null });
    if (parts.length === 4 && parts[3] === 'manifest') return json(200, this.release(version));
    if (parts.length === 4 && parts[3] === 'delta' && entry.delta)
      return this.sendFile(res, entry.delta.path, `${version}/${INDEX_DELTA_FILE}`, range);
    if (parts.length === 5 && parts[3] === 'files') {
      const name = parts[4]!;
      if (!entry.manifest.files.some((f) => f.name === name) || name === FACE_INDEX_FILES.manifest)
        return json(404, { error: 'not_found', message: `no file ${name}`, details: null });
      return this.sendFile(res, join(entry.dir, name), `${version}/${name}`, range);
    }
    return json(404, { error: 'not_found', message: 'no such route', details: null });
  }

  private sendFile(res: ServerResponse, path: string, key: string, range: string | undefined): void {
    let bytes = readFileSync(path);
    const fault = this.faults.get(key);
    if (fault?.kind === 'alter') {
      bytes = Buffer.from(bytes);
      bytes[fault.offset % bytes.length]! ^= 0x5a;
    } else if (fault?.kind === 'truncate') {
      bytes = bytes.subarray(0, fault.bytes);
    }
    const size = bytes.length;
    let start = 0;
    const match = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (match) {
      start = Number(match[1]);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
    }
    const body = bytes.subarray(start);
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'accept-ranges': 'bytes',
    };
    if (match) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    res.writeHead(match ? 206 : 200, headers);
    if (fault?.kind === 'cut') {
      this.faults.delete(key);
      res.write(body.subarray(0, Math.max(0, fault.bytes - start)), () => res.destroy());
      return;
    }
    res.end(body);
  }
}

function digest(bytes: Buffer): { size: number; sha256: string } {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
