import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type HubConfig, PinoNestLogger, toErrorResponse } from '#common';
import { inRequestScope, TenantDatabase } from '#database';
import { AppModule } from './app.module.js';
import { type HubMetrics, installMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the hub's HTTP application; `main` listens with it, the end-to-end suites drive it with Supertest. */
export async function createApp(options: { config: HubConfig; logger: Logger; appUrl: string }): Promise<NestFastifyApplication> {
  const { config, logger } = options;
  // Set below when the operators configured metrics; the router's refusals skip Fastify's hooks, so they count here.
  let metrics: HubMetrics | undefined;
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // The router refuses a malformed URL (400) or an over-long path segment (414) before Nest sees the
    // request: answer those in the hub's one error shape too, which never echoes the whole URL back.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      request.log.info({ err: error }, 'request refused by the router');
      const { status, body, headers } = toErrorResponse(error, request.id, request.log as unknown as Logger);
      void reply.status(status).headers(headers).send(body);
      metrics?.observe(request, reply);
    },
    // One log line per request, written when it ends (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // A caller's request id is kept when it is sane, so one id follows a request across systems.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Each request runs in a scope of its own, where the guard can hand the principal check to its first read.
  fastify.addHook('onRequest', (_request, _reply, done) => inRequestScope(done));
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    // Through Fastify's own req / res serializers: method, url, host, client address and port, status.
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });
  // Operators' metrics, only when they configured a token for them (docs/operations.md, "Metrics").
  if (config.metricsToken) metrics = installMetrics(fastify, { token: config.metricsToken, database: app.get(TenantDatabase), logger });
  app.enableShutdownHooks();

  // The document maps every route and error: served unless API_DOCS=off (the default in production).
  if (config.apiDocs) SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
  await app.init();
  await fastify.ready();
  return app;
}
