import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { IndexJwks, IndexRelease, IndexVersionList } from '@stash-sense/contracts';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { matchesIfNoneMatch, parseRange } from './http-range.js';
import { IndexesService, type ServedFile } from './indexes.service.js';

export const IndexModelQuerySchema = z.strictObject({
  model: z.string().min(1).max(256).optional().describe('Embedding model name'),
});
type IndexModelQuery = z.infer<typeof IndexModelQuerySchema>;

/** Files never change once published: clients and proxies may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Published face indexes: public, no credentials (the signature, not the transport, is what clients trust). */
@Public()
@Controller('v1/indexes')
export class IndexesController {
  constructor(private readonly indexes: IndexesService) {}

  @Get()
  list(
    @Query(new ZodValidationPipe(IndexModelQuerySchema)) query: IndexModelQuery,
  ): Promise<IndexVersionList> {
    return this.indexes.list(query.model);
  }

  @Get('latest')
  latest(@Query(new ZodValidationPipe(IndexModelQuerySchema)) query: IndexModelQuery): Promise<IndexRelease> {
    return this.indexes.latest(query.model);
  }

  @Get('keys')
  keys(): IndexJwks {
    return this.indexes.keys();
  }

  @Get(':version/manifest')
  manifest(@Param('version') version: string): Promise<IndexRelease> {
    return this.indexes.manifest(version);
  }

  @Get(':version/files/:name')
  async file(
    @Param('version') version: string,
    @Param('name') name: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await send(await this.indexes.file(version, name), req, res);
  }

  @Get(':version/delta')
  async delta(@Param('version') version: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await send(await this.indexes.delta(version), req, res);
  }
}

/** ETag = the sha256 the manifest lists; If-None-Match → 304; one Range → 206 (416 past the end). */
async function send(file: ServedFile, req: Request, res: Response): Promise<void> {
  const etag = `"${file.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', IMMUTABLE);
  res.setHeader('Accept-Ranges', 'bytes');
  if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  // If-Range with another validator: the client's partial copy is of other bytes, send the whole file.
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, file.size);
  res.setHeader('Content-Type', 'application/octet-stream');
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${file.size}`);
    res.status(416).end();
    return;
  }
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(file.size));
  }
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = await file.open(range ?? undefined);
  await new Promise<void>((done) => {
    stream.once('error', () => {
      res.destroy();
      done();
    });
    res.once('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}
