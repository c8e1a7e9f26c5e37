import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { oshash } from './oshash.js';

test('oshash: size plus the uint64 sums of the first and last 64 KiB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oshash-'));
  try {
    // 200 KiB: head and tail chunks do not overlap. Word i of the file = i (little-endian).
    const words = (200 * 1024) / 8;
    const buf = Buffer.alloc(words * 8);
    for (let i = 0; i < words; i++) buf.writeBigUInt64LE(BigInt(i), i * 8);
    const path = join(dir, 'a.bin');
    writeFileSync(path, buf);
    const per = 8192; // words per 64 KiB
    const head = (BigInt(per) * BigInt(per - 1)) / 2n;
    const tailStart = BigInt(words - per);
    const tail = BigInt(per) * tailStart + head;
    const expected = (BigInt(buf.length) + head + tail) & 0xffffffffffffffffn;
    assert.equal(await oshash(path), expected.toString(16).padStart(16, '0'));
    // Overflow wraps modulo 2⁶⁴.
    const ones = Buffer.alloc(64 * 1024, 0xff);
    writeFileSync(path, ones);
    const wrap = (BigInt(ones.length) + 2n * 8192n * 0xffffffffffffffffn) & 0xffffffffffffffffn;
    assert.equal(await oshash(path), wrap.toString(16).padStart(16, '0'));
    writeFileSync(path, Buffer.alloc(3));
    await assert.rejects(oshash(path), /too small/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
