import type { FieldProblem } from '#common';

/** What a version asks each party to name: at least `minimum` points of contact for each duty. */
export interface RequiredContact {
  duty: string;
  minimum: number;
}

/** One point of contact a party names in its acceptance, for one duty. */
export interface NamedContact {
  duty: string;
  pointOfContactId: string;
}

/** Without a list, a version asks what DESIGN section 2 asks of every organisation: two points of contact. */
export const DEFAULT_REQUIRED_CONTACTS: readonly RequiredContact[] = Object.freeze([{ duty: 'point of contact', minimum: 2 }]);

/** Duties are compared without case or surrounding space: "Duty officer" and "duty officer " are one duty. */
export const dutyKey = (duty: string) => duty.trim().toLowerCase();

/**
 * The problems of an acceptance's named contacts against a version's requirements: each named contact must be
 * an entry of the party's own directory (`ownContactIds`) and name a duty of the version, and each duty must get
 * at least its minimum of distinct contacts. Empty means the acceptance meets them.
 */
export function contactProblems(required: readonly RequiredContact[], named: readonly NamedContact[], ownContactIds: ReadonlySet<string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const duties = new Set(required.map((r) => dutyKey(r.duty)));
  named.forEach((contact, i) => {
    if (!ownContactIds.has(contact.pointOfContactId)) {
      problems.push({
        field: `pointsOfContact[${i}].pointOfContactId`,
        rule: 'pointOfContactOfOrganisation',
        message: `pointsOfContact[${i}].pointOfContactId must name an entry of your organisation's points of contact`,
      });
    }
    if (!duties.has(dutyKey(contact.duty))) {
      problems.push({
        field: `pointsOfContact[${i}].duty`,
        rule: 'dutyOfAgreement',
        message: `pointsOfContact[${i}].duty must be one of the duties the agreement names: ${required.map((r) => r.duty).join(', ') || '(none)'}`,
      });
    }
  });
  for (const requirement of required) {
    const ids = new Set(named.filter((c) => dutyKey(c.duty) === dutyKey(requirement.duty) && ownContactIds.has(c.pointOfContactId)).map((c) => c.pointOfContactId));
    if (ids.size < requirement.minimum) {
      problems.push({
        field: 'pointsOfContact',
        rule: 'requiredContacts',
        message: `the agreement requires at least ${requirement.minimum} point(s) of contact for the duty "${requirement.duty}"; you named ${ids.size}`,
      });
    }
  }
  return problems;
}
