import type { OrgPrincipal } from '#auth';
import { abilityFor, type GranteeKey, granteeKeys, type HubAbility, type PolicyPrincipal } from '#sharing';

/** The caller of this request (a user or an API key of an organisation) as the sharing policy sees it. */
function policyPrincipalOf(principal: OrgPrincipal): PolicyPrincipal {
  return { orgId: principal.orgId, orgKind: principal.orgKind, userId: principal.kind === 'user' ? principal.id : null, roles: principal.roles };
}

export function abilityOf(principal: OrgPrincipal): HubAbility {
  return abilityFor(policyPrincipalOf(principal));
}

/** The grantee keys the caller holds: what its access rows may name. */
export function keysOf(principal: OrgPrincipal): GranteeKey[] {
  return granteeKeys(policyPrincipalOf(principal));
}
