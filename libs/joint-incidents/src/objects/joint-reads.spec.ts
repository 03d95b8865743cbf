import type { OrgPrincipal } from '#auth';
import { jointDecisionsSql } from '../decisions/joint-decisions.service.js';
import { passedIncidentsSql } from '../linked-incidents/linked-incidents.service.js';
import { jointObservablesSql } from '../observables/joint-observables.service.js';
import { jointContributionsSql, jointReportSql } from '../review/joint-review.service.js';
import { jointUpdatesSql } from '../updates/joint-updates.service.js';
import { checkAudienceShape } from './audience.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const JOINT = '33333333-3333-4333-8333-333333333333';
const OBJECT = '44444444-4444-4444-8444-444444444444';
const AFTER = { key: '2026-11-25 19:00:00.123456+00', id: OBJECT };

const handler = { kind: 'user', id: USER, orgId: ORG, orgKind: 'member', roles: ['handler'] } as unknown as OrgPrincipal;
const coordinator = { kind: 'user', id: USER, orgId: ORG, orgKind: 'coordinator', roles: ['coordinator'] } as unknown as OrgPrincipal;
const apiKey = { kind: 'api_key', id: OBJECT, orgId: ORG, orgKind: 'member', roles: ['viewer'] } as unknown as OrgPrincipal;

// Every statement that decides which joint objects of another organisation a caller reads, committed as a snapshot:
// a change to who reads what in a joint incident shows in review as a change of SQL.
describe.each([
  ['a participant handler', handler],
  ['the coordinator', coordinator],
  ['a participant API key', apiKey],
] as const)('the statements deciding joint reads, for %s', (_who, principal) => {
  it('updates and advisories: a page, the next page, one', () => {
    expect({
      page: jointUpdatesSql(principal, JOINT, { limit: 51 }),
      next: jointUpdatesSql(principal, JOINT, { after: AFTER, limit: 51 }),
      one: jointUpdatesSql(principal, JOINT, { id: OBJECT }),
    }).toMatchSnapshot();
  });

  it('observables and decisions', () => {
    expect({
      observables: jointObservablesSql(principal, JOINT, { after: AFTER, limit: 51 }),
      decisions: jointDecisionsSql(principal, principal.orgKind === 'coordinator' ? 'coordinator' : 'participant', JOINT, AFTER, 51),
    }).toMatchSnapshot();
  });

  it('the review: contributions (a page, the next page, one) and the joint report', () => {
    expect({
      page: jointContributionsSql(principal, JOINT, { limit: 51 }),
      next: jointContributionsSql(principal, JOINT, { after: AFTER, limit: 51 }),
      one: jointContributionsSql(principal, JOINT, { id: OBJECT }),
      report: jointReportSql(principal, JOINT),
    }).toMatchSnapshot();
  });

  it('the incidents passed on to it', () => {
    expect(passedIncidentsSql(principal, JOINT)).toMatchSnapshot();
  });
});

describe('the audience of a joint object', () => {
  const base = { marking: 'AMBER' as const, audience: 'all' as const };
  const problem = (input: Parameters<typeof checkAudienceShape>[0]) => {
    try {
      checkAudienceShape(input);
      return null;
    } catch (error) {
      const { status, details } = error as { status: number; details: { field: string; rule: string }[] };
      return { status, field: details[0].field, rule: details[0].rule };
    }
  };

  it('takes chosen participants only with audience chosen, and at least one', () => {
    expect(problem({ ...base, audience: 'chosen', audienceOrgs: [ORG] })).toBeNull();
    expect(problem({ ...base, audience: 'chosen' })).toEqual({ status: 400, field: 'audienceOrgs', rule: 'requiredForChosen' });
    expect(problem({ ...base, audience: 'chosen', audienceOrgs: [] })).toEqual({ status: 400, field: 'audienceOrgs', rule: 'requiredForChosen' });
    expect(problem({ ...base, audienceOrgs: [ORG] })).toEqual({ status: 400, field: 'audienceOrgs', rule: 'onlyForChosen' });
  });

  it('names users for RED only, and RED always names them (a rule: 422)', () => {
    expect(problem({ ...base, marking: 'RED', audienceUsers: [USER] })).toBeNull();
    expect(problem({ ...base, marking: 'RED' })).toEqual({ status: 422, field: 'audienceUsers', rule: 'markingRED' });
    expect(problem({ ...base, audienceUsers: [USER] })).toEqual({ status: 400, field: 'audienceUsers', rule: 'onlyForRed' });
  });
});
