import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum AuthErrorCode {
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  InvalidToken = 'AUTH_INVALID_TOKEN',
  RefreshReused = 'AUTH_REFRESH_REUSED',
  AccountDisabled = 'AUTH_ACCOUNT_DISABLED',
  LoginThrottled = 'AUTH_LOGIN_THROTTLED',
  NotAllowed = 'AUTH_NOT_ALLOWED',
}

export class AuthException extends HubException {
  constructor(code: AuthErrorCode, message: string, status: HttpStatus = HttpStatus.UNAUTHORIZED, headers?: Record<string, string>) {
    super(code, message, { status, headers });
  }

  static invalidToken(): AuthException {
    return new AuthException(AuthErrorCode.InvalidToken, 'the access token is missing, expired or no longer valid');
  }

  static notAllowed(what: string): AuthException {
    return new AuthException(AuthErrorCode.NotAllowed, `your role does not allow ${what}`, HttpStatus.FORBIDDEN);
  }
}
