import sharp from 'sharp';
import { PIPELINE_DEFAULTS } from './defaults.js';
import { cropResizeMap, warpAffine } from './resample.js';
import type { Box, RgbImage } from './types.js';
import { assertRgbImage } from './image.js';

/**
 * A square JPEG of the face for user interfaces: the box's longer side plus a margin, centred on the box,
 * scaled to `size` × `size` (black where the square leaves the image).
 */
export async function cropFaceThumbnail(
  image: RgbImage,
  box: Box,
  size: number = PIPELINE_DEFAULTS.thumbnail.size,
): Promise<Buffer> {
  assertRgbImage(image);
  if (!Number.isInteger(size) || size < 8 || size > 2048)
    throw new Error(`thumbnail size must be an integer in 8–2048, got ${size}`);
  const [x, y, w, h] = box;
  if (!(w > 0 && h > 0)) throw new Error(`face box must have a positive size, got ${w}×${h}`);
  const { margin, jpegQuality } = PIPELINE_DEFAULTS.thumbnail;
  const side = Math.max(w, h) * (1 + 2 * margin);
  const left = x + w / 2 - side / 2;
  const top = y + h / 2 - side / 2;
  const grid = { data: image.data, width: image.width, height: image.height, channels: 3 };
  const pixels = warpAffine(grid, cropResizeMap(left, top, side, side, size, size), size, size, {
    maxSupersample: PIPELINE_DEFAULTS.alignment.maxSupersample,
  });
  const bytes = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.round(pixels[i]!);
  return sharp(bytes, { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: jpegQuality })
    .toBuffer();
}
