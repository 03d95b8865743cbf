import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, PrincipalKind, Role } from './principal.js';

export interface AccessRule {
  /** Who may call at all; by default users and API keys of an organisation, not the platform operator. */
  principals: PrincipalKind[];
  /** Any one of these roles suffices; empty means any role of the organisation. */
  roles: Role[];
}

export const ACCESS_RULE = 'hub:access-rule';
export const PUBLIC_ROUTE = 'hub:public';
export const DEFAULT_ACCESS: AccessRule = { principals: ['user', 'api_key'], roles: [] };

/** No credential needed: login, refresh, health, the OpenAPI document. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Users (or API keys) of an organisation holding one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ACCESS_RULE, { principals: ['user', 'api_key'], roles } satisfies AccessRule);

/** Signed-in users only (not API keys), any role. */
export const UsersOnly = (...roles: Role[]) => SetMetadata(ACCESS_RULE, { principals: ['user'], roles } satisfies AccessRule);

/** The platform operator only. */
export const OperatorOnly = () => SetMetadata(ACCESS_RULE, { principals: ['operator'], roles: [] } satisfies AccessRule);

/** Any authenticated caller, the platform operator included. */
export const AnyPrincipal = () =>
  SetMetadata(ACCESS_RULE, { principals: ['user', 'api_key', 'operator'], roles: [] } satisfies AccessRule);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
