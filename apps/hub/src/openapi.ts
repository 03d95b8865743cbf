import type { Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME, describeAccess } from '#auth';

/** `IncidentsController.changePhase` → `incidents_changePhase`: unique, and readable as a generated method name. */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const controller = controllerKey.replace(/Controller$/, '');
  return `${controller.charAt(0).toLowerCase()}${controller.slice(1)}_${methodKey}`;
}

/**
 * The hub's OpenAPI document as a client generator needs it: every operation with its summary, its
 * response types and errors (described beside each library's views), and the security its access rule enforces.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Coordination hub API')
    .setDescription(
      'Cross-organisation incident coordination (ISO/IEC 27035-4). Every call but login, refresh and the health probes ' +
        'needs a credential: an access token from login, or, where an operation lists it, an API key. ' +
        'Every error answers with the one `Error` shape.',
    )
    .setVersion('1')
    .addServer('/', 'This hub')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /api/v1/auth/login. An API key also works here (`Bearer hubk.…`) where the operation accepts API keys.' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: "An organisation's API key (handler or viewer roles, never admin)." }, API_KEY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: operationIdOf });

  const handlers = new Map<string, { controller: Type<unknown>; method: string }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        if (method !== 'constructor') handlers.set(operationIdOf(controller.name, method), { controller, method });
      }
    }
  }
  describeAccess(document, (operationId) => handlers.get(operationId));
  return document;
}
