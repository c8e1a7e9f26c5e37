import type { ApiKeyScope, UserRole } from '@stash-sense/contracts';

/** Scopes each role may hold: moderation is for moderators and admins only. */
export const SCOPES_OF_ROLE: Record<UserRole, readonly ApiKeyScope[]> = {
  contributor: ['contribute', 'read'],
  moderator: ['contribute', 'read', 'moderate'],
  admin: ['contribute', 'read', 'moderate'],
};
