import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/auth.decorators.js';
import { AppConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from './openapi.document.js';

@Public()
@Controller()
export class OpenApiController {
  private readonly document: ReturnType<typeof buildOpenApiDocument>;

  constructor(config: AppConfig) {
    this.document = buildOpenApiDocument(config.publicUrl);
  }

  @Get('openapi.json')
  openapi() {
    return this.document;
  }
}
