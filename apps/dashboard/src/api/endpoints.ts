// Every admin API call the dashboard makes, in one place: path, method and the zod schemas of libs/contracts
// (the server validates with the same ones). Route table: docs/admin-api.md.
import {
  type AdminContributionListQuery,
  AdminContributionListSchema,
  type AdminContributorListQuery,
  AdminContributorListSchema,
  AdminContributorDetailSchema,
  type AdminIndexListQuery,
  AdminIndexVersionListSchema,
  AdminOverviewSchema,
  AdminPerformerDetailSchema,
  type AdminPerformerListQuery,
  AdminPerformerListSchema,
  ApiKeySchema,
  type AuditListQuery,
  AuditListSchema,
  ContributorActionResultSchema,
  IdentityLinkDecisionSchema,
  type IdentityLinkListQuery,
  IdentityLinkListSchema,
  IndexBuildListSchema,
  type IndexBuildRequest,
  IndexVersionSummarySchema,
  ModerationItemDetailSchema,
  type ModerationListQuery,
  ModerationListSchema,
  type ModerationResolveRequest,
  ModerationResolveResultSchema,
  PurgeResultSchema,
} from '@stash-sense/contracts';
import { api, type Query } from './http';

const id = (value: string) => encodeURIComponent(value);
type Paged<Q> = Partial<Q>;
const q = <T extends object>(query: T) => query as unknown as Query;

export const adminApi = {
  overview: (days = 30) => api.call(AdminOverviewSchema, 'GET', '/v1/admin/overview', { query: { days } }),

  moderation: {
    list: (query: Paged<ModerationListQuery>) =>
      api.call(ModerationListSchema, 'GET', '/v1/admin/moderation', { query: q(query) }),
    get: (itemId: string) =>
      api.call(ModerationItemDetailSchema, 'GET', `/v1/admin/moderation/${id(itemId)}`),
    resolve: (itemId: string, body: ModerationResolveRequest) =>
      api.call(ModerationResolveResultSchema, 'POST', `/v1/admin/moderation/${id(itemId)}/resolve`, { body }),
  },

  performers: {
    list: (query: Paged<AdminPerformerListQuery>) =>
      api.call(AdminPerformerListSchema, 'GET', '/v1/admin/performers', { query: q(query) }),
    get: (performerId: string, days = 90) =>
      api.call(AdminPerformerDetailSchema, 'GET', `/v1/admin/performers/${id(performerId)}`, {
        query: { days },
      }),
  },

  links: {
    list: (query: Paged<IdentityLinkListQuery>) =>
      api.call(IdentityLinkListSchema, 'GET', '/v1/admin/identity-links', { query: q(query) }),
    decide: (linkId: string, decision: 'accept' | 'decline', note?: string) =>
      api.call(IdentityLinkDecisionSchema, 'POST', `/v1/admin/identity-links/${id(linkId)}/${decision}`, {
        body: note ? { note } : {},
      }),
  },

  contributors: {
    list: (query: Paged<AdminContributorListQuery>) =>
      api.call(AdminContributorListSchema, 'GET', '/v1/admin/contributors', { query: q(query) }),
    get: (userId: string, days = 30) =>
      api.call(AdminContributorDetailSchema, 'GET', `/v1/admin/contributors/${id(userId)}`, {
        query: { days },
      }),
    contributions: (userId: string, query: Paged<AdminContributionListQuery>) =>
      api.call(AdminContributionListSchema, 'GET', `/v1/admin/contributors/${id(userId)}/contributions`, {
        query: q(query),
      }),
    act: (userId: string, action: 'suspend' | 'ban' | 'reinstate', reason?: string) =>
      api.call(ContributorActionResultSchema, 'POST', `/v1/admin/contributors/${id(userId)}/${action}`, {
        body: reason ? { reason } : {},
      }),
    purge: (userId: string, reason: string) =>
      api.call(PurgeResultSchema, 'POST', `/v1/admin/contributors/${id(userId)}/purge`, { body: { reason } }),
    revokeKey: (keyId: string) => api.call(ApiKeySchema, 'DELETE', `/v1/admin/api-keys/${id(keyId)}`),
  },

  indexes: {
    list: (query: Paged<AdminIndexListQuery>) =>
      api.call(AdminIndexVersionListSchema, 'GET', '/v1/admin/indexes', { query: q(query) }),
    builds: () => api.call(IndexBuildListSchema, 'GET', '/v1/admin/indexes/builds'),
    build: (body: Partial<IndexBuildRequest>) =>
      api.call(IndexBuildListSchema, 'POST', '/v1/admin/indexes/builds', { body }),
    withdraw: (version: string, reason: string) =>
      api.call(IndexVersionSummarySchema, 'POST', `/v1/admin/indexes/${id(version)}/withdraw`, {
        body: { reason },
      }),
    publish: (version: string, reason?: string) =>
      api.call(IndexVersionSummarySchema, 'POST', `/v1/admin/indexes/${id(version)}/publish`, {
        body: reason ? { reason } : {},
      }),
  },

  audit: (query: Paged<AuditListQuery>) =>
    api.call(AuditListSchema, 'GET', '/v1/admin/audit', { query: q(query) }),
};
