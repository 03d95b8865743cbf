import { granteeKeys } from './grantees.js';
import { isLoosening, isTightening, TLP_MARKINGS } from './markings.js';
import { abilityFor, allows, readableFields, SHARED_FIELDS } from './policy.js';
import { projectShared } from './projection.js';
import { RELEASE_RULES, releaseAllowed } from './release-rules.js';
import { SHAREABLE_TYPES } from './shareable-types.js';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const U = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

describe('the release rules of DESIGN section 4', () => {
  it('allow exactly the table', () => {
    const table = Object.fromEntries(TLP_MARKINGS.map((m) => [m, (['organisation', 'user', 'community', 'public'] as const).filter((k) => releaseAllowed(m, k))]));
    expect(table).toEqual({
      RED: ['user'],
      'AMBER+STRICT': ['organisation', 'user'],
      AMBER: ['organisation', 'user'],
      GREEN: ['organisation', 'user', 'community'],
      CLEAR: ['organisation', 'user', 'community', 'public'],
    });
    expect(RELEASE_RULES.RED.rule).toMatch(/named users/);
  });

  it('order markings by reach', () => {
    expect(isLoosening('RED', 'AMBER')).toBe(true);
    expect(isLoosening('AMBER', 'AMBER+STRICT')).toBe(false);
    expect(isTightening('CLEAR', 'GREEN')).toBe(true);
    expect(isTightening('GREEN', 'GREEN')).toBe(false);
  });
});

describe('grantee keys', () => {
  it('members and coordinators are the community; partners and API keys hold fewer keys', () => {
    expect(granteeKeys({ orgId: A, orgKind: 'member', userId: U })).toEqual([`org:${A}`, `user:${U}`, 'community', 'public']);
    expect(granteeKeys({ orgId: A, orgKind: 'coordinator', userId: null })).toEqual([`org:${A}`, 'community', 'public']);
    expect(granteeKeys({ orgId: A, orgKind: 'partner', userId: U })).toEqual([`org:${A}`, `user:${U}`, 'public']);
  });
});

describe('the ability', () => {
  const member = abilityFor({ orgId: A, orgKind: 'member', userId: U, roles: ['viewer'] });

  it('reads its own register, and a shared object only through a key it holds, never its own as shared', () => {
    expect(allows(member, 'read', 'Incident', { orgId: A })).toBe(true);
    expect(allows(member, 'read', 'Incident', { orgId: B })).toBe(false);
    expect(allows(member, 'read', 'SharedIncident', { orgId: B, grantees: [`org:${A}`] })).toBe(true);
    expect(allows(member, 'read', 'SharedIncident', { orgId: B, grantees: [`org:${B}`] })).toBe(false);
    expect(allows(member, 'read', 'SharedIncident', { orgId: A, grantees: ['community'] })).toBe(false);
  });

  it('lets viewers read but not change or release', () => {
    expect(allows(member, 'update', 'Incident', { orgId: A })).toBe(false);
    expect(allows(member, 'release', 'Incident', { orgId: A })).toBe(false);
    const handler = abilityFor({ orgId: A, orgKind: 'member', userId: U, roles: ['handler'] });
    expect(allows(handler, 'release', 'Incident', { orgId: A })).toBe(true);
    expect(allows(handler, 'update', 'Incident', { orgId: B })).toBe(false);
  });

  it('gives a recipient only the allow-listed fields', () => {
    const fields = readableFields(member, 'SharedIncident', { orgId: B, grantees: ['public'] });
    expect(fields).toEqual(SHARED_FIELDS.SharedIncident);
    expect(fields).not.toContain('internalNotes');
  });
});

describe('the projection', () => {
  const view = { id: 'x', title: 'Phishing at the front desk', summary: 's', internalNotes: 'n', reporter: { name: 'Ann', contact: 'ann@example.org' }, clockProfiles: ['NIS2'] };
  const plain = { releaseId: 'r1', fields: [], redact: {} };

  it('sends allow-listed fields and no internal-only field unless a grant names it', () => {
    expect(projectShared(SHAREABLE_TYPES[0], view, ['id', 'title', 'summary'], [plain])).toEqual({ id: 'x', title: view.title, summary: 's' });
    expect(projectShared(SHAREABLE_TYPES[0], view, ['id'], [{ ...plain, fields: ['reporter'] }])).toEqual({ id: 'x', reporter: view.reporter });
  });

  // Blanking and pseudonymising happen in the database (shared_incidents), where the release's key stays;
  // test/field-guard.e2e-spec.ts proves them. The projection passes on what was applied, for what it sends.
  it('lists the redactions the database applied, only for the fields it sends', () => {
    const redacted = { ...view, title: '', reporter: { name: 'pseudonym-0123456789abcdef', contact: 'pseudonym-fedcba9876543210' } };
    const grant = { ...plain, fields: ['reporter'], redact: { title: 'blank' as const, reporter: 'pseudonymise' as const } };
    const sent = projectShared(SHAREABLE_TYPES[0], redacted, ['id', 'title'], [grant], { title: 'blank', reporter: 'pseudonymise', internalNotes: 'blank' });
    expect(sent).toEqual({ id: 'x', title: '', reporter: redacted.reporter, redactions: { title: 'blank', reporter: 'pseudonymise' } });
    expect(projectShared(SHAREABLE_TYPES[0], view, ['id'], [plain], { title: 'blank' })).toEqual({ id: 'x' });
  });
});
