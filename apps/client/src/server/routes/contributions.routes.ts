// GET /contributions, GET /contributions/status?scene_id=… — contribution state per scene for the Stash plugin,
// read from the local outbox journal (no lock needed: a torn last line is ignored). Read-only.
import { statSync } from 'node:fs';
import type {
  SidecarContributionsResponse,
  SidecarSceneContributionStatusResponse,
} from '@stash-sense/contracts';
import { Router } from 'express';
import { defaultOutboxPath, readOutbox } from '../../contribute/outbox.js';
import {
  countStates,
  findSceneStatus,
  type SceneContributionStatus,
  sceneStatuses,
} from '../../contribute/outbox-status.js';
import { HttpError } from '../http-error.js';

export function contributionsRoutes(outboxPath: string = defaultOutboxPath()): Router {
  const router = Router();
  // Parsed again only when the journal changed (size or mtime): the plugin asks for every scene page it shows.
  let cached: { stamp: string; statuses: SceneContributionStatus[] } | null = null;
  const statuses = () => {
    let stamp = 'missing';
    try {
      const st = statSync(outboxPath);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      // no outbox yet: nothing contributed
    }
    if (cached?.stamp !== stamp) cached = { stamp, statuses: sceneStatuses(readOutbox(outboxPath)) };
    return cached.statuses;
  };

  router.get('/contributions', (_req, res) => {
    const scenes = statuses();
    const body: SidecarContributionsResponse = { counts: countStates(scenes), scenes };
    res.json(body);
  });

  router.get('/contributions/status', (req, res) => {
    const sceneId = typeof req.query.scene_id === 'string' ? req.query.scene_id.trim() : '';
    if (!sceneId) throw new HttpError(400, 'give scene_id: a Stash scene id or a stash-box scene id');
    const scenes = findSceneStatus(statuses(), sceneId);
    const body: SidecarSceneContributionStatusResponse = {
      sceneId,
      state: scenes.at(-1)?.state ?? 'none',
      scenes,
    };
    res.json(body);
  });

  return router;
}
