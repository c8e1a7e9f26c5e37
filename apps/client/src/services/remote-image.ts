import { describeInput } from '../pipeline/input-error.js';
import { Deadline } from './deadline.js';
import { RemoteFetchError } from './errors.js';

export interface RemoteImageOptions {
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Request headers (e.g. Stash's ApiKey); never put in error messages. */
  headers?: Record<string, string>;
}

/**
 * Downloads an image over http(s) into memory, refusing bodies over `maxBytes` (checked on Content-Length and
 * while streaming) and giving up after `timeoutMs`. Errors name the URL without its query string (API keys).
 */
export async function fetchRemoteImage(url: string, options: RemoteImageOptions): Promise<Buffer> {
  const where = describeInput(url);
  const deadline = new Deadline(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  const reasonOf = (error: unknown) =>
    deadline.signal.aborted ? deadline.reasonOf(error) : describeCause(error);
  try {
    let response: Response;
    try {
      response = await deadline.race(
        fetch(url, {
          signal,
          // A redirect would carry the headers (an API key) to wherever it points: refused when there are headers.
          redirect: options.headers ? 'error' : 'follow',
          ...(options.headers ? { headers: options.headers } : {}),
        }),
      );
    } catch (error) {
      throw new RemoteFetchError(
        `${where}: cannot download the image (${reasonOf(error)}); check that the URL is reachable from the sidecar`,
        { cause: error },
      );
    }
    return await readImageBody(response, where, options.maxBytes, reasonOf);
  } finally {
    deadline.clear();
  }
}

async function readImageBody(
  response: Response,
  where: string,
  maxBytes: number,
  reasonOf: (error: unknown) => string,
): Promise<Buffer> {
  if (!response.ok) {
    await response.body?.cancel();
    throw new RemoteFetchError(
      `${where}: the server answered ${response.status} ${response.statusText}; check the URL (and any API key it needs)`,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new RemoteFetchError(
      `${where}: the image is ${declared} bytes, more than the limit of ${maxBytes}`,
    );
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body ?? []) {
      received += chunk.byteLength;
      if (received > maxBytes) {
        throw new RemoteFetchError(`${where}: the image is larger than the limit of ${maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof RemoteFetchError) throw error;
    throw new RemoteFetchError(`${where}: the download broke off (${reasonOf(error)})`, {
      cause: error,
    });
  }
  return Buffer.concat(chunks);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
