import { contactProblems, DEFAULT_REQUIRED_CONTACTS } from './required-contacts.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const FOREIGN = '00000000-0000-4000-8000-00000000000f';
const own = new Set([A, B]);

describe('the points of contact an acceptance names', () => {
  it('meets the default requirement with two distinct contacts of its own', () => {
    expect(contactProblems(DEFAULT_REQUIRED_CONTACTS, [{ duty: 'point of contact', pointOfContactId: A }, { duty: 'Point of Contact ', pointOfContactId: B }], own)).toEqual([]);
  });

  it('counts one contact named twice for a duty once', () => {
    const problems = contactProblems([{ duty: 'Duty officer', minimum: 2 }], [{ duty: 'Duty officer', pointOfContactId: A }, { duty: 'duty officer', pointOfContactId: A }], own);
    expect(problems).toEqual([expect.objectContaining({ field: 'pointsOfContact', rule: 'requiredContacts', message: expect.stringContaining('you named 1') })]);
  });

  it("refuses another organisation's contact and does not count it towards the minimum", () => {
    const problems = contactProblems([{ duty: 'Legal', minimum: 1 }], [{ duty: 'Legal', pointOfContactId: FOREIGN }], own);
    expect(problems.map((p) => `${p.field} ${p.rule}`)).toEqual(['pointsOfContact[0].pointOfContactId pointOfContactOfOrganisation', 'pointsOfContact requiredContacts']);
  });

  it('refuses a duty the agreement does not name, and lets one contact serve several duties', () => {
    const required = [{ duty: 'Duty officer', minimum: 1 }, { duty: 'Legal', minimum: 1 }];
    expect(contactProblems(required, [{ duty: 'Duty officer', pointOfContactId: A }, { duty: 'Legal', pointOfContactId: A }], own)).toEqual([]);
    expect(contactProblems(required, [{ duty: 'Duty officer', pointOfContactId: A }, { duty: 'Legal', pointOfContactId: A }, { duty: 'Press', pointOfContactId: B }], own))
      .toEqual([expect.objectContaining({ field: 'pointsOfContact[2].duty', rule: 'dutyOfAgreement' })]);
  });

  it('asks nothing when the agreement requires nothing', () => {
    expect(contactProblems([], [], own)).toEqual([]);
  });
});
