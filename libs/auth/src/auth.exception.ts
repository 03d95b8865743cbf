import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum AuthErrorCode {
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  InvalidToken = 'AUTH_INVALID_TOKEN',
  RefreshReused = 'AUTH_REFRESH_REUSED',
  AccountDisabled = 'AUTH_ACCOUNT_DISABLED',
  LoginThrottled = 'AUTH_LOGIN_THROTTLED',
  NotAllowed = 'AUTH_NOT_ALLOWED',
  InvitationUnusable = 'AUTH_INVITATION_UNUSABLE',
}

export class AuthException extends HubException {
  constructor(code: AuthErrorCode, message: string, status: HttpStatus = HttpStatus.UNAUTHORIZED, headers?: Record<string, string>) {
    super(code, message, { status, headers });
  }

  static invalidToken(): AuthException {
    return new AuthException(AuthErrorCode.InvalidToken, 'the access token is missing, expired or no longer valid');
  }

  /** One answer for every invitation that cannot be used, so the invitee learns nothing about other accounts. */
  static invitationUnusable(): AuthException {
    return new AuthException(
      AuthErrorCode.InvitationUnusable,
      'this invitation cannot be used: it is unknown, expired, withdrawn or already used; ask your organisation admin for a new one',
      HttpStatus.BAD_REQUEST,
    );
  }

  static notAllowed(what: string): AuthException {
    return new AuthException(AuthErrorCode.NotAllowed, `your role does not allow ${what}`, HttpStatus.FORBIDDEN);
  }
}
