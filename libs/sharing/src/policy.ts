import { AbilityBuilder, createMongoAbility, type ForcedSubject, type MongoAbility, subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { OrgKind } from '#database';
import { granteeKeys, type Reader } from './grantees.js';

export type PolicyAction = 'read' | 'update' | 'release' | 'loosen' | 'explain';
/**
 * `Incident` and `Observable` are the owner's own records (its register); `SharedIncident` and
 * `SharedObservable` are the same rows as a recipient meets them, through a grant.
 */
export type PolicySubject = 'Incident' | 'Observable' | 'SharedIncident' | 'SharedObservable';
/** The attributes the policy's conditions read; `grantees` are the keys of the object's live grants. */
export interface PolicyAttributes {
  orgId: string;
  grantees: string[];
}
type PolicyObject = { [S in PolicySubject]: PolicyAttributes & ForcedSubject<S> }[PolicySubject];
export type HubAbility = MongoAbility<[PolicyAction, PolicySubject | PolicyObject]>;

/** The roles that change the register and release from it; viewers and read-only keys only read. */
const EDITOR_ROLES = ['admin', 'handler', 'coordinator'];

/** What a recipient reads, by allow-list: a field not named here never leaves the owner. */
export const SHARED_FIELDS: Readonly<Record<'SharedIncident' | 'SharedObservable', readonly string[]>> = {
  SharedIncident: [
    'id', 'orgId', 'title', 'summary', 'category', 'subType', 'severity', 'phase', 'impact', 'marking',
    'awareAt', 'detectedAt', 'reportedAt', 'containedAt', 'closedAt', 'version', 'createdAt', 'updatedAt',
  ],
  SharedObservable: ['id', 'incidentId', 'type', 'value', 'firstSeen', 'lastSeen', 'marking', 'pap', 'version', 'createdAt'],
};

/**
 * Internal-only fields (DESIGN section 4: internal notes, reporter identity, affected asset details, and the
 * closing report): they reach a recipient only when the release names them.
 */
export const RELEASABLE_FIELDS = ['internalNotes', 'reporter', 'affectedAssets', 'report'] as const;
export type ReleasableField = (typeof RELEASABLE_FIELDS)[number];

/** Fields a release may blank or pseudonymise instead of sending as they are. */
export const REDACTABLE_FIELDS = ['title', 'summary', 'impact', ...RELEASABLE_FIELDS] as const;
export type RedactableField = (typeof REDACTABLE_FIELDS)[number];

export interface PolicyPrincipal extends Reader {
  roles: readonly string[];
}

/**
 * The one sharing policy: what this caller may do with which objects, built from its organisation, its roles
 * and the grantee keys it holds (the releases naming it reach it through the access table, by those keys).
 * Lists compile it to SQL (`policy-sql.ts`); single objects are checked against it in memory.
 */
export function abilityFor(principal: PolicyPrincipal): HubAbility {
  const { can, build } = new AbilityBuilder<HubAbility>(createMongoAbility);
  const own = { orgId: principal.orgId };
  const editor = principal.roles.some((role) => EDITOR_ROLES.includes(role));

  can('read', ['Incident', 'Observable'], own);
  can('explain', 'Incident', own);
  if (editor) can(['update', 'release', 'loosen'], ['Incident', 'Observable'], own);

  // A recipient reads the allow-listed fields of what a grant names it for, in another organisation.
  const granted = { grantees: { $in: granteeKeys(principal) as string[] }, orgId: { $ne: principal.orgId } };
  can('read', 'SharedIncident', [...SHARED_FIELDS.SharedIncident], granted);
  can('read', 'SharedObservable', [...SHARED_FIELDS.SharedObservable], granted);
  // The coordination team may ask who else reads what was released to it by name (27035-4 coordination);
  // reading something as one of the community or the public does not open its recipient list.
  if (principal.orgKind === 'coordinator') {
    const named = granteeKeys(principal).filter((key) => key.startsWith('org:') || key.startsWith('user:')) as string[];
    can('explain', 'SharedIncident', { grantees: { $in: named }, orgId: { $ne: principal.orgId } });
  }
  return build();
}

export function allows(ability: HubAbility, action: PolicyAction, type: PolicySubject, object: Partial<PolicyAttributes> & { orgId: string }): boolean {
  return ability.can(action, asSubject(type, { grantees: [] as string[], ...object }));
}

/** The allow-listed fields this caller may read of one shared object. */
export function readableFields(ability: HubAbility, type: 'SharedIncident' | 'SharedObservable', object: PolicyAttributes): string[] {
  return permittedFieldsOf(ability, 'read', asSubject(type, { ...object }), {
    fieldsFrom: (rule) => rule.fields ?? [...SHARED_FIELDS[type]],
  }).filter((field) => SHARED_FIELDS[type].includes(field));
}

export type { OrgKind };
