import type { PerformerHit } from '@stash-sense/face-index';
import { IDENTIFY_DEFAULTS, type IdentifyConfig } from './identify.config.js';
import type { Candidate, ConfidenceBand } from './types.js';

/** 1 − cosine distance, clipped to [0, 1] (see identify.config.ts). */
export function confidenceOf(distance: number): number {
  return Math.min(1, Math.max(0, 1 - distance));
}

/** Band of a cosine distance: below `high` → high, below `likely` → likely, below `possible` → possible, else unlikely. */
export function bandOf(
  distance: number,
  bands: IdentifyConfig['bands'] = IDENTIFY_DEFAULTS.bands,
): ConfidenceBand {
  if (distance < bands.high) return 'high';
  if (distance < bands.likely) return 'likely';
  if (distance < bands.possible) return 'possible';
  return 'unlikely';
}

export function toCandidate(
  hit: Pick<PerformerHit, 'performer' | 'distance'>,
  config: Pick<IdentifyConfig, 'bands'>,
): Candidate {
  return {
    performer: hit.performer,
    distance: hit.distance,
    confidence: confidenceOf(hit.distance),
    band: bandOf(hit.distance, config.bands),
  };
}
