import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConsensusModule } from './consensus/consensus.module.js';
import { ContributionsModule } from './contributions/contributions.module.js';
import { AppConfig } from './config/app-config.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IndexesModule } from './indexes/indexes.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { RedisModule } from './redis/redis.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Credentials never reach the logs.
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => req.url === '/health' },
            customProps: () => ({ service: 'stash-sense-cloud' }),
          },
        }),
        DatabaseModule,
        RedisModule,
        AuditModule,
        JobsModule,
        HealthModule,
        AuthModule,
        OutboxModule,
        MaintenanceModule,
        ContributionsModule,
        ConsensusModule,
        IndexesModule,
        AdminModule,
      ],
      controllers: [OpenApiController],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
