import type { OrgPrincipal } from '#auth';
import { SqlParams } from '#sharing';
import { jointRegisterPageSql, myJointIncidentsPageSql, sharedJointPolicy } from './joint-incidents.service.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const CURSOR_ID = '33333333-3333-4333-8333-333333333333';

const coordinator: OrgPrincipal = { kind: 'user', id: USER, orgId: ORG, orgKind: 'coordinator', roles: ['coordinator'], email: 'c@x', sessionId: 's' };
const memberUser: OrgPrincipal = { kind: 'user', id: USER, orgId: ORG, orgKind: 'member', roles: ['handler'], email: 'h@x', sessionId: 's' };
const partnerKey: OrgPrincipal = { kind: 'api_key', id: USER, orgId: ORG, orgKind: 'partner', roles: ['viewer'] };
const cursor = Buffer.from(JSON.stringify(['2026-11-25 10:00:00.123456+00', CURSOR_ID])).toString('base64url');

/** The statements that decide what a joint register page shows, committed so a change to them shows in review. */
describe('the SQL of the joint register and of my joint incidents', () => {
  it.each([
    ['the coordinator register, first page', coordinator, { limit: 50 }],
    ['the coordinator register, filtered, next page', coordinator, { limit: 20, phase: 'respond' as const, severity: 3, exercise: false, category: 'fraud', cursor }],
  ])('%s', (_name, principal, query) => {
    expect(jointRegisterPageSql(principal, query)).toMatchSnapshot();
  });

  it.each([
    ['a member user: its organisation and its own grants', memberUser, { limit: 50 }],
    ['a partner API key: its organisation only, filtered, next page', partnerKey, { limit: 10, exercise: true, updatedFrom: '2026-11-01T00:00:00Z', cursor }],
  ])('%s', (_name, principal, query) => {
    const { sql, params } = myJointIncidentsPageSql(principal, query);
    expect({ sql, params }).toMatchSnapshot();
    // One ordered branch per key the caller holds, never the community or the public (joint grants name neither).
    expect(sql.match(/FROM access a/g)).toHaveLength(principal.kind === 'user' ? 2 : 1);
    expect(params).not.toContain('community');
  });

  it('states the shared rule as compilePolicy will: a grant of the caller, never its own row', () => {
    const params = new SqlParams();
    expect({ sql: sharedJointPolicy('j', 'joint_incident', memberUser, params), params: params.values }).toMatchSnapshot();
  });
});
