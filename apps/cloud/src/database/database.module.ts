import { Global, Module } from '@nestjs/common';
import { PgPoolService } from './pg-pool.service.js';
import { PrismaService } from './prisma.service.js';

@Global()
@Module({ providers: [PgPoolService, PrismaService], exports: [PgPoolService, PrismaService] })
export class DatabaseModule {}
