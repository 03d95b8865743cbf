import type { OrgPrincipal } from '#auth';
import { granteeKeys, SqlParams } from '#sharing';

export { SqlParams };

/** The shareable types of the joint workspace, as the access table and the registry name them. */
export type JointObjectType = 'joint_update' | 'joint_decision' | 'joint_observable';

/**
 * The read condition on a shared view of joint objects: a grant naming one of the caller's keys, on an object of
 * another organisation. The same SQL the registry's compiled policy gives for the shared subjects.
 */
export function sharedReadCondition(principal: OrgPrincipal, type: JointObjectType, alias: string, params: SqlParams): string {
  const keys = params.add(granteeKeys({ orgId: principal.orgId, orgKind: principal.orgKind, userId: principal.kind === 'user' ? principal.id : null }), 'text[]');
  return `(EXISTS (SELECT 1 FROM access a WHERE a.object_id = ${alias}.id AND a.object_type = '${type}' AND a.grantee = ANY (${keys})) AND ${alias}.org_id <> ${params.add(principal.orgId, 'uuid')})`;
}
