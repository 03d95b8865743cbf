import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeysController, AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { KeyRings } from './key-ring.js';
import { SigningKeys } from './signing-keys.service.js';
import { TokenService } from './token.service.js';
import { PendingCheckInterceptor } from './pending-check.interceptor.js';

@Global()
@Module({
  controllers: [AuthController, ApiKeysController],
  providers: [
    KeyRings,
    SigningKeys,
    TokenService,
    PasswordHasher,
    LoginThrottle,
    AuthService,
    ApiKeysService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: PendingCheckInterceptor },
  ],
  exports: [TokenService, PasswordHasher, KeyRings],
})
export class AuthModule {}
