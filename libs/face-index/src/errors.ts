/** Why a face index could not be opened, verified or written. `code` is stable; `message` says what to do. */
export type FaceIndexErrorCode =
  | 'manifest_missing'
  | 'manifest_invalid'
  | 'format_unsupported'
  | 'file_missing'
  | 'file_mismatch'
  | 'ann_incompatible'
  | 'model_mismatch'
  | 'dimension_mismatch'
  | 'data_invalid'
  | 'target_exists'
  | 'closed'
  | 'signature_invalid';

export class FaceIndexError extends Error {
  constructor(
    readonly code: FaceIndexErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FaceIndexError';
  }
}
