import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { AppConfig } from './config/app-config.js';
import { dashboardRouter } from './dashboard/dashboard-static.js';
import { buildOpenApiDocument } from './openapi/openapi.document.js';
import { UsersService } from './users/users.service.js';

/** Builds the HTTP application (shared by main.ts and the end-to-end tests). Does not listen. */
export async function createCloudApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useGlobalFilters(new HttpErrorFilter());
  // The moderation dashboard (apps/dashboard, built by the install step): static files under /admin.
  app.use('/admin', dashboardRouter());
  SwaggerModule.setup('docs', app, buildOpenApiDocument(config.publicUrl) as never, {
    raw: false,
    customSiteTitle: 'Stash Sense cloud API',
  });
  await app.get(UsersService).bootstrapAdmin(config.bootstrapAdmin);
  return app;
}
