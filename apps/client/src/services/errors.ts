// Domain errors of the client's services. The sidecar maps them to HTTP status codes in one place
// (server/errors.ts); the CLI prints their messages. Each message says what was wrong and what to do.

/** A file or folder the caller named does not exist. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(
    readonly path: string,
    what = 'file',
  ) {
    super(`${path}: no such ${what}; check the path`);
  }
}

/** No usable face index at the configured folder. */
export class IndexUnavailableError extends Error {
  override name = 'IndexUnavailableError';
  constructor(
    readonly dir: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `no face index loaded from ${dir}: ${reason}. Build one with \`stash-sense index build-local --gallery DIR --out ${dir}\`, ` +
        'or point --index / STASH_SENSE_INDEX_DIR at an existing index.',
      options,
    );
  }
}

/** The face index was built with another embedding model than the one the pipeline runs. */
export class ModelMismatchError extends Error {
  override name = 'ModelMismatchError';
}

/** A request the client understands but does not support yet. */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** A remote image (image_url) could not be downloaded. */
export class RemoteFetchError extends Error {
  override name = 'RemoteFetchError';
}

/** The work queue is full; the caller should retry later. */
export class BusyError extends Error {
  override name = 'BusyError';
  constructor(readonly retryAfterSec: number) {
    super(`the sidecar is busy with other analyses; retry in about ${retryAfterSec} s`);
  }
}

/** The caller gave up (client disconnected, Ctrl-C). */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}
