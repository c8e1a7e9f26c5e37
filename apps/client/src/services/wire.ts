// Conversion of the pipeline's in-memory faces to the contract objects the CLI prints and the sidecar returns.
import type { Face, SidecarFace } from '@stash-sense/contracts';
import { type DetectedFace, faceToJson } from '../pipeline/index.js';

/** Decimal places kept on the wire: sub-pixel boxes are noise; 7 decimals keep embeddings unit-norm to ~1e-6. */
export const WIRE_PRECISION = { pixels: 1, embedding: 7 } as const;

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** A face with its embedding (the CLI's JSON Lines). */
export function toFaceJson(face: DetectedFace): Face {
  const json = faceToJson(face, { decimals: WIRE_PRECISION.pixels });
  return { ...json, embedding: json.embedding.map((v) => round(v, WIRE_PRECISION.embedding)) };
}

/** A face for the sidecar: the embedding only when asked for. */
export function toSidecarFace(face: DetectedFace, includeEmbedding: boolean): SidecarFace {
  if (includeEmbedding) return toFaceJson(face);
  const { embedding: _embedding, ...rest } = faceToJson(face, { decimals: WIRE_PRECISION.pixels });
  return rest;
}
