import { HttpException, HttpStatus } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { HubException, HubErrorCode, type FieldProblem } from './hub.exception.js';
import { bounded, MAX_LOGGED_CHARS } from './logger.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: FieldProblem[];
  requestId?: string;
  errorId?: string;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** Errors raised by Fastify itself before a handler runs (body parsing, limits), by their code. */
const fastifyErrors: Record<string, { code: HubErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: HubErrorCode.PayloadTooLarge, message: 'request body is larger than this hub accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: HubErrorCode.UnsupportedMediaType,
    message: 'request body must be sent as application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: HubErrorCode.ValidationFailed, message: 'request body is empty but declared as JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: HubErrorCode.ValidationFailed, message: 'request body is not valid JSON' },
};

/**
 * Maps any error to the one response shape. Deliberate errors keep their message; anything unexpected
 * answers 500 with an error id that is also logged with the stack, which the client never sees.
 */
export function toErrorResponse(error: unknown, requestId: string | undefined, logger: Logger): ErrorResponse {
  if (error instanceof HubException) {
    return {
      status: error.status,
      body: { statusCode: error.status, code: error.code, message: error.message, details: error.details, requestId },
      headers: error.headers ?? {},
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    // Fastify's own errors (body limit, media type) reach here mapped by Nest; give them our words.
    const message =
      status === HttpStatus.NOT_FOUND
        ? 'no such route'
        : status === HttpStatus.PAYLOAD_TOO_LARGE
          ? 'request body is larger than this hub accepts'
          : status === HttpStatus.UNSUPPORTED_MEDIA_TYPE
            ? 'request body must be sent as application/json'
            : typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? error.message);
    const code = status === HttpStatus.NOT_FOUND ? HubErrorCode.NotFound : httpCode(status);
    return { status, body: { statusCode: status, code, message, requestId }, headers: {} };
  }
  const fastifyError = error as { code?: string; statusCode?: number; message?: string } | undefined;
  const known = fastifyError?.code ? fastifyErrors[fastifyError.code] : undefined;
  if (known) {
    const status = fastifyError?.statusCode ?? 400;
    return { status, body: { statusCode: status, code: known.code, message: known.message, requestId }, headers: {} };
  }
  if (error instanceof SyntaxError && fastifyError?.statusCode === 400) {
    return {
      status: 400,
      body: { statusCode: 400, code: HubErrorCode.ValidationFailed, message: 'request body is not valid JSON', requestId },
      headers: {},
    };
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    // The router's own messages quote the request's path, which may be kilobytes long: never echo it whole.
    const message = fastifyError.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is longer than this hub accepts' : bounded(fastifyError.message ?? 'bad request');
    return { status, body: { statusCode: status, code: httpCode(status), message, requestId }, headers: {} };
  }
  const errorId = randomUUID();
  logger.error({ err: loggable(error), errorId, requestId }, 'unexpected error');
  return {
    status: 500,
    body: {
      statusCode: 500,
      code: HubErrorCode.Internal,
      message: 'the hub failed to handle this request; quote the error id when reporting it',
      errorId,
      requestId,
    },
    headers: {},
  };
}

function httpCode(status: number): string {
  switch (status) {
    case 400:
      return HubErrorCode.ValidationFailed;
    case 401:
      return HubErrorCode.Unauthenticated;
    case 403:
      return HubErrorCode.Forbidden;
    case 404:
      return HubErrorCode.NotFound;
    case 409:
      return HubErrorCode.Conflict;
    case 413:
      return HubErrorCode.PayloadTooLarge;
    case 415:
      return HubErrorCode.UnsupportedMediaType;
    case 429:
      return HubErrorCode.TooManyRequests;
    default:
      return `HTTP_${status}`;
  }
}

/**
 * What of an unexpected error goes to the log: never the SQL parameters a driver error carries
 * (they can hold password hashes and token digests), only its kind, message, code and stack, the message cut
 * to a bounded length (it may quote input).
 */
function loggable(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: bounded(String(error)) };
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  const message = bounded(error.message);
  const stack = message === error.message ? error.stack : error.stack?.replace(error.message, message);
  return { type: error.name, message, code, constraint, stack: bounded(stack, 8 * MAX_LOGGED_CHARS) };
}
