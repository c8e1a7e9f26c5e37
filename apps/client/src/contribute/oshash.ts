// OSHASH, the file fingerprint Stash and stash-box store for every scene file: the file size plus the sum of the
// first and last 64 KiB read as little-endian uint64 words, modulo 2⁶⁴, as 16 hex digits.
import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export async function oshash(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size < 8) throw new Error(`${path}: too small for an oshash (${size} bytes)`);
    let sum = BigInt(size);
    const add = async (position: number) => {
      const length = Math.min(CHUNK, size);
      const buf = Buffer.alloc(length);
      await file.read(buf, 0, length, position);
      for (let i = 0; i + 8 <= length; i += 8) sum += buf.readBigUInt64LE(i);
    };
    await add(0);
    await add(Math.max(0, size - CHUNK));
    return (sum & 0xffff_ffff_ffff_ffffn).toString(16).padStart(16, '0');
  } finally {
    await file.close();
  }
}
