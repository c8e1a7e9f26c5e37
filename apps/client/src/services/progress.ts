import type { MediaKind } from './media.js';

/** Progress of a batch, as the services report it; the CLI draws it, the sidecar ignores it. */
export type ProgressEvent =
  | { type: 'file-start'; file: string; index: number; total: number; kind: MediaKind }
  | { type: 'frames'; file: string; done: number; total: number }
  | { type: 'file-done'; file: string; index: number; total: number; ok: boolean };

export type ProgressListener = (event: ProgressEvent) => void;

/** A warning worth telling the user (skipped gallery photo, device fallback); never fatal. */
export type WarningListener = (message: string) => void;
