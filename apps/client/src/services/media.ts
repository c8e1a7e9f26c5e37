import { extname } from 'node:path';

export type MediaKind = 'image' | 'video';

/** Still-image formats the pipeline decodes (sharp: JPEG, PNG, WebP, GIF, AVIF, TIFF). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.gif',
  '.avif',
  '.tif',
  '.tiff',
]);

/** Containers ffmpeg reads that Stash libraries commonly hold. */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp4',
  '.m4v',
  '.mkv',
  '.webm',
  '.mov',
  '.avi',
  '.wmv',
  '.flv',
  '.mpg',
  '.mpeg',
  '.ts',
  '.m2ts',
  '.mts',
  '.3gp',
  '.ogv',
  '.vob',
]);

/**
 * Whether a path (or URL) names a video or an image, by extension. Unknown extensions are treated as images:
 * the decoder then says plainly if the file is not one.
 */
export function mediaKindOf(pathOrUrl: string): MediaKind {
  let pathname = pathOrUrl;
  if (/^https?:\/\//i.test(pathOrUrl)) {
    try {
      pathname = new URL(pathOrUrl).pathname;
    } catch {
      // not a valid URL: fall back to the raw string
    }
  }
  return VIDEO_EXTENSIONS.has(extname(pathname).toLowerCase()) ? 'video' : 'image';
}

/** Whether a gallery file is an image `index build-local` enrols (JPEG, PNG, WebP). */
export function isGalleryImage(path: string): boolean {
  return ['.jpg', '.jpeg', '.png', '.webp'].includes(extname(path).toLowerCase());
}
