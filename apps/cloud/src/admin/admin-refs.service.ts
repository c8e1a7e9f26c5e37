import { Injectable } from '@nestjs/common';
import type {
  AdminContributorRef,
  AdminPerformerRef,
  AdminSceneRef,
  AdminStashBox,
  AdminUserRef,
  IndexVersionSummary,
  ModerationPerformer,
} from '@stash-sense/contracts';
import {
  AdminRefsRepository,
  type ModelRow,
  type PerformerRefRow,
  type StashBoxRow,
  type UserRefRow,
} from './admin-refs.repository.js';
import { stashBoxPerformerUrl, stashBoxSceneUrl } from './stash-box-links.js';

type IndexModelRef = IndexVersionSummary['model'];

const stashBox = (r: StashBoxRow): AdminStashBox => ({ key: r.key, name: r.name, graphqlUrl: r.graphqlUrl });

export const toPerformerRef = (r: {
  id: string;
  name: string;
  disambiguation: string | null;
}): AdminPerformerRef => ({
  id: r.id,
  name: r.name,
  disambiguation: r.disambiguation,
});

export function toModerationPerformer(r: PerformerRefRow): ModerationPerformer {
  return {
    ...toPerformerRef(r),
    stashIds: r.stashIds.map((s) => ({
      endpoint: stashBox(s),
      stashId: s.stashId,
      url: stashBoxPerformerUrl(s.graphqlUrl, s.stashId),
    })),
    consensusState: r.consensusState,
    trustedFaces: r.trustedFaces,
  };
}

export const toUserRef = (r: { id: string; email: string; displayName: string | null }): AdminUserRef => ({
  id: r.id,
  email: r.email,
  displayName: r.displayName,
});

export const toContributorRef = (r: UserRefRow): AdminContributorRef => ({
  ...toUserRef(r),
  status: r.status,
  reputation: r.reputation,
  reputationFlagged: r.reputationFlagged,
});

export const toModelRef = (m: ModelRow): IndexModelRef => ({
  name: m.name,
  version: m.version,
  dimension: m.dimension,
});

/** A model that was deleted since (rows keep its id): shown as unknown rather than failing the page. */
export const UNKNOWN_MODEL: IndexModelRef = { name: 'unknown', version: 'unknown', dimension: 1 };

/** Resolves ids to the references the admin views show, each kind in one query. */
@Injectable()
export class AdminRefsService {
  constructor(private readonly repository: AdminRefsRepository) {}

  async performers(
    ids: readonly string[],
    modelId: string | null = null,
  ): Promise<Map<string, PerformerRefRow>> {
    const rows = await this.repository.performers([...new Set(ids)], modelId);
    return new Map(rows.map((r) => [r.id, r]));
  }

  async scenes(ids: readonly string[]): Promise<Map<string, AdminSceneRef>> {
    const rows = await this.repository.scenes([...new Set(ids)]);
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          endpoint: stashBox(r),
          stashId: r.stashId,
          title: r.title,
          url: stashBoxSceneUrl(r.graphqlUrl, r.stashId),
        },
      ]),
    );
  }

  async users(ids: readonly string[]): Promise<Map<string, UserRefRow>> {
    const rows = await this.repository.users([...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  async models(): Promise<Map<string, ModelRow>> {
    return new Map((await this.repository.models()).map((m) => [m.id, m]));
  }
}
