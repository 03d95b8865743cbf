import { AbilityBuilder, createMongoAbility, type ForcedSubject, type MongoAbility, subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { OrgKind } from '#database';
import { granteeKeys, type Reader } from './grantees.js';
import { type OwnSubject, SHAREABLE_TYPES, shareableTypeOfSubject, type SharedSubject } from './shareable-types.js';

export type PolicyAction = 'read' | 'update' | 'release' | 'loosen' | 'explain';

/**
 * For each registered type, its own subject (the owner's records, e.g. `Incident`) and its shared subject (the
 * same rows as a recipient meets them through a grant, e.g. `SharedIncident`).
 */
export type PolicySubject = OwnSubject | SharedSubject;

/** The attributes the policy's conditions read; `grantees` are the keys of the object's live grants. */
export interface PolicyAttributes {
  orgId: string;
  grantees: string[];
}

type PolicyObject = { [S in PolicySubject]: PolicyAttributes & ForcedSubject<S> }[PolicySubject];
export type HubAbility = MongoAbility<[PolicyAction, PolicySubject | PolicyObject]>;

/** The roles that change the register and release from it; viewers and read-only keys only read. */
const EDITOR_ROLES = ['admin', 'handler', 'coordinator'];

/** What a recipient reads of each shared subject, by allow-list: a field not named here never leaves the owner. */
export const SHARED_FIELDS = Object.fromEntries(SHAREABLE_TYPES.map((t) => [t.sharedSubject, t.sharedFields])) as unknown as Readonly<
  Record<SharedSubject, readonly string[]>
>;

/** The incident's internal-only fields (DESIGN section 4), which the incident release body may name. */
export const RELEASABLE_FIELDS = SHAREABLE_TYPES[0].releasableFields;
export type ReleasableField = (typeof RELEASABLE_FIELDS)[number];
/** The incident's fields a release may blank or pseudonymise. */
export const REDACTABLE_FIELDS = SHAREABLE_TYPES[0].redactableFields;
export type RedactableField = (typeof REDACTABLE_FIELDS)[number];

export interface PolicyPrincipal extends Reader {
  roles: readonly string[];
}

/**
 * The one sharing policy: what this caller may do with which objects, built from its organisation, its roles
 * and the grantee keys it holds (the releases and derived grants naming it reach it through the access table,
 * by those keys), for every registered type alike. Lists compile it to SQL (`policy-sql.ts`); single objects are
 * checked against it in memory.
 */
export function abilityFor(principal: PolicyPrincipal): HubAbility {
  const { can, build } = new AbilityBuilder<HubAbility>(createMongoAbility);
  const own = { orgId: principal.orgId };
  const editor = principal.roles.some((role) => EDITOR_ROLES.includes(role));
  // A recipient reads the allow-listed fields of what a grant names it for, in another organisation.
  const granted = { grantees: { $in: granteeKeys(principal) as string[] }, orgId: { $ne: principal.orgId } };
  // The coordination team may ask who else reads what was released to it by name (27035-4 coordination);
  // reading something as one of the community or the public does not open its recipient list.
  const named = granteeKeys(principal).filter((key) => key.startsWith('org:') || key.startsWith('user:')) as string[];
  for (const type of SHAREABLE_TYPES) {
    can(['read', 'explain'], type.ownSubject, own);
    if (editor) can(['update', 'release', 'loosen'], type.ownSubject, own);
    can('read', type.sharedSubject, [...type.sharedFields], granted);
    if (principal.orgKind === 'coordinator') can('explain', type.sharedSubject, { grantees: { $in: named }, orgId: { $ne: principal.orgId } });
  }
  return build();
}

export function allows(ability: HubAbility, action: PolicyAction, type: PolicySubject, object: Partial<PolicyAttributes> & { orgId: string }): boolean {
  return ability.can(action, asSubject(type, { grantees: [] as string[], ...object }));
}

/** The allow-listed fields this caller may read of one shared object. */
export function readableFields(ability: HubAbility, type: SharedSubject, object: PolicyAttributes): string[] {
  const allowList = shareableTypeOfSubject(type).sharedFields;
  return permittedFieldsOf(ability, 'read', asSubject(type, { ...object }), {
    fieldsFrom: (rule) => rule.fields ?? [...allowList],
  }).filter((field) => allowList.includes(field));
}

export type { OrgKind };
