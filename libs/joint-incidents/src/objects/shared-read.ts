import type { OrgPrincipal } from '#auth';
import { keysOf, SqlParams } from '#sharing';

export { SqlParams };

/** The shareable types of the joint workspace, as the access table and the registry name them. */
export type JointObjectType = 'joint_update' | 'joint_decision' | 'joint_observable';

/**
 * The read condition on a shared view of joint objects: a grant naming one of the caller's keys, on an object of
 * another organisation: the SQL the registry's compiled policy gives a shared subject. The joint types join the
 * registry (and this becomes `compilePolicy(ability, 'read', 'SharedJointUpdate', …)`) once `joint_incident`,
 * their container, is registered there.
 */
export function sharedReadCondition(principal: OrgPrincipal, type: JointObjectType, alias: string, params: SqlParams): string {
  const keys = params.add(keysOf(principal), 'text[]');
  return `(EXISTS (SELECT 1 FROM access a WHERE a.object_id = ${alias}.id AND a.object_type = '${type}' AND a.grantee = ANY (${keys})) AND ${alias}.org_id <> ${params.add(principal.orgId, 'uuid')})`;
}
