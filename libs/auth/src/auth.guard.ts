import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ACCESS_RULE, type AccessRule, DEFAULT_ACCESS, PUBLIC_ROUTE } from './access.decorators.js';
import { AuthException } from './auth.exception.js';
import type { Principal } from './principal.js';
import { TokenService } from './token.service.js';

/**
 * Global guard: every route needs a credential unless marked public, and the caller's kind and roles
 * must match the route's rule. Authentication itself is the token service's, shared with sockets.
 * It knows how to read a credential from HTTP only, so any other context (a socket gateway, a
 * microservice handler) is refused: such a channel authenticates explicitly, or nothing passes.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      throw new Error(
        `AuthGuard refuses a '${context.getType()}' context: it is not an HTTP request, so the channel must authenticate ` +
          'explicitly (TokenService.authenticate) before it reaches a handler',
      );
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const rule = this.reflector.getAllAndOverride<AccessRule>(ACCESS_RULE, targets) ?? DEFAULT_ACCESS;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const header = request.headers.authorization ?? (request.headers['x-api-key'] as string | undefined);
    // A refusal is only ever decided on a confirmed principal: an assumed one that the rule refuses (its roles
    // may have grown since) is confirmed first, by the full check.
    const principal = await this.tokens.authenticateRequest(header, (assumed) => allows(rule, assumed));
    if (!allows(rule, principal)) throw AuthException.notAllowed('this action');
    request.principal = principal;
    return true;
  }
}

function allows(rule: AccessRule, principal: Principal): boolean {
  if (!rule.principals.includes(principal.kind)) return false;
  if (rule.roles.length === 0) return true;
  const roles = principal.kind === 'operator' ? [] : principal.roles;
  return rule.roles.some((role) => roles.includes(role));
}
