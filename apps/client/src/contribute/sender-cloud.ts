// The cloud's "your data" endpoints as the client uses them: GET /v1/me/contributions (paged) and
// DELETE /v1/me/contributions (withdraw everything).
import {
  type ContributionSummary,
  ContributionListSchema,
  type Withdrawal,
  WithdrawalSchema,
} from '@stash-sense/contracts';
import { type CloudClientOptions, cloudJson } from './cloud-client.js';
import type { CloudStatus, Outbox } from './outbox.js';

export async function listMyContributions(options: CloudClientOptions): Promise<ContributionSummary[]> {
  const items: ContributionSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = ContributionListSchema.parse(
      await cloudJson('GET', `/v1/me/contributions?limit=200${cursor ? `&cursor=${cursor}` : ''}`, options),
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export async function withdrawAllContributions(options: CloudClientOptions): Promise<Withdrawal> {
  return WithdrawalSchema.parse(await cloudJson('DELETE', '/v1/me/contributions', options));
}

/** Records the cloud's current status of every sent entry's contributions; returns how many entries changed. */
export function refreshStatuses(outbox: Outbox, summaries: readonly ContributionSummary[]): number {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  let changed = 0;
  for (const entry of outbox.entries()) {
    if (entry.state !== 'sent' || !entry.cloud.length) continue;
    const next: CloudStatus[] = entry.cloud.map((c) => {
      const s = byId.get(c.contributionId);
      return s ? { ...c, status: s.status, statusReason: s.statusReason } : c;
    });
    if (JSON.stringify(next) !== JSON.stringify(entry.cloud)) {
      outbox.recordCloud(entry.id, next);
      changed++;
    }
  }
  return changed;
}
