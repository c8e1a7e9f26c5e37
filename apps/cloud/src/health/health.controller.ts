import { Controller, Get, Res } from '@nestjs/common';
import type { Health, Readiness } from '@stash-sense/contracts';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';
import { MetricsService } from './metrics.service.js';

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metricsService: MetricsService,
  ) {}

  /** Liveness: the process answers. Never touches dependencies. */
  @Get('health')
  live(): Health {
    return { status: 'ok', uptimeSec: this.health.uptimeSec() };
  }

  /** Prometheus metrics: queue depths and failures, consensus state, moderation backlog, process figures. */
  @Get('metrics')
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.setHeader('Content-Type', this.metricsService.registry.contentType);
    return this.metricsService.metrics();
  }

  /** Readiness: PostgreSQL and Redis reachable and every shipped migration applied; 503 otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (readiness.status !== 'ready') res.status(503);
    return readiness;
  }
}
