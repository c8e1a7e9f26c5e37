import { Controller, Get, Res } from '@nestjs/common';
import type { Health, Readiness } from '@stash-sense/contracts';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';

@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process answers. Never touches dependencies. */
  @Get('health')
  live(): Health {
    return { status: 'ok', uptimeSec: this.health.uptimeSec() };
  }

  /** Readiness: PostgreSQL and Redis reachable and every shipped migration applied; 503 otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (readiness.status !== 'ready') res.status(503);
    return readiness;
  }
}
