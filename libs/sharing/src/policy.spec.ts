import { granteeKeys } from './grantees.js';
import { isLoosening, isTightening, TLP_MARKINGS } from './markings.js';
import { abilityFor, allows, readableFields, SHARED_FIELDS } from './policy.js';
import { projectShared } from './projection.js';
import { RELEASE_RULES, releaseAllowed } from './release-rules.js';

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
  const plain = { releaseId: 'r1', fields: [], redact: {}, pseudonymKey: Buffer.alloc(32, 1) };

  it('sends allow-listed fields and no internal-only field unless a grant names it', () => {
    expect(projectShared(view, ['id', 'title', 'summary'], [plain])).toEqual({ id: 'x', title: view.title, summary: 's' });
    expect(projectShared(view, ['id'], [{ ...plain, fields: ['reporter'] }])).toEqual({ id: 'x', reporter: view.reporter });
  });

  it('blanks or pseudonymises what every covering grant redacts, stably per release', () => {
    const redacted = projectShared(view, ['id', 'title'], [{ ...plain, fields: ['reporter'], redact: { title: 'blank', reporter: 'pseudonymise' } }]);
    expect(redacted.title).toBe('');
    expect((redacted.reporter as { name: string }).name).toMatch(/^pseudonym-[0-9a-f]{16}$/);
    expect(redacted.redactions).toEqual({ title: 'blank', reporter: 'pseudonymise' });
    const again = projectShared(view, ['id'], [{ ...plain, fields: ['reporter'], redact: { reporter: 'pseudonymise' } }]);
    expect(again.reporter).toEqual(redacted.reporter);
    const other = projectShared(view, ['id'], [{ ...plain, pseudonymKey: Buffer.alloc(32, 2), fields: ['reporter'], redact: { reporter: 'pseudonymise' } }]);
    expect(other.reporter).not.toEqual(redacted.reporter);
  });

  it('sends a field as it is when any grant covering it does', () => {
    const both = projectShared(view, ['title'], [{ ...plain, redact: { title: 'blank' } }, { ...plain, releaseId: 'r2' }]);
    expect(both).toEqual({ title: view.title });
  });
});
