import type { OrgPrincipal } from '#auth';
import { keysOf, SqlParams } from '#sharing';

export { SqlParams };

/** The shareable types of the joint workspace, as the access table names them, with the alias each query gives them. */
export const JOINT_OBJECT_ALIAS = { joint_update: 'ju', joint_decision: 'jd', joint_observable: 'jo' } as const;
export type JointObjectType = keyof typeof JOINT_OBJECT_ALIAS;

/**
 * The read condition on a shared view of joint objects: a grant naming one of the caller's keys, on an object of
 * another organisation: the SQL the registry's compiled policy gives a shared subject. Once `joint_incident`, the
 * container of these types, is in the registry, they register too and this becomes
 * `compilePolicy(abilityOf(principal), 'read', 'SharedJointUpdate', params)` (the aliases above are theirs).
 */
export function sharedReadCondition(principal: OrgPrincipal, type: JointObjectType, params: SqlParams): string {
  const alias = JOINT_OBJECT_ALIAS[type];
  return `(EXISTS (SELECT 1 FROM access a WHERE a.object_id = ${alias}.id AND a.object_type = '${type}' AND a.grantee = ANY (${params.add(keysOf(principal), 'text[]')})) AND ${alias}.org_id <> ${params.add(principal.orgId, 'uuid')})`;
}

/** The author's own rows: the SQL the registry's compiled policy gives an own subject (`JointUpdate`, …). */
export function ownReadCondition(principal: OrgPrincipal, type: JointObjectType, params: SqlParams): string {
  return `${JOINT_OBJECT_ALIAS[type]}.org_id = ${params.add(principal.orgId, 'uuid')}`;
}
