import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toErrorResponse } from './error-response.js';
import { ROOT_LOGGER } from './logger.js';

/** The one global filter: every error leaves the hub in the same shape. */
@Catch()
export class HubExceptionFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, headers } = toErrorResponse(error, request.id, (request.log as unknown as Logger | undefined) ?? this.logger);
    void reply.status(status).headers(headers).send(body);
  }
}
