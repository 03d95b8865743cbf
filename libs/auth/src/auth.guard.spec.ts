import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import type { TokenService } from './token.service.js';

/** A context of the given transport whose handler carries no metadata (so not public either). */
function contextOf(type: string, headers: Record<string, string> = {}): ExecutionContext {
  const request: { headers: Record<string, string>; principal?: unknown } = { headers };
  return {
    getType: () => type,
    getHandler: () => function handler() {},
    getClass: () => class Controller {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('AuthGuard', () => {
  const authenticated: string[] = [];
  const tokens = {
    authenticateRequest: async (credential: string | undefined) => {
      authenticated.push(String(credential));
      return { kind: 'user', orgId: 'org', userId: 'user', roles: ['viewer'] };
    },
  } as unknown as TokenService;
  const guard = new AuthGuard(new Reflector(), tokens);

  it.each(['ws', 'rpc', 'graphql'])('fails closed for a %s context: a channel must authenticate explicitly', async (type) => {
    await expect(guard.canActivate(contextOf(type))).rejects.toThrow(/not an HTTP request/);
    expect(authenticated).toEqual([]);
  });

  it('authenticates an HTTP request through the token service', async () => {
    await expect(guard.canActivate(contextOf('http', { authorization: 'Bearer x' }))).resolves.toBe(true);
    expect(authenticated).toEqual(['Bearer x']);
  });
});
