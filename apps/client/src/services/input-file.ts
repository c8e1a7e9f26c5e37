import { stat } from 'node:fs/promises';
import { InputError } from '../pipeline/index.js';
import { NotFoundError } from './errors.js';

/** Checks that `path` is an existing regular file, so a typo answers "not found" rather than a decoder error. */
export async function assertReadableFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(path);
    throw new InputError(path, `cannot be opened (${(error as Error).message})`, { cause: error });
  }
  if (!info.isFile()) throw new InputError(path, 'is not a regular file; give an image or video file');
}
