import { z } from 'zod';

export const UserRoleSchema = z.enum(['contributor', 'moderator', 'admin']).meta({ id: 'UserRole' });
export type UserRole = z.infer<typeof UserRoleSchema>;

export const UserStatusSchema = z.enum(['active', 'suspended', 'banned']).meta({ id: 'UserStatus' });
export type UserStatus = z.infer<typeof UserStatusSchema>;

export const ApiKeyScopeSchema = z.enum(['contribute', 'read', 'moderate']).meta({ id: 'ApiKeyScope' });
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be an e-mail address' }))
  .pipe(z.string().max(254));

/** Minimum 12 characters: NIST SP 800-63B allows 8; 12 leaves margin for an internet-facing service. */
export const PASSWORD_MIN_LENGTH = 12;
const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(256);

export const RegisterRequestSchema = z
  .strictObject({
    email,
    password,
    displayName: z.string().trim().min(1).max(80).optional(),
  })
  .meta({ id: 'RegisterRequest' });
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const LoginRequestSchema = z
  .strictObject({ email, password: z.string().min(1).max(256) })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const RefreshRequestSchema = z
  .strictObject({ refreshToken: z.string().min(20).max(200) })
  .meta({ id: 'RefreshRequest' });
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
    role: UserRoleSchema,
    status: UserStatusSchema,
    reputation: z.number(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const TokenPairSchema = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string().describe('Short-lived JWT for the dashboard and the account API'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    refreshToken: z.string().describe('Single-use; exchange at /v1/auth/refresh for a new pair'),
    user: UserSchema,
  })
  .meta({ id: 'TokenPair' });
export type TokenPair = z.infer<typeof TokenPairSchema>;

export const CreateApiKeyRequestSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(80),
    scopes: z.array(ApiKeyScopeSchema).min(1).max(3),
  })
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('First characters of the key, to tell keys apart'),
    scopes: z.array(ApiKeyScopeSchema),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret key. Shown only in this response: store it now.'),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) }).meta({ id: 'ApiKeyList' });
export type ApiKeyList = z.infer<typeof ApiKeyListSchema>;

export const UpdateUserRequestSchema = z
  .strictObject({
    status: UserStatusSchema.optional(),
    role: UserRoleSchema.optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((v) => v.status !== undefined || v.role !== undefined, { message: 'give status or role' })
  .meta({ id: 'UpdateUserRequest' });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export const UserListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
  status: UserStatusSchema.optional(),
  role: UserRoleSchema.optional(),
});
export type UserListQuery = z.infer<typeof UserListQuerySchema>;

export const UserListSchema = z
  .object({ items: z.array(UserSchema), nextCursor: z.uuid().nullable() })
  .meta({ id: 'UserList' });
export type UserList = z.infer<typeof UserListSchema>;
