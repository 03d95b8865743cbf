import { type OrgKind, OPERATOR_CONTEXT, organisationContext, type TenantContext } from '#database';

export type Role = 'admin' | 'handler' | 'viewer' | 'coordinator';
export const ROLES: readonly Role[] = ['admin', 'handler', 'viewer', 'coordinator'];

/** Who is calling, as established by the token service on every request (HTTP or socket). */
export type Principal =
  | { kind: 'user'; id: string; orgId: string; orgKind: OrgKind; roles: Role[]; email: string; sessionId: string }
  | { kind: 'api_key'; id: string; orgId: string; orgKind: OrgKind; roles: Role[] }
  | { kind: 'operator'; id: string; email: string; sessionId: string };

export type PrincipalKind = Principal['kind'];

/** A caller that acts for an organisation: a user or an API key, not the platform operator. */
export type OrgPrincipal = Extract<Principal, { orgId: string }>;

export function tenantContextOf(principal: Principal): TenantContext {
  if (principal.kind === 'operator') return OPERATOR_CONTEXT;
  return organisationContext(principal.orgId, principal.kind === 'user' ? principal.id : null, principal.orgKind);
}

/** The caller's context for reading what others released to it: the shared views and the explanation only. */
export function sharedReadContextOf(principal: OrgPrincipal): TenantContext {
  return { ...tenantContextOf(principal), readsShared: true };
}
