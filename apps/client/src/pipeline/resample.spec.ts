import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropResizeMap, rgbToGrey, warpAffine, type PixelGrid } from './resample.js';

const grid = (width: number, height: number, f: (x: number, y: number) => number): PixelGrid => ({
  width,
  height,
  channels: 1,
  data: Float32Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width))),
});

describe('warpAffine', () => {
  it('reproduces the image under the identity', () => {
    const src = grid(5, 4, (x, y) => x * 10 + y);
    assert.deepEqual(
      [...warpAffine(src, [1, 0, 0, 0, 1, 0], 5, 4, { maxSupersample: 8 })],
      [...(src.data as Float32Array)],
    );
  });

  it('interpolates bilinearly between pixels and is black outside the image', () => {
    const src = grid(2, 1, (x) => x * 100);
    const out = warpAffine(src, [1, 0, 0.25, 0, 1, 0], 3, 1, { maxSupersample: 1 });
    assert.deepEqual([...out], [25, 75, 0]); // x=1.25 blends pixel 1 with black; x=2.25 lies outside
  });

  it('averages many source pixels per output pixel when shrinking (no aliasing)', () => {
    const stripes = grid(64, 64, (x) => (x % 2) * 200); // 1-px stripes alias to all-0 or all-200 without averaging
    const out = warpAffine(stripes, cropResizeMap(0, 0, 64, 64, 8, 8), 8, 8, { maxSupersample: 8 });
    for (const v of out) assert.ok(Math.abs(v - 100) < 1e-6, `${v}`);
    // Half a pixel to the right, one sample per output pixel lands exactly on the even (black) columns.
    const shifted = cropResizeMap(0.5, 0, 64, 64, 8, 8);
    assert.ok(warpAffine(stripes, shifted, 8, 8, { maxSupersample: 1 }).every((v) => v === 0));
    for (const v of warpAffine(stripes, shifted, 8, 8, { maxSupersample: 8 }))
      assert.ok(Math.abs(v - 100) < 1e-6);
  });

  it('gives the RGB fast path bit-for-bit what the general path gives, rotated, shrunk and partly outside', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
    const [w, h] = [97, 61];
    const rgb = Buffer.from(Array.from({ length: w * h * 3 }, () => Math.floor(random())));
    // The same pixels with a fourth channel take the general path; channels do not mix, so the first three match.
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 9], i * 4);
    const angle = 0.3;
    const maps: [number, number, number, number, number, number][] = [
      [
        Math.cos(angle) * 3.4,
        -Math.sin(angle) * 3.4,
        20.3,
        Math.sin(angle) * 3.4,
        Math.cos(angle) * 3.4,
        -9.7,
      ],
      cropResizeMap(-10, 5, 90, 90, 16, 16),
      [0.7, 0.1, 3.2, -0.05, 0.8, 1.1],
    ];
    let blackSeen = false;
    for (const m of maps) {
      const fast = warpAffine({ data: rgb, width: w, height: h, channels: 3 }, m, 24, 20, {
        maxSupersample: 8,
      });
      const general = warpAffine({ data: rgba, width: w, height: h, channels: 4 }, m, 24, 20, {
        maxSupersample: 8,
      });
      for (let i = 0; i < 24 * 20; i++)
        for (let ch = 0; ch < 3; ch++)
          assert.equal(fast[i * 3 + ch], general[i * 4 + ch], `pixel ${i} channel ${ch}`);
      assert.ok(fast.some((v) => v > 0));
      blackSeen ||= fast.some((v) => v === 0);
    }
    assert.ok(blackSeen, 'some samples fall outside the image');
  });

  it('keeps the channels interleaved', () => {
    const rgb: PixelGrid = { width: 1, height: 1, channels: 3, data: [10, 20, 30] };
    assert.deepEqual([...warpAffine(rgb, [1, 0, 0, 0, 1, 0], 1, 1, { maxSupersample: 4 })], [10, 20, 30]);
  });
});

describe('cropResizeMap', () => {
  it('maps output pixel centres onto the crop with half-pixel alignment', () => {
    const [a, , c, , e, f] = cropResizeMap(10, 20, 64, 32, 8, 8);
    assert.equal(a, 8);
    assert.equal(e, 4);
    assert.equal(c, 10 + 4 - 0.5); // centre of output pixel 0 → centre of the first 8-px block
    assert.equal(f, 20 + 2 - 0.5);
  });
});

describe('rgbToGrey', () => {
  it('uses BT.601 weights', () => {
    const g = rgbToGrey(new Float32Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100]));
    [0.299 * 255, 0.587 * 255, 0.114 * 255, 100].forEach((v, i) => assert.ok(Math.abs(g[i]! - v) < 1e-3));
  });
});
