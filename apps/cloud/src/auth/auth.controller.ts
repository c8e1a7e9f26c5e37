import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import {
  type LoginRequest,
  LoginRequestSchema,
  type RefreshRequest,
  RefreshRequestSchema,
  type RegisterRequest,
  RegisterRequestSchema,
  type TokenPair,
  type User,
} from '@stash-sense/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { AuthRateLimit, Public } from './auth.decorators.js';
import { AuthService } from './auth.service.js';

@Public()
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @AuthRateLimit()
  register(
    @Body(new ZodValidationPipe(RegisterRequestSchema)) body: RegisterRequest,
    @Ip() ip: string,
  ): Promise<User> {
    return this.auth.register(body, ip);
  }

  @Post('login')
  @HttpCode(200)
  @AuthRateLimit()
  login(
    @Body(new ZodValidationPipe(LoginRequestSchema)) body: LoginRequest,
    @Ip() ip: string,
  ): Promise<TokenPair> {
    return this.auth.login(body, ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @AuthRateLimit()
  refresh(@Body(new ZodValidationPipe(RefreshRequestSchema)) body: RefreshRequest): Promise<TokenPair> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body(new ZodValidationPipe(RefreshRequestSchema)) body: RefreshRequest): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }
}
