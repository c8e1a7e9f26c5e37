// The cloud's "your data" endpoints as the client uses them: GET /v1/me/contributions (paged) and
// DELETE /v1/me/contributions (withdraw everything).
import {
  type ContributionSummary,
  ContributionListSchema,
  ErrorBodySchema,
  type Withdrawal,
  WithdrawalSchema,
} from '@stash-sense/contracts';
import { type CloudClientOptions, CloudRequestError } from './cloud-client.js';
import type { CloudStatus, Outbox } from './outbox.js';

async function call(method: string, path: string, options: CloudClientOptions): Promise<unknown> {
  const url = new URL(path, options.serverUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new CloudRequestError(`cannot reach the cloud at ${url.origin}: ${(error as Error).message}`, null);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text.slice(0, 300);
    try {
      const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) detail = parsed.data.message;
    } catch {
      // not JSON
    }
    throw new CloudRequestError(`${method} ${url.pathname}: ${res.status} ${detail}`, res.status);
  }
  return JSON.parse(text);
}

export async function listMyContributions(options: CloudClientOptions): Promise<ContributionSummary[]> {
  const items: ContributionSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = ContributionListSchema.parse(
      await call('GET', `/v1/me/contributions?limit=200${cursor ? `&cursor=${cursor}` : ''}`, options),
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export async function withdrawAllContributions(options: CloudClientOptions): Promise<Withdrawal> {
  return WithdrawalSchema.parse(await call('DELETE', '/v1/me/contributions', options));
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
