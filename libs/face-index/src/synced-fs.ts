// Durable writes for the atomic folder swaps of the writer and the delta: data reaches the disk before the rename.
import { open } from 'node:fs/promises';

/** Creates `path` (never overwrites), writes the chunks and fsyncs the file. */
export async function writeSynced(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a file or a directory, so the rename that follows publishes data that is on disk. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
