import type { User } from '@stash-sense/contracts';
import type { UserRow } from './users.repository.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    status: row.status,
    reputation: row.reputation,
    createdAt: row.createdAt.toISOString(),
  };
}
