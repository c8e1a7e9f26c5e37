import { describeInput } from '../pipeline/input-error.js';
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
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any(signals),
      // A redirect would carry the headers (an API key) to wherever it points: refused when there are headers.
      redirect: options.headers ? 'error' : 'follow',
      ...(options.headers ? { headers: options.headers } : {}),
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs / 1000} s`
        : describeCause(error);
    throw new RemoteFetchError(
      `${where}: cannot download the image (${reason}); check that the URL is reachable from the sidecar`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RemoteFetchError(
      `${where}: the server answered ${response.status} ${response.statusText}; check the URL (and any API key it needs)`,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new RemoteFetchError(
      `${where}: the image is ${declared} bytes, more than the limit of ${options.maxBytes}`,
    );
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body ?? []) {
      received += chunk.byteLength;
      if (received > options.maxBytes) {
        throw new RemoteFetchError(
          `${where}: the image is larger than the limit of ${options.maxBytes} bytes`,
        );
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof RemoteFetchError) throw error;
    throw new RemoteFetchError(`${where}: the download broke off (${describeCause(error)})`, {
      cause: error,
    });
  }
  return Buffer.concat(chunks);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
