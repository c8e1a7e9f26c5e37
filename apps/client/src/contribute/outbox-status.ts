// Contribution status per scene, from the outbox: what `stash-sense contributions status` prints and the sidecar's
// GET /contributions serves. Pure.
import type { ContributionStatus } from '@stash-sense/contracts';
import type { CloudStatus, OutboxEntry, OutboxScene, OutboxSnapshot } from './outbox.js';

/** queued → waiting to be sent (or retried); sent → stored by the cloud, not decided yet; accepted / rejected →
 * consensus decided (any rejected performer makes the scene rejected); failed → refused by the cloud for good;
 * withdrawn → you withdrew it; skipped → analysed, nothing could be attributed. */
export type SceneContributionState =
  'queued' | 'sent' | 'accepted' | 'rejected' | 'failed' | 'withdrawn' | 'skipped';

export interface SceneContributionStatus {
  scene: OutboxScene;
  state: SceneContributionState;
  entryId: string | null;
  performers: string[];
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  reason: string | null;
  cloud: CloudStatus[];
  updatedAt: string;
}

function sentState(cloud: readonly CloudStatus[]): SceneContributionState {
  const statuses = new Set<ContributionStatus>(cloud.map((c) => c.status));
  if (statuses.has('rejected')) return 'rejected';
  if (statuses.size && [...statuses].every((s) => s === 'withdrawn')) return 'withdrawn';
  if (statuses.size && [...statuses].every((s) => s === 'accepted' || s === 'withdrawn')) return 'accepted';
  return 'sent';
}

function entryStatus(e: OutboxEntry): SceneContributionStatus {
  return {
    scene: e.scene,
    state: e.state === 'sent' ? sentState(e.cloud) : e.state,
    entryId: e.id,
    performers: e.performers,
    attempts: e.attempts,
    lastError: e.lastError,
    nextAttemptAt: e.nextAttemptAt,
    reason: e.failure?.reason ?? null,
    cloud: e.cloud,
    updatedAt: e.updatedAt,
  };
}

const sceneKey = (s: OutboxScene) => `${s.endpoint}\n${s.stashId}`;

/** The latest state of each scene (its newest entry; a skip only where nothing was ever queued). */
export function sceneStatuses(
  snapshot: Pick<OutboxSnapshot, 'entries' | 'skipped'>,
): SceneContributionStatus[] {
  const byScene = new Map<string, SceneContributionStatus>();
  for (const s of snapshot.skipped.values())
    byScene.set(sceneKey(s.scene), {
      scene: s.scene,
      state: 'skipped',
      entryId: null,
      performers: [],
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      reason: s.reason,
      cloud: [],
      updatedAt: s.at,
    });
  const entries = [...snapshot.entries.values()].sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt));
  for (const e of entries) byScene.set(sceneKey(e.scene), entryStatus(e));
  return [...byScene.values()].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
}

/** Counts per state. */
export function countStates(
  statuses: readonly SceneContributionStatus[],
): Record<SceneContributionState, number> {
  const counts: Record<SceneContributionState, number> = {
    queued: 0,
    sent: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    withdrawn: 0,
    skipped: 0,
  };
  for (const s of statuses) counts[s.state]++;
  return counts;
}

/** The statuses of one scene, matched by its Stash scene id or its stash-box scene id. */
export function findSceneStatus(
  statuses: readonly SceneContributionStatus[],
  sceneId: string,
): SceneContributionStatus[] {
  return statuses.filter((s) => s.scene.localSceneId === sceneId || s.scene.stashId === sceneId);
}
