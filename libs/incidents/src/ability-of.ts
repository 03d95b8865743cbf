import type { OrgPrincipal } from '#auth';
import { abilityFor, type HubAbility } from '#sharing';

/** The sharing policy's ability for the caller of this request (a user or an API key of an organisation). */
export function abilityOf(principal: OrgPrincipal): HubAbility {
  return abilityFor({ orgId: principal.orgId, orgKind: principal.orgKind, userId: principal.kind === 'user' ? principal.id : null, roles: principal.roles });
}
