import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeysController, AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { KeyRings } from './key-ring.js';
import { SigningKeys } from './signing-keys.service.js';
import { TokenService } from './token.service.js';

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
  ],
  exports: [TokenService, PasswordHasher, KeyRings],
})
export class AuthModule {}
