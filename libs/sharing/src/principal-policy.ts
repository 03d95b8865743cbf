import type { OrgPrincipal } from '#auth';
import { type GranteeKey, granteeKeys } from './grantees.js';
import { abilityFor, type HubAbility, type PolicyPrincipal } from './policy.js';

/**
 * The caller (a user or an API key of an organisation) as the sharing policy sees it. Every channel converts
 * its authenticated principal here: REST today, sockets and feeds next.
 */
export function policyPrincipalOf(principal: OrgPrincipal): PolicyPrincipal {
  return { orgId: principal.orgId, orgKind: principal.orgKind, userId: principal.kind === 'user' ? principal.id : null, roles: principal.roles };
}

export function abilityOf(principal: OrgPrincipal): HubAbility {
  return abilityFor(policyPrincipalOf(principal));
}

/** The grantee keys the caller holds: what its access rows may name. */
export function keysOf(principal: OrgPrincipal): GranteeKey[] {
  return granteeKeys(policyPrincipalOf(principal));
}
