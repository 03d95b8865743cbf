import type { OrgPrincipal } from '#auth';
import { explainedObjectSql } from './access-explainer.js';
import { abilityFor, type PolicySubject } from './policy.js';
import { compilePolicy, SqlParams } from './policy-sql.js';
import { policyPrincipalOf } from './principal-policy.js';
import { SHAREABLE_TYPES } from './shareable-types.js';
import { grantsColumn, sharedCandidatesSql } from './shared-reads.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const OBJECT = '33333333-3333-4333-8333-333333333333';

const handler = { kind: 'user', id: USER, orgId: ORG, orgKind: 'member', roles: ['handler'] } as unknown as OrgPrincipal;
const coordinator = { kind: 'user', id: USER, orgId: ORG, orgKind: 'coordinator', roles: ['coordinator'] } as unknown as OrgPrincipal;
const partnerKey = { kind: 'api-key', id: OBJECT, orgId: ORG, orgKind: 'partner', roles: ['viewer'] } as unknown as OrgPrincipal;

// Every statement that decides which rows of another organisation a caller reads, per registered type, committed
// as a snapshot: a change to who reads what shows in review as a change of SQL (immich commits its access SQL).
describe.each(SHAREABLE_TYPES.map((type) => [type.type, type] as const))('the statements deciding shared reads of %s', (_name, type) => {
  it.each([
    ['a member handler', handler],
    ['the coordinator', coordinator],
    ['a partner API key', partnerKey],
  ] as const)('%s: its list, the candidates of its shared list and the grants beside each row', (_who, principal) => {
    const ability = abilityFor(policyPrincipalOf(principal));
    const own = new SqlParams();
    const shared = new SqlParams();
    expect({
      ownList: { sql: compilePolicy(ability, 'read', type.ownSubject as PolicySubject, own), values: own.values },
      sharedList: { sql: compilePolicy(ability, 'read', type.sharedSubject as PolicySubject, shared), values: shared.values },
      candidates: sharedCandidatesSql(principal, type, {}, 26),
      grants: grantsColumn(type, '$9::text[]'),
    }).toMatchSnapshot();
  });

  it.each([
    ['the owner', handler],
    ['the coordinator', coordinator],
  ] as const)('%s: which object it may ask "who reads this" about', (_who, principal) => {
    expect(explainedObjectSql(abilityFor(policyPrincipalOf(principal)), type, OBJECT)).toMatchSnapshot();
  });
});

describe('the registry', () => {
  it('names each type, subject, table alias and view once', () => {
    const names = SHAREABLE_TYPES.flatMap((t) => [t.type, t.ownSubject, t.sharedSubject, t.table, t.sharedView]);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(SHAREABLE_TYPES.map((t) => t.alias)).size).toBe(SHAREABLE_TYPES.length);
  });

  it('holds every container it names, and every redactable internal-only field is releasable', () => {
    const types = new Set(SHAREABLE_TYPES.map((t) => t.type));
    for (const type of SHAREABLE_TYPES) {
      expect(types.has(type.container.type)).toBe(true);
      expect(type.container.type === type.type).toBe(type.container.column === 'id');
      for (const field of type.releasableFields) expect(type.sharedFields).not.toContain(field);
    }
  });
});
