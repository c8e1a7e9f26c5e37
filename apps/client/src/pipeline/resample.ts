import { type Affine, affineScale } from './align.js';

/** An image of float or byte samples, `channels` interleaved per pixel. */
export interface PixelGrid {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
}

export interface WarpOptions {
  /** Most samples per output pixel along each axis; the actual count follows the source/output scale. */
  maxSupersample: number;
}

/**
 * Resamples `src` through `outToSrc` (output pixel → source pixel, pixel centres at integer coordinates) into a
 * `width` × `height` float grid. Bilinear; outside the source counts as 0 (black). When one output pixel spans
 * several source pixels, each output pixel averages an n×n grid of bilinear samples (n = ceil(scale), capped),
 * so a large face shrunk to 112 px does not alias.
 */
export function warpAffine(
  src: PixelGrid,
  outToSrc: Affine,
  width: number,
  height: number,
  options: WarpOptions,
): Float32Array {
  const n = Math.max(1, Math.min(options.maxSupersample, Math.ceil(affineScale(outToSrc) - 1e-6)));
  const out = new Float32Array(width * height * src.channels);
  // A face shrunk to 112 px takes up to maxSupersample² (4×4 by default) samples × 4 taps per pixel: the hot loop
  // of the CPU pipeline (≈ 45 ms per large face at 8×8 before the RGB path was written out). Same arithmetic, in
  // the same order, on both paths.
  if (src.channels === 3) warpRgb(src, outToSrc, width, height, n, out);
  else warpAnyChannels(src, outToSrc, width, height, n, out);
  return out;
}

/** warpAffine for 3 interleaved channels, the taps and channels written out (no calls, no scratch array). */
function warpRgb(
  src: PixelGrid,
  m: Affine,
  width: number,
  height: number,
  n: number,
  out: Float32Array,
): void {
  const { data, width: sw, height: sh } = src;
  const [a, b, c, d, e, f] = m;
  const samples = n * n;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let sy = 0; sy < n; sy++) {
        const oy = y + (sy + 0.5) / n - 0.5;
        for (let sx = 0; sx < n; sx++) {
          const ox = x + (sx + 0.5) / n - 0.5;
          const px = a * ox + b * oy + c;
          const py = d * ox + e * oy + f;
          const x0 = Math.floor(px);
          const y0 = Math.floor(py);
          const wx = px - x0;
          const wy = py - y0;
          const inX0 = x0 >= 0 && x0 < sw;
          const inX1 = x0 + 1 >= 0 && x0 + 1 < sw;
          if (y0 >= 0 && y0 < sh) {
            const row = y0 * sw;
            let w = (1 - wx) * (1 - wy);
            if (w !== 0 && inX0) {
              const i = (row + x0) * 3;
              r += w * data[i]!;
              g += w * data[i + 1]!;
              bl += w * data[i + 2]!;
            }
            w = wx * (1 - wy);
            if (w !== 0 && inX1) {
              const i = (row + x0 + 1) * 3;
              r += w * data[i]!;
              g += w * data[i + 1]!;
              bl += w * data[i + 2]!;
            }
          }
          if (y0 + 1 >= 0 && y0 + 1 < sh) {
            const row = (y0 + 1) * sw;
            let w = (1 - wx) * wy;
            if (w !== 0 && inX0) {
              const i = (row + x0) * 3;
              r += w * data[i]!;
              g += w * data[i + 1]!;
              bl += w * data[i + 2]!;
            }
            w = wx * wy;
            if (w !== 0 && inX1) {
              const i = (row + x0 + 1) * 3;
              r += w * data[i]!;
              g += w * data[i + 1]!;
              bl += w * data[i + 2]!;
            }
          }
        }
      }
      const o = (y * width + x) * 3;
      out[o] = r / samples;
      out[o + 1] = g / samples;
      out[o + 2] = bl / samples;
    }
  }
}

function warpAnyChannels(
  src: PixelGrid,
  m: Affine,
  width: number,
  height: number,
  n: number,
  out: Float32Array,
): void {
  const { channels } = src;
  const acc = new Float64Array(channels);
  const [a, b, c, d, e, f] = m;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      acc.fill(0);
      for (let sy = 0; sy < n; sy++) {
        const oy = y + (sy + 0.5) / n - 0.5;
        for (let sx = 0; sx < n; sx++) {
          const ox = x + (sx + 0.5) / n - 0.5;
          sampleBilinear(src, a * ox + b * oy + c, d * ox + e * oy + f, acc);
        }
      }
      const o = (y * width + x) * channels;
      for (let ch = 0; ch < channels; ch++) out[o + ch] = acc[ch]! / (n * n);
    }
  }
}

function sampleBilinear(src: PixelGrid, x: number, y: number, acc: Float64Array): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const wx = x - x0;
  const wy = y - y0;
  addPixel(src, x0, y0, (1 - wx) * (1 - wy), acc);
  addPixel(src, x0 + 1, y0, wx * (1 - wy), acc);
  addPixel(src, x0, y0 + 1, (1 - wx) * wy, acc);
  addPixel(src, x0 + 1, y0 + 1, wx * wy, acc);
}

function addPixel(src: PixelGrid, x: number, y: number, weight: number, acc: Float64Array): void {
  if (weight === 0 || x < 0 || y < 0 || x >= src.width || y >= src.height) return;
  const i = (y * src.width + x) * src.channels;
  for (let ch = 0; ch < src.channels; ch++) acc[ch]! += weight * src.data[i + ch]!;
}

/** Output→source map that resizes the square/rectangle (x, y, w, h) of the source to `width` × `height` (half-pixel centres, like cv.resize). */
export function cropResizeMap(
  x: number,
  y: number,
  w: number,
  h: number,
  width: number,
  height: number,
): Affine {
  const sx = w / width;
  const sy = h / height;
  return [sx, 0, x + 0.5 * sx - 0.5, 0, sy, y + 0.5 * sy - 0.5];
}

/** ITU-R BT.601 luma of an interleaved RGB float grid (what OpenCV's RGB→grey uses). */
export function rgbToGrey(rgb: Float32Array): Float32Array {
  const out = new Float32Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++)
    out[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return out;
}
