import type { OrgPrincipal } from '#auth';
import { abilityOf, compilePolicy, type PolicySubject, shareableType, SqlParams } from '#sharing';

export { SqlParams };

/** The shareable types of the joint workspace, as the registry names them; queries alias them as it does. */
export const JOINT_OBJECT_ALIAS = {
  joint_update: 'ju', joint_decision: 'jd', joint_observable: 'jo', joint_task: 'jt', joint_contribution: 'jc', joint_report: 'jr',
} as const;
export type JointObjectType = keyof typeof JOINT_OBJECT_ALIAS;

/** Another organisation's joint object through a grant: the one policy, compiled for the type's shared subject. */
export function sharedReadCondition(principal: OrgPrincipal, type: JointObjectType, params: SqlParams): string {
  return compilePolicy(abilityOf(principal), 'read', shareableType(type).sharedSubject as PolicySubject, params);
}

/** The author's own rows: the policy compiled for the type's own subject. */
export function ownReadCondition(principal: OrgPrincipal, type: JointObjectType, params: SqlParams): string {
  return compilePolicy(abilityOf(principal), 'read', shareableType(type).ownSubject as PolicySubject, params);
}
