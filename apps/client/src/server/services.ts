import type { SidecarModel } from '@stash-sense/contracts';
import type { Device } from '../config.js';
import type { IndexUpdater } from '../index/index-updater.js';
import type { FaceIndexStore } from '../services/face-index-store.js';
import type { IdentifyService } from '../services/identify.service.js';
import type { WorkQueue } from '../services/work-queue.js';
import type { StashSceneService } from '../stash/stash-scene.service.js';
import type { StashSenseCompatService } from '../stash/stash-sense-compat.service.js';

/** What the sidecar's routes call: the same services the CLI uses, plus the work queue. */
export interface SidecarServices {
  identify: IdentifyService;
  indexStore: FaceIndexStore;
  /** POST /database/update: pulls the latest signed index (one pull at a time). */
  updater: IndexUpdater;
  queue: WorkQueue;
  model: SidecarModel;
  /** Where the models really run (after any CUDA → CPU fallback). */
  device: Device;
  /** Scene identification by Stash scene id and adding performers to scenes; null without a Stash URL. */
  stashScenes?: StashSceneService | null;
  /** The stash-sense / stash-sense2 plugins' calls, answered with the services above. */
  compat: StashSenseCompatService;
  /** Where POST /feedback sends by default (STASH_SENSE_CLOUD_URL, STASH_SENSE_API_KEY). */
  cloud?: { url: string | undefined; apiKey: string | undefined };
}
