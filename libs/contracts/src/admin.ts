// The maintainers' admin API (/v1/admin/*, docs/admin-api.md): what the moderation dashboard calls. Every list
// that can grow is paged on the server with an opaque cursor; every action answers with its result and is written
// to the audit log. Roles: moderators and admins read and moderate; admins alone ban, purge, revoke keys and run
// index builds (the route table in docs/admin-api.md says which route needs which).
import { z } from 'zod';
import { ApiKeySchema, UserRoleSchema, UserStatusSchema } from './auth.js';
import { ContributionStatusSchema } from './contributions.js';
import { FaceIndexVersionSchema } from './face-index.js';
import { QueueStatsSchema } from './health.js';
import {
  IndexChangesSchema,
  IndexFaceBucketPercentSchema,
  IndexFaceBucketsSchema,
  IndexModelRefSchema,
  IndexVersionSummarySchema,
} from './index-distribution.js';

const isoTime = z.iso.datetime({ offset: true });
/** Opaque keyset cursor: pass `nextCursor` of the previous page back unchanged. */
const cursor = z.string().min(1).max(200).optional().describe('nextCursor of the previous page');
/** 50 rows per page by default, at most 200: a dashboard table page, never the whole table. */
const limit = z.coerce.number().int().min(1).max(200).default(50);
const nextCursor = z.string().nullable().describe('Cursor of the next page; null on the last page');
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('UTC day, YYYY-MM-DD');
const note = z.string().trim().min(1).max(1000);

// ---------------------------------------------------------------------------------------------------------------
// Shared references
// ---------------------------------------------------------------------------------------------------------------

/** A stash-box as the dashboard shows it (links are built from `url`). */
export const AdminStashBoxSchema = z
  .object({
    key: z.string().describe('stashdb, tpdb, fansdb, …'),
    name: z.string(),
    graphqlUrl: z.string(),
  })
  .meta({ id: 'AdminStashBox' });
export type AdminStashBox = z.infer<typeof AdminStashBoxSchema>;

/** One id of a performer on one stash-box: a node of the identity graph. */
export const AdminStashIdSchema = z
  .object({
    endpoint: AdminStashBoxSchema,
    stashId: z.string(),
    url: z.string().describe('The performer page on that stash-box'),
  })
  .meta({ id: 'AdminStashId' });
export type AdminStashId = z.infer<typeof AdminStashIdSchema>;

export const AdminPerformerRefSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    disambiguation: z.string().nullable(),
  })
  .meta({ id: 'AdminPerformerRef' });
export type AdminPerformerRef = z.infer<typeof AdminPerformerRefSchema>;

export const AdminSceneRefSchema = z
  .object({
    id: z.uuid(),
    endpoint: AdminStashBoxSchema,
    stashId: z.string(),
    title: z.string().nullable(),
    url: z.string().describe('The scene page on its stash-box'),
  })
  .meta({ id: 'AdminSceneRef' });
export type AdminSceneRef = z.infer<typeof AdminSceneRefSchema>;

export const AdminUserRefSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
  })
  .meta({ id: 'AdminUserRef' });
export type AdminUserRef = z.infer<typeof AdminUserRefSchema>;

export const AdminContributorRefSchema = AdminUserRefSchema.extend({
  status: UserStatusSchema,
  reputation: z.number(),
  reputationFlagged: z.boolean(),
}).meta({ id: 'AdminContributorRef' });
export type AdminContributorRef = z.infer<typeof AdminContributorRefSchema>;

export const FaceStateCountsSchema = z
  .object({
    pending: z.number().int().nonnegative(),
    trusted: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
  })
  .meta({ id: 'FaceStateCounts' });
export type FaceStateCounts = z.infer<typeof FaceStateCountsSchema>;

export const DailyContributionsSchema = z
  .object({
    day,
    contributions: z.number().int().nonnegative(),
    faces: z.number().int().nonnegative(),
  })
  .meta({ id: 'DailyContributions' });
export type DailyContributions = z.infer<typeof DailyContributionsSchema>;

/** A window in days, for the charts (contributions per day, trusted faces over time). */
export const AdminDaysQuerySchema = z.strictObject({
  days: z.coerce.number().int().min(1).max(365).default(30),
});
export type AdminDaysQuery = z.infer<typeof AdminDaysQuerySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------------------------------------------

export const AdminOverviewSchema = z
  .object({
    generatedAt: isoTime,
    days: z.number().int().describe('Length of the contributionsPerDay window'),
    contributionsPerDay: z
      .array(DailyContributionsSchema)
      .describe('One entry per UTC day of the window, oldest first, days without contributions included'),
    contributionsByStatus: z.record(z.string(), z.number().int()).describe('Every contribution, by status'),
    faces: FaceStateCountsSchema,
    activeContributors: z.object({
      last7Days: z.number().int().describe('Accounts with a contribution in the last 7 days'),
      last30Days: z.number().int(),
    }),
    contributors: z.object({
      total: z.number().int(),
      suspended: z.number().int(),
      banned: z.number().int(),
      flagged: z.number().int().describe('Reputation flagged by consensus (weight 0)'),
    }),
    performers: z.object({
      total: z.number().int(),
      byConsensusState: z
        .record(z.string(), z.number().int())
        .describe('established / awaiting_agreement / conflict (per performer × model)'),
    }),
    moderation: z.object({
      open: z.number().int(),
      openByKind: z.record(z.string(), z.number().int()),
      openLinkSuggestions: z.number().int(),
    }),
    queues: z
      .array(QueueStatsSchema)
      .nullable()
      .describe('Background queue depths (as in GET /ready); null when Redis is unreachable'),
    latestIndexes: z
      .array(IndexVersionSummarySchema)
      .describe('The newest published index version of each embedding model'),
  })
  .meta({ id: 'AdminOverview' });
export type AdminOverview = z.infer<typeof AdminOverviewSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Moderation queue
// ---------------------------------------------------------------------------------------------------------------

export const ModerationKindSchema = z
  .enum([
    'closer_to_other_performer',
    'swapped_performers',
    'not_same_feedback',
    'competing_consensus',
    'anchor_disagreement',
  ])
  .meta({ id: 'ModerationKind' });
export type ModerationKind = z.infer<typeof ModerationKindSchema>;

export const ModerationStatusSchema = z
  .enum(['open', 'resolved', 'dismissed'])
  .meta({ id: 'ModerationStatus' });
export type ModerationStatus = z.infer<typeof ModerationStatusSchema>;

export const ModerationActionSchema = z
  .enum(['approve', 'reject', 'reassign', 'dismiss'])
  .describe(
    'approve: the contributions are right as credited; reject: they are wrong (their faces are rejected); reassign: they show another performer (moved to targetPerformerId); dismiss: close without effect',
  )
  .meta({ id: 'ModerationAction' });
export type ModerationAction = z.infer<typeof ModerationActionSchema>;

export const ModerationListQuerySchema = z.strictObject({
  status: ModerationStatusSchema.default('open'),
  kind: ModerationKindSchema.optional(),
  performer: z.uuid().optional().describe('Items naming this performer'),
  contributor: z.uuid().optional().describe('Items naming this contributor'),
  limit,
  cursor,
});
export type ModerationListQuery = z.infer<typeof ModerationListQuerySchema>;

export const ModerationItemSummarySchema = z
  .object({
    id: z.uuid(),
    kind: ModerationKindSchema,
    status: ModerationStatusSchema,
    blocking: z.boolean().describe('Whether the faces involved are held back until the item is resolved'),
    summary: z.string(),
    model: IndexModelRefSchema,
    performers: z.array(AdminPerformerRefSchema),
    contributionCount: z.number().int(),
    contributorCount: z.number().int(),
    sceneCount: z.number().int(),
    createdAt: isoTime,
    updatedAt: isoTime,
    resolvedAt: isoTime.nullable(),
    resolvedBy: AdminUserRefSchema.nullable(),
    resolution: z.string().nullable().describe('The action taken, and the note'),
  })
  .meta({ id: 'ModerationItemSummary' });
export type ModerationItemSummary = z.infer<typeof ModerationItemSummarySchema>;

export const ModerationListSchema = z
  .object({ items: z.array(ModerationItemSummarySchema).describe('Newest first'), nextCursor })
  .meta({ id: 'ModerationList' });
export type ModerationList = z.infer<typeof ModerationListSchema>;

/** One contribution named by a moderation item, with what the dashboard needs to judge it. */
export const ModerationContributionSchema = z
  .object({
    id: z.uuid(),
    contributor: AdminContributorRefSchema,
    performer: AdminPerformerRefSchema,
    scene: AdminSceneRefSchema,
    status: ContributionStatusSchema,
    statusReason: z.string().nullable(),
    moderation: z
      .enum(['approved', 'rejected'])
      .nullable()
      .describe('A moderator decision on this contribution, if any'),
    faces: FaceStateCountsSchema,
    distanceToConsensus: z
      .number()
      .nullable()
      .describe('Cosine distance of the contribution centre to its performer’s consensus centroid'),
    createdAt: isoTime,
  })
  .meta({ id: 'ModerationContribution' });
export type ModerationContribution = z.infer<typeof ModerationContributionSchema>;

export const ModerationPerformerSchema = AdminPerformerRefSchema.extend({
  stashIds: z.array(AdminStashIdSchema),
  consensusState: z
    .string()
    .nullable()
    .describe('established / awaiting_agreement / conflict, null when never decided'),
  trustedFaces: z.number().int(),
}).meta({ id: 'ModerationPerformer' });
export type ModerationPerformer = z.infer<typeof ModerationPerformerSchema>;

export const ModerationItemDetailSchema = ModerationItemSummarySchema.extend({
  evidence: z
    .record(z.string(), z.unknown())
    .describe('What the consensus rules measured: distances, thresholds, weights (docs/consensus.md)'),
  performers: z.array(ModerationPerformerSchema),
  contributions: z.array(ModerationContributionSchema),
  scenes: z.array(AdminSceneRefSchema),
}).meta({ id: 'ModerationItemDetail' });
export type ModerationItemDetail = z.infer<typeof ModerationItemDetailSchema>;

export const ModerationResolveRequestSchema = z
  .strictObject({
    action: ModerationActionSchema,
    targetPerformerId: z.uuid().optional().describe('reassign only: the performer the faces really show'),
    contributionIds: z
      .array(z.uuid())
      .min(1)
      .max(100)
      .optional()
      .describe('The item’s contributions the action applies to (default: all of them)'),
    note: note.optional(),
  })
  .refine((v) => v.action !== 'reassign' || v.targetPerformerId !== undefined, {
    message: 'reassign needs targetPerformerId',
    path: ['targetPerformerId'],
  })
  .meta({ id: 'ModerationResolveRequest' });
export type ModerationResolveRequest = z.infer<typeof ModerationResolveRequestSchema>;

export const ModerationResolveResultSchema = z
  .object({
    item: ModerationItemSummarySchema,
    action: ModerationActionSchema,
    contributionsAffected: z.number().int(),
    facesAffected: z.number().int(),
    contributorsUpdated: z
      .number()
      .int()
      .describe('Accounts whose moderator approvals / rejections (reputation evidence) changed'),
    performersRequeued: z.array(z.uuid()).describe('Performers queued for a new consensus decision'),
  })
  .meta({ id: 'ModerationResolveResult' });
export type ModerationResolveResult = z.infer<typeof ModerationResolveResultSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Performers and identity links
// ---------------------------------------------------------------------------------------------------------------

export const AdminPerformerListQuerySchema = z.strictObject({
  query: z.string().trim().min(1).max(200).optional().describe('Part of the name, or an exact stash-box id'),
  state: z.enum(['established', 'awaiting_agreement', 'conflict']).optional(),
  limit,
  cursor,
});
export type AdminPerformerListQuery = z.infer<typeof AdminPerformerListQuerySchema>;

export const AdminPerformerSummarySchema = AdminPerformerRefSchema.extend({
  primarySource: z.string(),
  stashIds: z.array(AdminStashIdSchema),
  consensusState: z.string().nullable(),
  trustedFaces: z.number().int().describe('Trusted faces by the latest consensus (all models)'),
  createdAt: isoTime,
}).meta({ id: 'AdminPerformerSummary' });
export type AdminPerformerSummary = z.infer<typeof AdminPerformerSummarySchema>;

export const AdminPerformerListSchema = z
  .object({ items: z.array(AdminPerformerSummarySchema).describe('By name'), nextCursor })
  .meta({ id: 'AdminPerformerList' });
export type AdminPerformerList = z.infer<typeof AdminPerformerListSchema>;

export const AdminPerformerQuerySchema = z.strictObject({
  model: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Embedding model name (default: the default index model)'),
  days: z.coerce.number().int().min(1).max(365).default(90).describe('Window of trustedOverTime'),
});
export type AdminPerformerQuery = z.infer<typeof AdminPerformerQuerySchema>;

export const DistanceHistogramSchema = z
  .object({
    bucketWidth: z.number(),
    buckets: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int().nonnegative() })),
    total: z.number().int(),
    centroidAvailable: z
      .boolean()
      .describe('False before the performer has a consensus centroid (no histogram)'),
  })
  .meta({ id: 'DistanceHistogram' });
export type DistanceHistogram = z.infer<typeof DistanceHistogramSchema>;

export const IdentityLinkStatusSchema = z
  .enum(['open', 'accepted', 'declined'])
  .meta({ id: 'IdentityLinkStatus' });
export type IdentityLinkStatus = z.infer<typeof IdentityLinkStatusSchema>;

export const IdentityLinkSuggestionSchema = z
  .object({
    id: z.uuid(),
    status: IdentityLinkStatusSchema,
    distance: z.number().describe('Cosine distance between the two trusted centroids'),
    model: IndexModelRefSchema,
    performerA: ModerationPerformerSchema,
    performerB: ModerationPerformerSchema,
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'IdentityLinkSuggestion' });
export type IdentityLinkSuggestion = z.infer<typeof IdentityLinkSuggestionSchema>;

export const AdminPerformerContributorSchema = z
  .object({
    contributor: AdminContributorRefSchema,
    contributions: z.number().int(),
    faces: FaceStateCountsSchema,
    lastContributionAt: isoTime,
  })
  .meta({ id: 'AdminPerformerContributor' });
export type AdminPerformerContributor = z.infer<typeof AdminPerformerContributorSchema>;

export const AdminPerformerDetailSchema = AdminPerformerSummarySchema.extend({
  externalUrls: z.array(z.object({ site: z.string(), url: z.string() })),
  model: IndexModelRefSchema.nullable().describe('The embedding model the figures below are for'),
  consensus: z
    .object({
      state: z.string(),
      trustedFaces: z.number().int(),
      contributorsAgreeing: z.number().int(),
      weight: z.number(),
      reason: z.string(),
      decidedAt: isoTime,
    })
    .nullable(),
  faces: FaceStateCountsSchema,
  trustedOverTime: z
    .array(z.object({ day, trusted: z.number().int() }))
    .describe('Trusted faces (as decided now) by the day they were contributed, cumulative, oldest first'),
  contributors: z
    .array(AdminPerformerContributorSchema)
    .describe('The accounts that contributed faces of this performer, most faces first (at most 100)'),
  distanceHistogram: DistanceHistogramSchema,
  linkSuggestions: z
    .array(IdentityLinkSuggestionSchema)
    .describe('Open and decided links naming this performer'),
  openModerationItems: z.number().int(),
}).meta({ id: 'AdminPerformerDetail' });
export type AdminPerformerDetail = z.infer<typeof AdminPerformerDetailSchema>;

export const IdentityLinkListQuerySchema = z.strictObject({
  status: IdentityLinkStatusSchema.default('open'),
  performer: z.uuid().optional(),
  limit,
  cursor,
});
export type IdentityLinkListQuery = z.infer<typeof IdentityLinkListQuerySchema>;

export const IdentityLinkListSchema = z
  .object({ items: z.array(IdentityLinkSuggestionSchema).describe('Nearest first'), nextCursor })
  .meta({ id: 'IdentityLinkList' });
export type IdentityLinkList = z.infer<typeof IdentityLinkListSchema>;

export const AdminNoteRequestSchema = z
  .strictObject({ note: note.optional() })
  .meta({ id: 'AdminNoteRequest' });
export type AdminNoteRequest = z.infer<typeof AdminNoteRequestSchema>;

export const IdentityLinkDecisionSchema = z
  .object({
    link: IdentityLinkSuggestionSchema,
    performersRequeued: z.array(z.uuid()),
  })
  .meta({ id: 'IdentityLinkDecision' });
export type IdentityLinkDecision = z.infer<typeof IdentityLinkDecisionSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Contributors
// ---------------------------------------------------------------------------------------------------------------

export const AdminContributorListQuerySchema = z.strictObject({
  query: z.string().trim().min(1).max(254).optional().describe('Part of the e-mail or display name'),
  status: UserStatusSchema.optional(),
  role: UserRoleSchema.optional(),
  flagged: z.enum(['true', 'false']).optional().describe('Only accounts whose reputation is (not) flagged'),
  limit,
  cursor,
});
export type AdminContributorListQuery = z.infer<typeof AdminContributorListQuerySchema>;

export const AdminContributorSummarySchema = AdminContributorRefSchema.extend({
  role: UserRoleSchema,
  trustedFaces: z.number().int(),
  disagreedFaces: z.number().int(),
  agreementRate: z
    .number()
    .nullable()
    .describe('trusted / (trusted + disagreed) faces; null before any face was decided'),
  createdAt: isoTime,
}).meta({ id: 'AdminContributorSummary' });
export type AdminContributorSummary = z.infer<typeof AdminContributorSummarySchema>;

export const AdminContributorListSchema = z
  .object({ items: z.array(AdminContributorSummarySchema).describe('Newest account first'), nextCursor })
  .meta({ id: 'AdminContributorList' });
export type AdminContributorList = z.infer<typeof AdminContributorListSchema>;

export const AdminContributorDetailSchema = AdminContributorSummarySchema.extend({
  statusChangedAt: isoTime.nullable(),
  reputationReason: z.string().nullable(),
  moderatorApproved: z.number().int(),
  moderatorRejected: z.number().int(),
  contributionsByStatus: z.record(z.string(), z.number().int()),
  faces: FaceStateCountsSchema,
  contributionsPerDay: z.array(DailyContributionsSchema).describe('Last `days` UTC days, oldest first'),
  lastContributionAt: isoTime.nullable(),
  openModerationItems: z.number().int(),
  apiKeys: z.array(ApiKeySchema),
}).meta({ id: 'AdminContributorDetail' });
export type AdminContributorDetail = z.infer<typeof AdminContributorDetailSchema>;

export const AdminContributionListQuerySchema = z.strictObject({
  status: ContributionStatusSchema.optional(),
  limit,
  cursor,
});
export type AdminContributionListQuery = z.infer<typeof AdminContributionListQuerySchema>;

export const AdminContributionSchema = z
  .object({
    id: z.uuid(),
    performer: AdminPerformerRefSchema,
    scene: AdminSceneRefSchema,
    model: IndexModelRefSchema,
    status: ContributionStatusSchema,
    statusReason: z.string().nullable(),
    faces: FaceStateCountsSchema,
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'AdminContribution' });
export type AdminContribution = z.infer<typeof AdminContributionSchema>;

export const AdminContributionListSchema = z
  .object({ items: z.array(AdminContributionSchema).describe('Newest first'), nextCursor })
  .meta({ id: 'AdminContributionList' });
export type AdminContributionList = z.infer<typeof AdminContributionListSchema>;

export const AdminReasonRequestSchema = z
  .strictObject({ reason: note.optional().describe('Why: kept in the audit log') })
  .meta({ id: 'AdminReasonRequest' });
export type AdminReasonRequest = z.infer<typeof AdminReasonRequestSchema>;

export const ContributorActionResultSchema = z
  .object({
    contributor: AdminContributorSummarySchema,
    action: z.enum(['suspend', 'ban', 'reinstate']),
    previousStatus: UserStatusSchema,
  })
  .meta({ id: 'ContributorActionResult' });
export type ContributorActionResult = z.infer<typeof ContributorActionResultSchema>;

export const PurgeRequestSchema = z
  .strictObject({ reason: note.describe('Why: kept in the audit log') })
  .meta({ id: 'PurgeRequest' });
export type PurgeRequest = z.infer<typeof PurgeRequestSchema>;

export const PurgeResultSchema = z
  .object({
    contributor: AdminContributorSummarySchema,
    withdrawnContributions: z.number().int(),
    deletedFaces: z.number().int(),
    performersRequeued: z.number().int(),
    effective: z.string().describe('When the purge reaches the published index'),
  })
  .meta({ id: 'PurgeResult' });
export type PurgeResult = z.infer<typeof PurgeResultSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Indexes
// ---------------------------------------------------------------------------------------------------------------

export const AdminIndexListQuerySchema = z.strictObject({
  model: z.string().min(1).max(256).optional(),
  limit,
  cursor,
});
export type AdminIndexListQuery = z.infer<typeof AdminIndexListQuerySchema>;

export const AdminIndexVersionSchema = IndexVersionSummarySchema.extend({
  latest: z.boolean().describe('The version GET /v1/indexes/latest serves for its model'),
  withdrawnBy: AdminUserRefSchema.nullable(),
  build: z
    .object({
      id: z.uuid(),
      full: z.boolean(),
      requestedBy: AdminUserRefSchema.nullable().describe('null: the schedule'),
      buckets: IndexFaceBucketsSchema,
      bucketPercent: IndexFaceBucketPercentSchema,
      changes: IndexChangesSchema.describe('Diff against parentVersion'),
      durationMs: z.number().int().nullable(),
    })
    .nullable()
    .describe('The build that published this version (null for versions published before build reports)'),
}).meta({ id: 'AdminIndexVersion' });
export type AdminIndexVersion = z.infer<typeof AdminIndexVersionSchema>;

export const AdminIndexVersionListSchema = z
  .object({ items: z.array(AdminIndexVersionSchema).describe('Newest first'), nextCursor })
  .meta({ id: 'AdminIndexVersionList' });
export type AdminIndexVersionList = z.infer<typeof AdminIndexVersionListSchema>;

export const IndexPublishRequestSchema = z
  .strictObject({ reason: note.optional() })
  .meta({ id: 'IndexPublishRequest' });
export type IndexPublishRequest = z.infer<typeof IndexPublishRequestSchema>;

/** Path parameter of the index routes. */
export const AdminIndexVersionParamSchema = z.object({ version: FaceIndexVersionSchema });

// ---------------------------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------------------------

export const AuditListQuerySchema = z.strictObject({
  actor: z.uuid().optional(),
  action: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('An action (moderation.resolved) or a prefix ending in a dot (moderation.)'),
  targetType: z.string().min(1).max(50).optional(),
  targetId: z.string().min(1).max(200).optional(),
  from: isoTime.optional().describe('Entries at or after this time'),
  to: isoTime.optional().describe('Entries before this time'),
  limit,
  cursor,
});
export type AuditListQuery = z.infer<typeof AuditListQuerySchema>;

export const AuditEntrySchema = z
  .object({
    id: z.string().describe('Sequence number'),
    actor: AdminUserRefSchema.nullable().describe('null: the system (CLI, start-up)'),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    createdAt: isoTime,
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditListSchema = z
  .object({ items: z.array(AuditEntrySchema).describe('Newest first'), nextCursor })
  .meta({ id: 'AuditList' });
export type AuditList = z.infer<typeof AuditListSchema>;
