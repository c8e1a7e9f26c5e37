import type { ClientConfig } from '../config.js';
import { FacePipeline } from '../pipeline/index.js';
import type { WarningListener } from './progress.js';

/**
 * Loads the face models once for a whole command or server; every file then reuses the same sessions.
 * A `cuda` request that cannot be met falls back to the CPU and reports it through `onWarning`.
 */
export function openFacePipeline(config: ClientConfig, onWarning?: WarningListener): Promise<FacePipeline> {
  return FacePipeline.create({
    device: config.device,
    threads: config.threads,
    ...(config.modelsDir ? { modelsDir: config.modelsDir } : {}),
    ...(onWarning ? { onWarning } : {}),
  });
}
