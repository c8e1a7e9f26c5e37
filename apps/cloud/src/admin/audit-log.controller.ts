import { Controller, Get, Query } from '@nestjs/common';
import { type AuditList, type AuditListQuery, AuditListQuerySchema } from '@stash-sense/contracts';
import { AuditService } from '../audit/audit.service.js';
import { Roles, Scopes } from '../auth/auth.decorators.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';

/** Who did what, when: the audit log, filterable and paged. */
@Roles('moderator', 'admin')
@Scopes('moderate')
@Controller('v1/admin/audit')
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query(new ZodValidationPipe(AuditListQuerySchema)) query: AuditListQuery): Promise<AuditList> {
    return this.audit.list(query);
  }
}
