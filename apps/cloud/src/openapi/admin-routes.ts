import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  AdminContributionListQuerySchema,
  AdminContributionListSchema,
  AdminContributorDetailSchema,
  AdminContributorListQuerySchema,
  AdminContributorListSchema,
  AdminDaysQuerySchema,
  AdminIndexListQuerySchema,
  AdminIndexVersionListSchema,
  AdminNoteRequestSchema,
  AdminOverviewSchema,
  AdminPerformerDetailSchema,
  AdminPerformerListQuerySchema,
  AdminPerformerListSchema,
  AdminPerformerQuerySchema,
  AdminReasonRequestSchema,
  ApiKeySchema,
  AuditListQuerySchema,
  AuditListSchema,
  ContributorActionResultSchema,
  ErrorBodySchema,
  IdentityLinkDecisionSchema,
  IdentityLinkListQuerySchema,
  IdentityLinkListSchema,
  IndexPublishRequestSchema,
  IndexVersionSummarySchema,
  ModerationItemDetailSchema,
  ModerationListQuerySchema,
  ModerationListSchema,
  ModerationResolveRequestSchema,
  ModerationResolveResultSchema,
  PurgeRequestSchema,
  PurgeResultSchema,
} from '@stash-sense/contracts';
import { z } from 'zod';

/** Who may call a route: `mod` = moderators and admins, `admin` = admins only. */
export type AdminRole = 'mod' | 'admin';

export interface AdminRoute {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form, `{id}` for parameters. */
  path: string;
  role: AdminRole;
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  responseDescription: string;
  /** Statuses beyond the common 400/401/403/429, with what they mean. */
  more?: Record<number, string>;
}

const NOT_FOUND = { 404: 'No such id' };
const CONFLICT = { 409: 'The target is not in a state this action applies to' };

/**
 * The new admin routes of the dashboard (docs/admin-api.md), in one table: registered in the OpenAPI document from
 * here, and iterated by test/admin-api.e2e.ts for the 401/403 checks. (The older admin routes, users and index
 * builds/withdrawal, are registered in openapi.document.ts.)
 */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'get',
    path: '/v1/admin/overview',
    role: 'mod',
    summary:
      'Dashboard overview: contributions per day, faces by state, contributors, moderation, queues, indexes',
    query: AdminDaysQuerySchema,
    response: AdminOverviewSchema,
    responseDescription: 'Overview',
  },
  {
    method: 'get',
    path: '/v1/admin/moderation',
    role: 'mod',
    summary: 'Moderation queue: conflicts and flags from consensus (paged, filterable)',
    query: ModerationListQuerySchema,
    response: ModerationListSchema,
    responseDescription: 'A page of items',
  },
  {
    method: 'get',
    path: '/v1/admin/moderation/{id}',
    role: 'mod',
    summary:
      'A moderation item with its evidence, contributions, contributors and scenes (with stash-box links)',
    response: ModerationItemDetailSchema,
    responseDescription: 'The item',
    more: NOT_FOUND,
  },
  {
    method: 'post',
    path: '/v1/admin/moderation/{id}/resolve',
    role: 'mod',
    summary: 'Approve, reject, reassign or dismiss; consensus decides again for every performer involved',
    body: ModerationResolveRequestSchema,
    response: ModerationResolveResultSchema,
    responseDescription: 'What the decision changed',
    more: { ...NOT_FOUND, ...CONFLICT },
  },
  {
    method: 'get',
    path: '/v1/admin/performers',
    role: 'mod',
    summary: 'Performers by name (paged; search by name or stash-box id)',
    query: AdminPerformerListQuerySchema,
    response: AdminPerformerListSchema,
    responseDescription: 'A page of performers',
  },
  {
    method: 'get',
    path: '/v1/admin/performers/{id}',
    role: 'mod',
    summary:
      'A performer: stash-box ids, consensus, trusted faces over time, contributors, distance histogram, link suggestions',
    query: AdminPerformerQuerySchema,
    response: AdminPerformerDetailSchema,
    responseDescription: 'The performer',
    more: NOT_FOUND,
  },
  {
    method: 'get',
    path: '/v1/admin/identity-links',
    role: 'mod',
    summary: 'Identity-link suggestions across stash-boxes, nearest first (paged)',
    query: IdentityLinkListQuerySchema,
    response: IdentityLinkListSchema,
    responseDescription: 'A page of suggestions',
  },
  {
    method: 'post',
    path: '/v1/admin/identity-links/{id}/accept',
    role: 'mod',
    summary: 'Accept a suggestion: the two performers are one person',
    body: AdminNoteRequestSchema,
    response: IdentityLinkDecisionSchema,
    responseDescription: 'Accepted',
    more: { ...NOT_FOUND, ...CONFLICT },
  },
  {
    method: 'post',
    path: '/v1/admin/identity-links/{id}/decline',
    role: 'mod',
    summary: 'Decline a suggestion',
    body: AdminNoteRequestSchema,
    response: IdentityLinkDecisionSchema,
    responseDescription: 'Declined',
    more: { ...NOT_FOUND, ...CONFLICT },
  },
  {
    method: 'get',
    path: '/v1/admin/contributors',
    role: 'mod',
    summary: 'Accounts with reputation and agreement (paged, filterable)',
    query: AdminContributorListQuerySchema,
    response: AdminContributorListSchema,
    responseDescription: 'A page of accounts',
  },
  {
    method: 'get',
    path: '/v1/admin/contributors/{id}',
    role: 'mod',
    summary: 'An account: reputation, agreement rate, history, API keys',
    query: AdminDaysQuerySchema,
    response: AdminContributorDetailSchema,
    responseDescription: 'The account',
    more: NOT_FOUND,
  },
  {
    method: 'get',
    path: '/v1/admin/contributors/{id}/contributions',
    role: 'mod',
    summary: 'The account’s contributions, newest first (paged)',
    query: AdminContributionListQuerySchema,
    response: AdminContributionListSchema,
    responseDescription: 'A page of contributions',
    more: NOT_FOUND,
  },
  {
    method: 'post',
    path: '/v1/admin/contributors/{id}/suspend',
    role: 'mod',
    summary: 'Suspend an account: its sessions and API keys get 403 from the next request',
    body: AdminReasonRequestSchema,
    response: ContributorActionResultSchema,
    responseDescription: 'Suspended',
    more: { ...NOT_FOUND, ...CONFLICT },
  },
  {
    method: 'post',
    path: '/v1/admin/contributors/{id}/reinstate',
    role: 'mod',
    summary: 'Reactivate a suspended (moderators) or banned (admins) account',
    body: AdminReasonRequestSchema,
    response: ContributorActionResultSchema,
    responseDescription: 'Active again',
    more: { ...NOT_FOUND, ...CONFLICT },
  },
  {
    method: 'post',
    path: '/v1/admin/contributors/{id}/ban',
    role: 'admin',
    summary: 'Ban an account (admins)',
    body: AdminReasonRequestSchema,
    response: ContributorActionResultSchema,
    responseDescription: 'Banned',
    more: { ...NOT_FOUND, ...CONFLICT },
  },
  {
    method: 'post',
    path: '/v1/admin/contributors/{id}/purge',
    role: 'admin',
    summary: 'Withdraw every contribution of an account (admins); the next index build leaves them out',
    body: PurgeRequestSchema,
    response: PurgeResultSchema,
    responseDescription: 'Purged',
    more: NOT_FOUND,
  },
  {
    method: 'delete',
    path: '/v1/admin/api-keys/{id}',
    role: 'admin',
    summary: 'Revoke any account’s API key (admins)',
    response: ApiKeySchema,
    responseDescription: 'Revoked',
    more: { ...NOT_FOUND, 409: 'Revoked already' },
  },
  {
    method: 'get',
    path: '/v1/admin/indexes',
    role: 'mod',
    summary: 'Index versions with counts, face-count buckets and the diff against the parent (paged)',
    query: AdminIndexListQuerySchema,
    response: AdminIndexVersionListSchema,
    responseDescription: 'A page of versions',
  },
  {
    method: 'post',
    path: '/v1/admin/indexes/{version}/publish',
    role: 'admin',
    summary: 'Publish a withdrawn version again (admins); 409 when a newer version of the model exists',
    body: IndexPublishRequestSchema,
    response: IndexVersionSummarySchema,
    responseDescription: 'Published',
    more: { 404: 'No such version', ...CONFLICT },
  },
  {
    method: 'get',
    path: '/v1/admin/audit',
    role: 'mod',
    summary: 'The audit log: who did what, when (paged, filterable)',
    query: AuditListQuerySchema,
    response: AuditListSchema,
    responseDescription: 'A page of entries',
  },
];

export function registerAdminRoutes(registry: OpenAPIRegistry): void {
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: ErrorBodySchema } },
  });
  for (const route of ADMIN_ROUTES) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    registry.registerPath({
      method: route.method,
      path: route.path,
      tags: ['admin'],
      summary: `${route.summary} (${route.role === 'admin' ? 'admins' : 'moderators and admins'})`,
      security: [{ session: [] }, { apiKey: [] }],
      request: {
        ...(params.length
          ? {
              params: z.object(
                Object.fromEntries(
                  params.map((p) => [p, p === 'id' ? z.uuid() : z.string().min(1).max(128)]),
                ),
              ),
            }
          : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
      },
      responses: {
        200: {
          description: route.responseDescription,
          content: { 'application/json': { schema: route.response } },
        },
        400: error('Invalid request: `details.fields` names each offending field'),
        401: error('No or invalid credentials'),
        403: error(
          route.role === 'admin'
            ? 'Not an admin, an API key without scope moderate, or account suspended/banned'
            : 'Not a moderator or admin, an API key without scope moderate, or account suspended/banned',
        ),
        429: error('Rate limited: see the Retry-After header'),
        ...Object.fromEntries(Object.entries(route.more ?? {}).map(([status, d]) => [status, error(d)])),
      },
    });
  }
}
