import type { LoggerService } from '@nestjs/common';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { LogLevel } from './hub-config.js';

/** Paths never written to the log: credentials and tokens, wherever they appear. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'password',
  '*.password',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'databaseUrl',
  'migrationDatabaseUrl',
  'keyEncryptionKey',
  '*.keyEncryptionKey',
];

/**
 * The longest string a log line carries for one value: a URL, a message or a field beyond it is cut, so a
 * client cannot make the hub write (or a log pipeline store) kilobytes per request.
 */
export const MAX_LOGGED_CHARS = 512;

/** A stack trace may run longer: its frames are what makes it useful. */
const MAX_TRACE_CHARS = 8 * MAX_LOGGED_CHARS;

/** A string cut to the bound, saying how long it was; anything else as it is. */
export function bounded<T>(value: T, max = MAX_LOGGED_CHARS): T | string {
  if (typeof value !== 'string' || value.length <= max) return value;
  return `${value.slice(0, max)}…[${value.length} chars]`;
}

/** Cuts the strings of a log object, a few levels deep (the depth our own log calls use). */
function boundedObject(value: unknown, depth = 3): unknown {
  if (typeof value === 'string') return bounded(value);
  if (depth === 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => boundedObject(item, depth - 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === 'trace' ? bounded(item, MAX_TRACE_CHARS) : boundedObject(item, depth - 1)]),
  );
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/** A request as the log shows it: method, the URL cut to the bound, and the peer. */
function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: bounded(request.url),
    host: bounded(request.host ?? request.hostname),
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * An error as the log shows it. A client error (a 4xx, such as an over-long URL) is the client's doing, not a
 * fault of the hub: its kind, code, status and cut message, no stack. Anything else keeps its stack.
 */
function serializeError(error: unknown) {
  if (!(error instanceof Error)) return boundedObject(error);
  const { code, statusCode, constraint } = error as { code?: unknown; statusCode?: unknown; constraint?: unknown };
  const message = bounded(error.message);
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { type: error.name, message, code, statusCode };
  }
  const stack = error.stack && message !== error.message ? error.stack.replace(error.message, String(message)) : error.stack;
  return { type: error.name, message, code, statusCode, constraint, stack: bounded(stack, MAX_TRACE_CHARS) };
}

export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'hub' },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { req: serializeRequest, err: serializeError },
    formatters: { log: (object) => boundedObject(object, 4) as Record<string, unknown> },
    hooks: {
      // The message too: Fastify logs a client error with its message, which may quote the whole URL.
      logMethod(args, method) {
        method.apply(this, args.map((arg) => bounded(arg)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Lets Nest's own messages go through the same structured logger as requests. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  /** Nest's routine start-up chatter is debug detail, not operational news. */
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
