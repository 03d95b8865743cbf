import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type HubConfig, PinoNestLogger } from '#common';
import { AppModule } from './app.module.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the hub's HTTP application; `main` listens with it, the end-to-end suites drive it with Supertest. */
export async function createApp(options: { config: HubConfig; logger: Logger; appUrl: string }): Promise<NestFastifyApplication> {
  const { config, logger } = options;
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // One log line per request, written when it ends (below), instead of Fastify's two.
    disableRequestLogging: true,
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
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    // Through Fastify's own req / res serializers: method, url, host, client address and port, status.
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Coordination hub API')
      .setDescription('Cross-organisation incident coordination (ISO/IEC 27035-4). Every call but login needs a bearer token.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await app.init();
  await fastify.ready();
  return app;
}
