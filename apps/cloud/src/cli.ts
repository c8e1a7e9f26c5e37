import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UserRoleSchema } from '@stash-sense/contracts';
import { Command, Option } from 'commander';
import { AuditModule } from './audit/audit.module.js';
import { PasswordService } from './auth/password.service.js';
import { DomainError } from './common/domain-errors.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError, parseCloudEnv } from './config/config.schema.js';
import { DatabaseModule } from './database/database.module.js';
import { applyMigrations } from './embedded/embedded-services.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersService } from './users/users.service.js';

/** Admin commands against the configured database (DATABASE_URL). No HTTP, no Redis. */
@Module({})
class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      global: true,
      imports: [DatabaseModule, AuditModule],
      providers: [{ provide: AppConfig, useValue: config }, UsersService, UsersRepository, PasswordService],
      exports: [AppConfig],
    };
  }
}

function loadConfig(): AppConfig {
  const env = parseCloudEnv(process.env);
  if (!env.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_URL: required for admin commands (the embedded database belongs to a running service)',
    ]);
  }
  return new AppConfig({
    ...env,
    DATABASE_URL: env.DATABASE_URL,
    REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
}

async function withUsers<T>(fn: (users: UsersService) => Promise<T>): Promise<T> {
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(loadConfig()), {
    logger: ['error'],
  });
  try {
    return await fn(ctx.get(UsersService));
  } finally {
    await ctx.close();
  }
}

const program = new Command('stash-sense-cloud')
  .description('Administration of the Stash Sense cloud service')
  .showHelpAfterError();

const users = program.command('users').description('Accounts');
users
  .command('create')
  .description('Create an account with any role')
  .requiredOption('--email <email>', 'e-mail address (login)')
  .addOption(new Option('--role <role>', 'role').choices(UserRoleSchema.options).default('contributor'))
  .option(
    '--password <password>',
    'password (default: $STASH_SENSE_PASSWORD, else a generated one is printed)',
  )
  .option('--name <name>', 'display name')
  .option('--if-missing', 'succeed without change when the e-mail has an account already (demo scripts)')
  .addHelpText(
    'after',
    '\nExamples:\n  npm run cloud -- users create --role admin --email admin@example.org\n' +
      "  STASH_SENSE_PASSWORD='a long password' npm run cloud -- users create --role moderator --email mod@example.org --if-missing",
  )
  .action(
    async (opts: {
      email: string;
      role: 'contributor' | 'moderator' | 'admin';
      password?: string;
      name?: string;
      ifMissing?: boolean;
    }) => {
      const generated = !opts.password && !process.env.STASH_SENSE_PASSWORD;
      const password =
        opts.password ?? process.env.STASH_SENSE_PASSWORD ?? randomBytes(18).toString('base64url');
      const { user, created } = await withUsers(async (u) => {
        const existing = opts.ifMissing ? await u.findByEmail(opts.email) : null;
        if (existing) return { user: existing, created: false };
        return {
          user: await u.create({ email: opts.email, password, role: opts.role, displayName: opts.name }),
          created: true,
        };
      });
      if (!created) {
        process.stdout.write(`exists: ${user.role} ${user.email} (id ${user.id}), left unchanged\n`);
        return;
      }
      process.stdout.write(`created ${user.role} ${user.email} (id ${user.id})\n`);
      if (generated) process.stdout.write(`password: ${password}\n(shown once: store it now)\n`);
    },
  );

users
  .command('list')
  .description('List accounts')
  .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
  .action(async (opts: { limit: number }) => {
    const page = await withUsers((u) => u.list({ limit: opts.limit }));
    for (const u of page.items)
      process.stdout.write(`${u.id}  ${u.role.padEnd(11)} ${u.status.padEnd(9)} ${u.email}\n`);
  });

program
  .command('migrate')
  .description('Apply database migrations to DATABASE_URL (same as `npm run db:migrate`)')
  .action(async () => {
    const config = loadConfig();
    await applyMigrations(config.databaseUrl);
    process.stdout.write('migrations applied\n');
  });

program.parseAsync().catch((err: unknown) => {
  const message =
    err instanceof ConfigError || err instanceof DomainError || err instanceof Error
      ? err.message
      : String(err);
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
});
