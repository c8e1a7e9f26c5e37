import sharp from 'sharp';
import { InputError } from './input-error.js';
import type { RgbImage } from './types.js';

/**
 * Decodes a JPEG, PNG or WebP file (path) or in-memory file (Buffer) to interleaved 8-bit RGB, turned upright by
 * its EXIF orientation. Grey images become RGB; alpha is dropped. Anything unreadable → InputError naming the file.
 */
export async function loadImage(input: string | Buffer): Promise<RgbImage> {
  const name = typeof input === 'string' ? input : '<image buffer>';
  try {
    const { data, info } = await sharp(input, { failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image = { data, width: info.width, height: info.height };
    return info.channels === 3 ? image : toRgb(image, info.channels);
  } catch (error) {
    throw new InputError(
      name,
      `cannot be read as an image (${(error as Error).message}). Use an existing, complete JPEG, PNG or WebP file.`,
      { cause: error },
    );
  }
}

function toRgb(image: RgbImage, channels: number): RgbImage {
  const pixels = image.width * image.height;
  const out = Buffer.alloc(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const grey = channels < 3;
    for (let ch = 0; ch < 3; ch++) out[i * 3 + ch] = image.data[i * channels + (grey ? 0 : ch)]!;
  }
  return { data: out, width: image.width, height: image.height };
}

/** Checks that an RgbImage's buffer matches its size (a wrong size would silently scramble every later step). */
export function assertRgbImage(image: RgbImage): void {
  if (
    !Number.isInteger(image.width) ||
    !Number.isInteger(image.height) ||
    image.width < 1 ||
    image.height < 1
  ) {
    throw new Error(`image size must be positive integers, got ${image.width}×${image.height}`);
  }
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(
      `image buffer holds ${image.data.length} bytes but ${image.width}×${image.height} RGB needs ${image.width * image.height * 3}`,
    );
  }
}

/** Resizes the whole image to exactly width × height (aspect not kept) with libvips, then adds an optional black border. */
export async function resizeRgb(
  image: RgbImage,
  width: number,
  height: number,
  border?: { left: number; top: number; right: number; bottom: number },
): Promise<Buffer> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(
    width,
    height,
    {
      fit: 'fill',
    },
  );
  if (border) pipeline = pipeline.extend({ ...border, background: { r: 0, g: 0, b: 0 } });
  return pipeline.raw().toBuffer();
}
