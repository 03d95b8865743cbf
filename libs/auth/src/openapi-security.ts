import type { Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ACCESS_RULE, type AccessRule, DEFAULT_ACCESS, PUBLIC_ROUTE } from './access.decorators.js';

/** Security scheme names in the OpenAPI document. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * Writes each operation's `security` from the access rule the guard enforces on its handler, so the
 * document cannot promise less (or more) than the hub checks: public routes get `security: []`, routes that
 * API keys may call list the `x-api-key` header beside the bearer token, the others the bearer token only.
 * `handlerOf` maps an operationId back to its controller and method.
 */
export function describeAccess(document: OpenAPIObject, handlerOf: (operationId: string) => { controller: Type<unknown>; method: string } | undefined): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const verb of HTTP_METHODS) {
      const operation = item[verb];
      if (!operation) continue;
      const handler = operation.operationId ? handlerOf(operation.operationId) : undefined;
      if (!handler) throw new Error(`OpenAPI: no handler found for ${verb.toUpperCase()} ${path} (${operation.operationId ?? 'no operationId'})`);
      const targets = [(handler.controller.prototype as Record<string, object>)[handler.method], handler.controller];
      // The guard's own precedence (Reflector.getAllAndOverride): the method's metadata, then the controller's.
      const publicRoute = targets.map((t) => Reflect.getMetadata(PUBLIC_ROUTE, t) as boolean | undefined).find((v) => v !== undefined);
      const rule = targets.map((t) => Reflect.getMetadata(ACCESS_RULE, t) as AccessRule | undefined).find((v) => v !== undefined) ?? DEFAULT_ACCESS;
      operation.security = publicRoute
        ? []
        : rule.principals.includes('api_key')
          ? [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }]
          : [{ [BEARER_SCHEME]: [] }];
    }
  }
}
