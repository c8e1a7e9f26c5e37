import type { RequestHandler } from 'express';
import multer from 'multer';
import { HttpError } from './http-error.js';

/** The multipart field that carries the image (the Stash plugin's and the OpenAPI document's name). */
export const IMAGE_FIELD = 'image';

/**
 * Multipart upload of one image held in memory, capped at `maxBytes`. Every multer/busboy error becomes a 4xx
 * with a message saying what to send instead.
 */
export function imageUpload(maxBytes: number): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 100 },
  }).single(IMAGE_FIELD);
  return (req, res, next) => {
    upload(req, res, (error?: unknown) => {
      if (!error) return next();
      next(toUploadError(error, maxBytes));
    });
  };
}

function toUploadError(error: unknown, maxBytes: number): HttpError {
  const code = (error as { code?: string }).code;
  const field = (error as { field?: string }).field;
  switch (code) {
    case 'LIMIT_FILE_SIZE':
      return new HttpError(
        413,
        `the uploaded image is larger than the limit of ${Math.round(maxBytes / 1024 / 1024)} MiB (STASH_SENSE_MAX_UPLOAD_MB)`,
      );
    case 'LIMIT_UNEXPECTED_FILE':
    case 'LIMIT_FILE_COUNT':
      return new HttpError(
        400,
        `unexpected file field "${field ?? ''}": send exactly one image, in the multipart field "${IMAGE_FIELD}"`,
      );
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_PART_COUNT':
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_FIELD_KEY':
      return new HttpError(
        400,
        `multipart body has too many or too large fields (${(error as Error).message}); send "${IMAGE_FIELD}" plus optional top_k and include_embeddings`,
      );
    default:
      return new HttpError(
        400,
        `malformed multipart body (${(error as Error).message}); send the image as multipart/form-data field "${IMAGE_FIELD}"`,
      );
  }
}
