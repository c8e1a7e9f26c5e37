import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import type { FingerprintAlgorithm } from '@stash-sense/contracts';
import { AppConfig } from '../config/app-config.js';
import { StashBoxClient } from './stash-box.client.js';
import { FIND_SCENE_QUERY, type FindSceneResponse } from './stash-box.queries.js';
import { type StashBoxEndpoint, StashBoxRepository } from './stash-box.repository.js';

/** What verification needs to know about a stash-box scene. */
export interface StashBoxScene {
  stashId: string;
  title: string | null;
  durationSec: number | null;
  performers: { stashId: string; name: string; disambiguation: string | null }[];
  fingerprints: { algorithm: FingerprintAlgorithm; hash: string; durationSec: number }[];
}

/** Stash-box lookups, cached in PostgreSQL with an expiry (found and not-found answers alike). */
@Injectable()
export class StashBoxService {
  constructor(
    private readonly config: AppConfig,
    private readonly client: StashBoxClient,
    private readonly repository: StashBoxRepository,
  ) {}

  findEndpointByUrl(url: string): Promise<StashBoxEndpoint | null> {
    return this.repository.findEndpointByUrl(url);
  }

  findEndpointById(id: string): Promise<StashBoxEndpoint | null> {
    return this.repository.findEndpointById(id);
  }

  /** The scene, or null when the stash-box says it does not exist (or was deleted). Throws StashBoxUnavailableError. */
  async findScene(endpoint: StashBoxEndpoint, stashId: string): Promise<StashBoxScene | null> {
    const now = new Date();
    const cached = await this.repository.cachedScene(endpoint.id, stashId, now);
    if (cached) return cached.found ? (cached.payload as StashBoxScene) : null;

    const data = await this.client.request<FindSceneResponse>(endpoint, FIND_SCENE_QUERY, { id: stashId });
    const raw = data.findScene;
    const scene: StashBoxScene | null =
      raw && !raw.deleted
        ? {
            stashId: raw.id,
            title: raw.title,
            durationSec: raw.duration,
            performers: raw.performers.map((p) => ({
              stashId: p.performer.id,
              name: p.performer.name,
              disambiguation: p.performer.disambiguation,
            })),
            fingerprints: raw.fingerprints.map((f) => ({
              algorithm: f.algorithm,
              hash: f.hash,
              durationSec: f.duration,
            })),
          }
        : null;
    const ttlSec = scene ? this.config.stashBox.cacheTtlSec : this.config.stashBox.notFoundTtlSec;
    const payload = (scene ?? {}) as unknown as Prisma.InputJsonValue;
    await this.repository.cacheScene(
      endpoint.id,
      stashId,
      scene !== null,
      payload,
      new Date(now.getTime() + ttlSec * 1000),
    );
    return scene;
  }
}
