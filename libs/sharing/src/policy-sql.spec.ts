import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { abilityFor, type HubAbility, type PolicyPrincipal } from './policy.js';
import { compilePolicy, PolicyCompileError, SqlParams } from './policy-sql.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';

function compiled(principal: PolicyPrincipal, action: Parameters<typeof compilePolicy>[1], subject: Parameters<typeof compilePolicy>[2]) {
  const params = new SqlParams();
  const sql = compilePolicy(abilityFor(principal), action, subject, params);
  return { sql, params: params.values };
}

const handler: PolicyPrincipal = { orgId: ORG, orgKind: 'member', userId: USER, roles: ['handler'] };
const partnerKey: PolicyPrincipal = { orgId: ORG, orgKind: 'partner', userId: null, roles: ['viewer'] };
const coordinator: PolicyPrincipal = { orgId: ORG, orgKind: 'coordinator', userId: USER, roles: ['coordinator'] };

function custom(build: (b: AbilityBuilder<HubAbility>) => void): HubAbility {
  const builder = new AbilityBuilder<HubAbility>(createMongoAbility);
  build(builder);
  return builder.build();
}

describe('the policy compiled to SQL (a change here is a change in who reads what)', () => {
  it.each([
    ['the register (a member handler reads its own incidents)', handler, 'read', 'Incident'],
    ['a member handler: what others shared with it', handler, 'read', 'SharedIncident'],
    ['a member handler: shared observables', handler, 'read', 'SharedObservable'],
    ['a partner API key: what was shared with its organisation', partnerKey, 'read', 'SharedIncident'],
    ['the coordinator: its inbox of released incidents', coordinator, 'read', 'SharedIncident'],
    ['the coordinator: explaining what was released to it', coordinator, 'explain', 'SharedIncident'],
  ] as const)('%s', (_name, principal, action, subject) => {
    expect(compiled(principal, action, subject)).toMatchSnapshot();
  });

  it('denies by default: an action with no permitting rule is false, not "no filter"', () => {
    expect(compiled(partnerKey, 'release', 'Incident')).toEqual({ sql: 'false', params: [] });
    expect(compiled(handler, 'explain', 'SharedIncident')).toEqual({ sql: 'false', params: [] });
  });

  it('an unconditional rule is true', () => {
    const params = new SqlParams();
    expect(compilePolicy(custom(({ can }) => can('read', 'Incident')), 'read', 'Incident', params)).toBe('true');
    expect(params.values).toEqual([]);
  });

  it('empty sets match nothing', () => {
    const params = new SqlParams();
    const ability = custom(({ can }) => {
      can('read', 'SharedIncident', { grantees: { $in: [] } });
      can('read', 'SharedIncident', { orgId: { $in: [] } });
    });
    expect(compilePolicy(ability, 'read', 'SharedIncident', params)).toBe('(false OR false)');
    expect(params.values).toEqual([]);
  });

  it('a cannot rule bounds the can rules before it', () => {
    const params = new SqlParams();
    const ability = custom(({ can, cannot }) => {
      can('read', 'Incident', { orgId: ORG });
      cannot('read', 'Incident', { orgId: USER });
    });
    expect(compilePolicy(ability, 'read', 'Incident', params)).toBe('(i.org_id = $1::uuid AND NOT i.org_id = $2::uuid)');
    expect(params.values).toEqual([ORG, USER]);
  });

  it('every value gets its own placeholder, numbered after the ones already in the statement', () => {
    const params = new SqlParams();
    params.add('already there');
    const sql = compilePolicy(abilityFor(handler), 'read', 'SharedIncident', params);
    expect(sql).toContain('$2::text[]');
    expect(sql).toContain('$3::uuid');
    expect(params.values).toHaveLength(3);
  });

  it('a field or operator without a SQL mapping throws instead of guessing', () => {
    const unknownField = custom(({ can }) => can('read', 'Incident', { marking: 'RED' } as never));
    expect(() => compilePolicy(unknownField, 'read', 'Incident', new SqlParams())).toThrow(PolicyCompileError);
    const unknownOperator = custom(({ can }) => can('read', 'Incident', { orgId: { $regex: 'x' } } as never));
    expect(() => compilePolicy(unknownOperator, 'read', 'Incident', new SqlParams())).toThrow(PolicyCompileError);
    const granteesByEq = custom(({ can }) => can('read', 'SharedIncident', { grantees: 'public' } as never));
    expect(() => compilePolicy(granteesByEq, 'read', 'SharedIncident', new SqlParams())).toThrow(/only with \$in/);
  });
});
