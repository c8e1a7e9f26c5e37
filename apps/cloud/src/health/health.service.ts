import { Injectable } from '@nestjs/common';
import type { Readiness } from '@stash-sense/contracts';
import { JobsService } from '../jobs/jobs.service.js';
import { RedisService } from '../redis/redis.service.js';
import { HealthRepository } from './health.repository.js';
import { shippedMigrations } from './migrations.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();
  private readonly shipped = shippedMigrations();

  constructor(
    private readonly repository: HealthRepository,
    private readonly redis: RedisService,
    private readonly jobs: JobsService,
  ) {}

  uptimeSec(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }

  async readiness(): Promise<Readiness> {
    const [database, redis, migrations] = await Promise.all([
      this.timed(() => this.repository.ping()),
      this.redis.ping().then(
        (latencyMs) => ({ ok: true, latencyMs: Math.round(latencyMs * 10) / 10 }),
        (err: unknown) => ({ ok: false, error: `Redis: ${message(err)}` }),
      ),
      this.repository.appliedMigrations().then(
        (applied) => {
          const pending = this.shipped.filter((m) => !applied.includes(m));
          return pending.length
            ? { ok: false, pending, error: 'migrations pending: run `npm run db:migrate`' }
            : { ok: true };
        },
        (err: unknown) => ({ ok: false, error: `cannot read migrations: ${message(err)}` }),
      ),
    ]);
    const ok = database.ok && redis.ok && migrations.ok;
    const queues = redis.ok ? await this.jobs.stats().catch(() => undefined) : undefined;
    return { status: ok ? 'ready' : 'not_ready', checks: { database, redis, migrations }, queues };
  }

  private async timed(
    check: () => Promise<void>,
  ): Promise<{ ok: boolean; latencyMs?: number; error?: string }> {
    const started = performance.now();
    try {
      await check();
      return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (err) {
      return { ok: false, error: `PostgreSQL: ${message(err)}` };
    }
  }
}
