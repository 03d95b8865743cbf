import { HttpStatus } from '@nestjs/common';

/** One field-level problem in a request: which field, which rule, and what to do about it. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export enum HubErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Internal = 'INTERNAL',
}

const statusOf: Record<HubErrorCode, HttpStatus> = {
  [HubErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [HubErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [HubErrorCode.Conflict]: HttpStatus.CONFLICT,
  [HubErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [HubErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [HubErrorCode.TooManyRequests]: HttpStatus.TOO_MANY_REQUESTS,
  [HubErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [HubErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [HubErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The base of every error the hub answers on purpose. Its message is meant for the user;
 * modules subclass it with their own code where a client needs to tell cases apart.
 */
export class HubException extends Error {
  readonly status: HttpStatus;

  constructor(
    readonly code: HubErrorCode | string,
    message: string,
    options: { status?: HttpStatus; details?: FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HubException';
    this.status = options.status ?? statusOf[code as HubErrorCode] ?? HttpStatus.BAD_REQUEST;
    this.details = options.details;
    this.headers = options.headers;
  }

  readonly details?: FieldProblem[];
  readonly headers?: Record<string, string>;

  /** "Not permitted" and "does not exist" answer alike, so ids leak nothing. */
  static notFound(what: string): HubException {
    return new HubException(HubErrorCode.NotFound, `${what} not found`);
  }

  static invalid(field: string, rule: string, message: string): HubException {
    return new HubException(HubErrorCode.ValidationFailed, message, { details: [{ field, rule, message }] });
  }
}
