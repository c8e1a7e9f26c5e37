import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { JobsService } from '../jobs/jobs.service.js';
import { type ConsensusStats, HealthRepository } from './health.repository.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Prometheus metrics for GET /metrics. Values are read when scraped (queue counts from Redis, consensus
 * state from small summary tables), so every API instance reports the same cluster-wide figures; the
 * process metrics are this instance's. A registry of its own, so that several apps in one process
 * (tests) do not collide in prom-client's global registry.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private cached: { at: number; stats: Promise<ConsensusStats> } | undefined;

  constructor(
    private readonly repository: HealthRepository,
    jobs: JobsService,
  ) {
    const consensusStats = () => this.consensusStats();
    collectDefaultMetrics({ register: this.registry, prefix: 'stash_sense_' });
    new Gauge({
      name: 'stash_sense_queue_jobs',
      help: 'BullMQ jobs per queue and state (failed: kept after the last retry)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of await jobs.stats())
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, queue[state]);
      },
    });
    new Gauge({
      name: 'stash_sense_consensus_performers',
      help: 'Performer × model consensus records by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const stats = await consensusStats();
        for (const [state, count] of Object.entries(stats.performersByState)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'stash_sense_trusted_faces',
      help: 'Faces currently trusted by consensus (all models)',
      registers: [this.registry],
      async collect() {
        this.set((await consensusStats()).trustedFaces);
      },
    });
    new Gauge({
      name: 'stash_sense_moderation_open',
      help: 'Open moderation items by kind',
      labelNames: ['kind'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [kind, count] of Object.entries((await consensusStats()).openModerationByKind))
          this.set({ kind }, count);
      },
    });
    new Gauge({
      name: 'stash_sense_flagged_contributors',
      help: 'Contributors flagged by the reputation rules',
      registers: [this.registry],
      async collect() {
        this.set((await consensusStats()).flaggedContributors);
      },
    });
  }

  /** One database read per scrape, shared by the gauges that need it. */
  private consensusStats(): Promise<ConsensusStats> {
    if (!this.cached || Date.now() - this.cached.at > 1_000)
      this.cached = { at: Date.now(), stats: this.repository.consensusStats() };
    return this.cached.stats;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
