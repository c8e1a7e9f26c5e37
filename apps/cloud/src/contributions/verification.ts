import type { ContributionStatus } from '@stash-sense/contracts';
import type { StashBoxScene } from '../stash-box/stash-box.service.js';
import { fingerprintMatches } from './contribution-validation.js';

export interface PerformerVerdict {
  status: ContributionStatus;
  reason: string | null;
  fingerprintMatched: boolean;
}

export const UNVERIFIED_REASON = "no submitted fingerprint is among the stash-box scene's fingerprints";

/**
 * Verification against the stash-box scene, pure: the performer must be credited on the scene
 * (otherwise rejected); a fingerprint match makes it `verified`, no match `unverified` (accepted but
 * weighing less in consensus).
 */
export function verifyPerformer(
  scene: StashBoxScene,
  performerStashId: string,
  fingerprints: readonly { algorithm: string; hash: string }[],
): PerformerVerdict {
  const fingerprintMatched = fingerprintMatches(fingerprints, scene.fingerprints);
  if (!scene.performers.some((p) => p.stashId === performerStashId)) {
    return {
      status: 'rejected',
      reason: `performer ${performerStashId} is not credited on the stash-box scene`,
      fingerprintMatched,
    };
  }
  return fingerprintMatched
    ? { status: 'verified', reason: null, fingerprintMatched }
    : { status: 'unverified', reason: UNVERIFIED_REASON, fingerprintMatched };
}

/** Retry delay after the n-th failed verification: 1, 2, 4 … minutes, at most 6 hours. Never given up. */
export function verificationBackoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** attempts, 6 * 3600 * 1000);
}
