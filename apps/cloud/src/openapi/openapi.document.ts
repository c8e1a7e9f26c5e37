import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import {
  ApiKeyListSchema,
  ContributionListQuerySchema,
  ContributionListSchema,
  ContributionReceiptSchema,
  ContributionRequestSchema,
  FeedbackReceiptSchema,
  FeedbackRequestSchema,
  WithdrawalSchema,
  ApiKeySchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  ErrorBodySchema,
  HealthSchema,
  LoginRequestSchema,
  ReadinessSchema,
  RefreshRequestSchema,
  RegisterRequestSchema,
  TokenPairSchema,
  UpdateUserRequestSchema,
  UserListQuerySchema,
  UserListSchema,
  UserSchema,
  FaceIndexVersionSchema,
  IndexBuildListSchema,
  IndexBuildRequestSchema,
  IndexJwksSchema,
  IndexReleaseSchema,
  IndexVersionListSchema,
  IndexVersionSummarySchema,
  IndexWithdrawRequestSchema,
} from '@stash-sense/contracts';
import { z } from 'zod';
import { registerAdminRoutes } from './admin-routes.js';

type Security = 'apiKey' | 'session';
const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ErrorBodySchema, description);
const errors = {
  400: error('Invalid request: `details.fields` names each offending field'),
  401: error('No or invalid credentials'),
  403: error('Wrong role or scope, or account suspended/banned'),
  429: error('Rate limited: see the Retry-After header'),
};
const security = (...kinds: Security[]) => kinds.map((k) => ({ [k]: [] }));
const uuidParam = z.object({ id: z.uuid() });

/**
 * The cloud API's OpenAPI 3.1 document, generated from the same zod contracts that validate requests.
 * Each route the service exposes is registered here; a test compares this list with Nest's routes.
 */
export function buildOpenApiDocument(serverUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key `ss_…` (also accepted as the X-Api-Key header)',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });

  registry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['health'],
    summary: 'Liveness',
    responses: { 200: json(HealthSchema, 'The process answers') },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    tags: ['health'],
    summary: 'Readiness: PostgreSQL, Redis and migrations',
    responses: { 200: json(ReadinessSchema, 'Ready'), 503: json(ReadinessSchema, 'A dependency is down') },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['health'],
    summary:
      'Prometheus metrics: queue jobs by state, consensus performers by state, trusted faces, open moderation items, flagged contributors, process figures',
    responses: {
      200: {
        description: 'Prometheus text exposition format 0.0.4',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/v1/auth/register',
    tags: ['auth'],
    summary: 'Create a contributor account',
    request: { body: { content: { 'application/json': { schema: RegisterRequestSchema } } } },
    responses: {
      201: json(UserSchema, 'Created'),
      400: errors[400],
      409: error('E-mail taken'),
      429: errors[429],
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/auth/login',
    tags: ['auth'],
    summary: 'Log in with e-mail and password',
    request: { body: { content: { 'application/json': { schema: LoginRequestSchema } } } },
    responses: {
      200: json(TokenPairSchema, 'Session tokens'),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      429: errors[429],
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/auth/refresh',
    tags: ['auth'],
    summary: 'Exchange a refresh token for a new token pair (rotation)',
    request: { body: { content: { 'application/json': { schema: RefreshRequestSchema } } } },
    responses: {
      200: json(TokenPairSchema, 'New tokens'),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      429: errors[429],
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/auth/logout',
    tags: ['auth'],
    summary: 'Revoke a refresh token',
    request: { body: { content: { 'application/json': { schema: RefreshRequestSchema } } } },
    responses: { 204: { description: 'Revoked (or unknown)' }, 400: errors[400] },
  });

  registry.registerPath({
    method: 'get',
    path: '/v1/me',
    tags: ['account'],
    summary: 'The calling account',
    security: security('session', 'apiKey'),
    responses: { 200: json(UserSchema, 'The account'), 401: errors[401], 403: errors[403] },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/me/api-keys',
    tags: ['account'],
    summary: 'Create an API key (the secret is shown once)',
    security: security('session'),
    request: { body: { content: { 'application/json': { schema: CreateApiKeyRequestSchema } } } },
    responses: { 201: json(CreatedApiKeySchema, 'Created'), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/api-keys',
    tags: ['account'],
    summary: 'List your API keys (no secrets)',
    security: security('session'),
    responses: { 200: json(ApiKeyListSchema, 'Keys'), 401: errors[401], 403: errors[403] },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/me/api-keys/{id}',
    tags: ['account'],
    summary: 'Revoke an API key; it stops working at once',
    security: security('session'),
    request: { params: uuidParam },
    responses: { 200: json(ApiKeySchema, 'Revoked'), ...errors, 404: error('No such key') },
  });

  registry.registerPath({
    method: 'get',
    path: '/v1/admin/users',
    tags: ['admin'],
    summary: 'List accounts (moderators and admins)',
    security: security('session', 'apiKey'),
    request: { query: UserListQuerySchema },
    responses: { 200: json(UserListSchema, 'A page of accounts'), ...errors },
  });
  registry.registerPath({
    method: 'patch',
    path: '/v1/admin/users/{id}',
    tags: ['admin'],
    summary: 'Suspend, ban, reactivate or change the role of an account (admins)',
    security: security('session'),
    request: {
      params: uuidParam,
      body: { content: { 'application/json': { schema: UpdateUserRequestSchema } } },
    },
    responses: { 200: json(UserSchema, 'Updated'), ...errors, 404: error('No such account') },
  });

  registry.registerPath({
    method: 'post',
    path: '/v1/contributions',
    tags: ['contributions'],
    summary: 'Contribute face embeddings for performers of a stash-box scene',
    description:
      'Embeddings only, never images. Validated (model, dimension, finite unit vectors, no duplicates, face count, timestamps), verified against the stash-box (scene exists, performers credited, a fingerprint matches → `verified`, else `unverified`; stash-box down → `pending_verification`, retried), and committed in one transaction before the answer. Resubmitting for the same scene and performer replaces the earlier contribution. The same `idempotencyKey` replays the first answer.',
    security: security('apiKey', 'session'),
    request: { body: { content: { 'application/json': { schema: ContributionRequestSchema } } } },
    responses: {
      202: json(ContributionReceiptSchema, 'Committed; consensus follows asynchronously'),
      ...errors,
      409: error('Idempotency key reused with a different body'),
      413: error('Body larger than BODY_LIMIT'),
      422: error('Scene unknown on the stash-box, or performer not credited on it'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/contributions',
    tags: ['contributions'],
    summary: 'Your contributions with their status (paged)',
    security: security('apiKey', 'session'),
    request: { query: ContributionListQuerySchema },
    responses: { 200: json(ContributionListSchema, 'A page'), ...errors },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/contributions/{id}',
    tags: ['contributions'],
    summary: 'Withdraw one contribution (its faces are deleted)',
    security: security('apiKey', 'session'),
    request: { params: uuidParam },
    responses: {
      200: json(WithdrawalSchema, 'Withdrawn'),
      ...errors,
      404: error('No such contribution of yours'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/me/contributions',
    tags: ['contributions'],
    summary: 'Withdraw everything you contributed',
    security: security('apiKey', 'session'),
    responses: { 200: json(WithdrawalSchema, 'Withdrawn'), ...errors },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/feedback',
    tags: ['contributions'],
    summary: '"This face is not that performer" (opt-in negative feedback)',
    security: security('apiKey', 'session'),
    request: { body: { content: { 'application/json': { schema: FeedbackRequestSchema } } } },
    responses: {
      201: json(FeedbackReceiptSchema, 'Stored'),
      ...errors,
      404: error('Performer unknown here'),
    },
  });

  // Published face indexes (docs/index-distribution.md): public downloads, admin builds and withdrawal.
  const versionParam = z.object({ version: FaceIndexVersionSchema });
  const fileResponses = {
    200: {
      description:
        'The file. ETag = "sha256" from the manifest; Cache-Control: public, max-age=31536000, immutable; Accept-Ranges: bytes',
      content: { 'application/octet-stream': { schema: { type: 'string' as const, format: 'binary' } } },
    },
    206: { description: 'The requested byte range (Range: bytes=first-last)' },
    304: { description: 'If-None-Match matched the ETag' },
    404: error('No such version or file'),
    416: error('Range past the end of the file (Content-Range: bytes */size)'),
  };
  registry.registerPath({
    method: 'get',
    path: '/v1/indexes',
    tags: ['indexes'],
    summary: 'Index versions, newest first (published and withdrawn)',
    request: { query: z.object({ model: z.string().optional().describe('Embedding model name') }) },
    responses: { 200: json(IndexVersionListSchema, 'Versions'), 404: error('Unknown model') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/indexes/latest',
    tags: ['indexes'],
    summary: 'The newest published version of a model (default: the model the client ships)',
    request: { query: z.object({ model: z.string().optional().describe('Embedding model name') }) },
    responses: {
      200: json(IndexReleaseSchema, 'Signed manifest and download links'),
      404: error('None yet'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/indexes/keys',
    tags: ['indexes'],
    summary: 'Public keys that sign manifests: the current one and retired ones (JWKS)',
    responses: { 200: json(IndexJwksSchema, 'Ed25519 public keys') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/indexes/{version}/manifest',
    tags: ['indexes'],
    summary: 'One version: signed manifest (compact JWS), files and delta',
    request: { params: versionParam },
    responses: { 200: json(IndexReleaseSchema, 'The release'), 404: error('No such version') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/indexes/{version}/files/{name}',
    tags: ['indexes'],
    summary: 'Download a file the manifest lists (or the delta)',
    request: { params: versionParam.extend({ name: z.string() }) },
    responses: fileResponses,
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/indexes/{version}/delta',
    tags: ['indexes'],
    summary: 'The delta from the parent version (for versions built incrementally)',
    request: { params: versionParam },
    responses: fileResponses,
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/admin/indexes/builds',
    tags: ['admin'],
    summary: 'Queue an index build per model (admins); the worker runs it',
    security: security('session', 'apiKey'),
    request: { body: { content: { 'application/json': { schema: IndexBuildRequestSchema } } } },
    responses: { 202: json(IndexBuildListSchema, 'Queued builds'), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/admin/indexes/builds',
    tags: ['admin'],
    summary: 'Build reports, newest first (admins)',
    security: security('session', 'apiKey'),
    responses: { 200: json(IndexBuildListSchema, 'Reports'), ...errors },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/admin/indexes/{version}/withdraw',
    tags: ['admin'],
    summary: 'Withdraw a version (admins): latest falls back to the previous published version',
    security: security('session', 'apiKey'),
    request: {
      params: versionParam,
      body: { content: { 'application/json': { schema: IndexWithdrawRequestSchema } } },
    },
    responses: {
      200: json(IndexVersionSummarySchema, 'Withdrawn'),
      ...errors,
      404: error('No such version'),
      409: error('Withdrawn already'),
    },
  });

  registerAdminRoutes(registry);

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Stash Sense cloud API',
      version: '0.1.0',
      description:
        'Opt-in contributions of face embeddings, consensus, and signed face indexes. Errors share one body: `{ error, message, details }`.',
    },
    servers: [{ url: serverUrl }],
  });
}
