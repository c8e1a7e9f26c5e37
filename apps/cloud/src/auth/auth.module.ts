import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeysController } from '../api-keys/api-keys.controller.js';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { UsersController } from '../users/users.controller.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AccessGuard } from './guards/access.guard.js';
import { AuthenticationGuard } from './guards/authentication.guard.js';
import { PasswordService } from './password.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { ApiKeyStrategy } from './strategies/api-key.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { TokenService } from './token.service.js';

/** Accounts, sessions, API keys and the global guards (rate limit → authentication → access), in that order. */
@Module({
  imports: [PassportModule],
  controllers: [AuthController, ApiKeysController, UsersController],
  providers: [
    AuthService,
    PasswordService,
    TokenService,
    RefreshTokensRepository,
    ApiKeysService,
    ApiKeysRepository,
    UsersService,
    UsersRepository,
    ApiKeyStrategy,
    JwtStrategy,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [UsersService, ApiKeysService],
})
export class AuthModule {}
