import { seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The not-permitted-equals-missing matrix for every endpoint issue 10 added (agreements, joint incidents and
 * everything inside them, the onward pass, the incident's checkpoints), in the style of sharing-matrix.e2e-spec.ts:
 * every reader the policy does not permit, in every situation below, gets exactly the answer a random missing id
 * gets (status and the whole body, ids and the request id aside), and the object appears in none of its lists.
 * A last test reads the OpenAPI document and fails when a route under these prefixes is not in the matrix.
 */
const MISSING = '00000000-0000-4000-8000-00000000abcd';
const COORD = 'national-csirt';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
/** The ids a call may carry. The hidden ones are swapped for MISSING; `me` (the caller's organisation) and `party` (a real organisation) never are. */
interface Ids {
  joint: string;
  update: string;
  task: string;
  incident: string;
  agreement: string;
  me: string;
  party: string;
  contact: string;
}
type Hidden = 'joint' | 'update' | 'task' | 'incident' | 'agreement';
interface Call {
  /** The operation as the OpenAPI document names it: `GET /api/v1/joint-incidents/{id}`. */
  route: string;
  path: (x: Ids) => string;
  body?: (x: Ids) => Record<string, unknown>;
}
const call = (route: string, path: (x: Ids) => string, body?: (x: Ids) => Record<string, unknown>): Call => ({ route, path, body });
const J = '/api/v1/joint-incidents';
const ACTION_BODY = { kind: 'control', title: 'matrix action', dueOn: '2030-01-31', marking: 'AMBER' };

/** Every route inside a joint incident, and the passed-on incident's own new routes (its passes, its checkpoints). */
const JOINT_CALLS: Call[] = [
  call('GET /api/v1/joint-incidents/{id}', (x) => `${J}/${x.joint}`),
  call('PATCH /api/v1/joint-incidents/{id}', (x) => `${J}/${x.joint}`, () => ({ version: 1, title: 'changed' })),
  call('POST /api/v1/joint-incidents/{id}/phase', (x) => `${J}/${x.joint}/phase`, () => ({ version: 1, phase: 'assess_decide', reason: 'r' })),
  call('POST /api/v1/joint-incidents/{id}/participants', (x) => `${J}/${x.joint}/participants`, (x) => ({ organisationId: x.party, role: 'observer' })),
  call('GET /api/v1/joint-incidents/{id}/participants', (x) => `${J}/${x.joint}/participants`),
  call('POST /api/v1/joint-incidents/{id}/participants/{orgId}/accept', (x) => `${J}/${x.joint}/participants/${x.me}/accept`, (x) => ({ pointsOfContact: [x.contact] })),
  call('POST /api/v1/joint-incidents/{id}/participants/{orgId}/decline', (x) => `${J}/${x.joint}/participants/${x.me}/decline`, () => ({ reason: 'not us' })),
  call('DELETE /api/v1/joint-incidents/{id}/participants/{orgId}', (x) => `${J}/${x.joint}/participants/${x.party}`, () => ({ reason: 'r' })),
  call('POST /api/v1/joint-incidents/{id}/linked-incidents', (x) => `${J}/${x.joint}/linked-incidents`, (x) => ({ incidentId: x.incident, passOn: true })),
  call('GET /api/v1/joint-incidents/{id}/linked-incidents', (x) => `${J}/${x.joint}/linked-incidents`),
  call('DELETE /api/v1/joint-incidents/{id}/linked-incidents/{incidentId}', (x) => `${J}/${x.joint}/linked-incidents/${x.incident}?reason=r`),
  call('POST /api/v1/joint-incidents/{id}/updates', (x) => `${J}/${x.joint}/updates`, () => ({ kind: 'update', title: 't', body: 'b', marking: 'AMBER', audience: 'all' })),
  call('GET /api/v1/joint-incidents/{id}/updates', (x) => `${J}/${x.joint}/updates`),
  call('GET /api/v1/joint-incidents/{id}/updates/{updateId}', (x) => `${J}/${x.joint}/updates/${x.update}`),
  call('POST /api/v1/joint-incidents/{id}/decisions', (x) => `${J}/${x.joint}/decisions`, () => ({ decision: 'd', rationale: 'r' })),
  call('GET /api/v1/joint-incidents/{id}/decisions', (x) => `${J}/${x.joint}/decisions`),
  call('POST /api/v1/joint-incidents/{id}/observables', (x) => `${J}/${x.joint}/observables`, () => ({ type: 'domain', value: 'matrix.example', marking: 'AMBER' })),
  call('GET /api/v1/joint-incidents/{id}/observables', (x) => `${J}/${x.joint}/observables`),
  call('POST /api/v1/joint-incidents/{id}/tasks', (x) => `${J}/${x.joint}/tasks`, (x) => ({
    assignee: x.party,
    title: 't',
    marking: 'AMBER',
    priority: 'low',
    dueAt: '2027-03-15T09:00',
    dueTimeZone: 'Europe/Berlin',
  })),
  call('GET /api/v1/joint-incidents/{id}/tasks', (x) => `${J}/${x.joint}/tasks`),
  call('GET /api/v1/joint-incidents/{id}/tasks/{taskId}', (x) => `${J}/${x.joint}/tasks/${x.task}`),
  ...(['accept', 'decline', 'start', 'done', 'cancel'] as const).map((move) =>
    call(`POST /api/v1/joint-incidents/{id}/tasks/{taskId}/${move}`, (x) => `${J}/${x.joint}/tasks/${x.task}/${move}`, () => ({ version: 1, reason: 'r', outcome: 'o' })),
  ),
  call('POST /api/v1/joint-incidents/{id}/tasks/{taskId}/reassign', (x) => `${J}/${x.joint}/tasks/${x.task}/reassign`, (x) => ({ version: 1, assignee: x.party, reason: 'r' })),
  // The lessons-learned review (a contribution by id: the update's id stands in for one, hidden like it).
  call('PUT /api/v1/joint-incidents/{id}/contribution', (x) => `${J}/${x.joint}/contribution`, () => ({ whatHappened: 'w', marking: 'AMBER', audience: 'all' })),
  call('PATCH /api/v1/joint-incidents/{id}/contribution', (x) => `${J}/${x.joint}/contribution`, () => ({ audience: 'all', version: 1 })),
  call('GET /api/v1/joint-incidents/{id}/contributions', (x) => `${J}/${x.joint}/contributions`),
  call('GET /api/v1/joint-incidents/{id}/contributions/{contributionId}', (x) => `${J}/${x.joint}/contributions/${x.update}`),
  call('PUT /api/v1/joint-incidents/{id}/report', (x) => `${J}/${x.joint}/report`, () => ({ summary: 's', marking: 'AMBER' })),
  call('GET /api/v1/joint-incidents/{id}/report', (x) => `${J}/${x.joint}/report`),
  call('POST /api/v1/joint-incidents/{id}/report/publish', (x) => `${J}/${x.joint}/report/publish`, () => ({ version: 1 })),
  call('GET /api/v1/joint-incidents/{id}/log', (x) => `${J}/${x.joint}/log`),
  call('GET /api/v1/joint-incidents/{id}/log/verify', (x) => `${J}/${x.joint}/log/verify`),
  call('POST /api/v1/joint-incidents/{id}/log/checkpoints', (x) => `${J}/${x.joint}/log/checkpoints`),
  call('GET /api/v1/joint-incidents/{id}/log/checkpoints', (x) => `${J}/${x.joint}/log/checkpoints`),
  call('GET /api/v1/joint-incidents/{id}/access', (x) => `${J}/${x.joint}/access`),
  call('POST /api/v1/joint-incidents/{id}/actions', (x) => `${J}/${x.joint}/actions`, () => ACTION_BODY),
  call('GET /api/v1/joint-incidents/{id}/actions', (x) => `${J}/${x.joint}/actions`),
  call('POST /api/v1/incidents/{id}/actions', (x) => `/api/v1/incidents/${x.incident}/actions`, () => ACTION_BODY),
  call('GET /api/v1/incidents/{id}/passes', (x) => `/api/v1/incidents/${x.incident}/passes`),
  call('GET /api/v1/incidents/{id}/log/checkpoints', (x) => `/api/v1/incidents/${x.incident}/log/checkpoints`),
  call('POST /api/v1/incidents/{id}/log/checkpoints', (x) => `/api/v1/incidents/${x.incident}/log/checkpoints`),
];

/** A member's incident the coordinator was never given: everything that names it by id. */
const INCIDENT_CALLS: Call[] = [
  call('POST /api/v1/joint-incidents', () => J, (x) => ({ title: 'escalated', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER', escalate: [x.incident] })),
  ...JOINT_CALLS.filter(
    (c) => c.route.includes('{incidentId}') || c.route === 'POST /api/v1/joint-incidents/{id}/linked-incidents' || c.route.split(' ')[1].startsWith('/api/v1/incidents/'),
  ),
];

const AGREEMENT_CALLS: Call[] = [
  call('GET /api/v1/agreements/{id}', (x) => `/api/v1/agreements/${x.agreement}`),
  call('POST /api/v1/agreements/{id}/versions', (x) => `/api/v1/agreements/${x.agreement}/versions`, (x) => ({
    supersedes: 1,
    text: 'v2',
    parties: [x.party],
    defaultMarking: 'AMBER',
    validFrom: '2026-01-01T00:00:00Z',
  })),
  call('POST /api/v1/agreements/{id}/acceptances', (x) => `/api/v1/agreements/${x.agreement}/acceptances`, (x) => ({
    version: 1,
    pointsOfContact: [{ duty: 'point of contact', pointOfContactId: x.contact }],
  })),
  call('GET /api/v1/agreements/{id}/acceptances', (x) => `/api/v1/agreements/${x.agreement}/acceptances`),
];

/** The object must be in none of these lists (each answered 200 to every reader). */
const LISTS = {
  joint: ['/api/v1/joint-incidents?limit=200', '/api/v1/shared/incidents?limit=200', '/api/v1/tasks?limit=200', '/api/v1/tasks?scope=coordinated&limit=200'],
  agreement: ['/api/v1/agreements?limit=200'],
  incident: ['/api/v1/incidents?limit=200', '/api/v1/shared/incidents?limit=200'],
};
/** Routes with no id to hide: a create that names only public directory ids, and the lists above. */
const NO_HIDDEN_ID = new Set(['POST /api/v1/agreements', 'GET /api/v1/agreements', 'GET /api/v1/joint-incidents', 'GET /api/v1/joint-invitations', 'GET /api/v1/tasks']);
/** The incident routes test/sharing-matrix.e2e-spec.ts runs through its own matrix. */
const INCIDENT_MATRIX = new Set([
  'GET /api/v1/incidents/{id}',
  'PATCH /api/v1/incidents/{id}',
  'POST /api/v1/incidents/{id}/phase',
  'PUT /api/v1/incidents/{id}/report',
  'GET /api/v1/incidents/{id}/observables',
  'POST /api/v1/incidents/{id}/observables',
  'PATCH /api/v1/incidents/{id}/observables/{observableId}',
  'GET /api/v1/incidents/{id}/log',
  'GET /api/v1/incidents/{id}/log/verify',
  'GET /api/v1/incidents/{id}/clocks',
  'POST /api/v1/incidents/{id}/clocks/submissions',
  'GET /api/v1/incidents/{id}/releases',
  'POST /api/v1/incidents/{id}/releases',
  'DELETE /api/v1/incidents/{id}/releases/{releaseId}',
  'GET /api/v1/incidents/{id}/access',
  'GET /api/v1/shared/incidents/{id}',
]);
/** What the coverage test checks: every operation on these paths is in a matrix. */
const IN_SCOPE = /^\/api\/v1\/(agreements|joint-incidents|joint-invitations|incidents\/\{id\}|shared\/incidents\/\{id\})(\/|$)/;

interface Reader {
  label: string;
  slug: DemoOrgSlug;
  token: string;
}

describe('not permitted answers exactly like not there: the joint incident endpoints', () => {
  let hub: TestHub;
  const contacts = new Map<string, string>();
  const counted = new Set<string>();
  /** Answers pinned as a known difference (not counted as compared). */
  let pinned = 0;

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
    for (const slug of ['northbank', 'gridpower', 'st-marys-hospital', 'netwatch-isp', COORD] as const) {
      const res = await hub.http().get(`/api/v1/organisations/${hub.orgId(slug)}/points-of-contact`).set(bearer(hub.token(slug, 'admin'))).expect(200);
      contacts.set(slug, res.body.items[0].id);
    }
  });
  afterAll(async () => hub?.close());

  const roles = (slug: DemoOrgSlug) => (slug === COORD ? ['admin', 'coordinator', 'handler', 'viewer'] : ['admin', 'handler', 'viewer']);
  const readersOf = (...slugs: DemoOrgSlug[]): Reader[] =>
    slugs.flatMap((slug) => roles(slug).map((role) => ({ label: `${slug}/${role}`, slug, token: hub.token(slug, role) })));
  const as = (slug: DemoOrgSlug, role: string) => {
    const auth = bearer(hub.token(slug, role));
    return {
      get: (path: string) => hub.http().get(path).set(auth),
      post: (path: string, body: object = {}) => hub.http().post(path).set(auth).send(body),
      delete: (path: string, body: object = {}) => hub.http().delete(path).set(auth).send(body),
    };
  };
  const coordinator = () => as(COORD, 'coordinator');
  /** The ids a list names: its items' own, and the joint incident an invitation is for. */
  const itemIds = (res: { body: { items: { id: string; jointIncidentId?: string }[] } }) =>
    res.body.items.flatMap((i) => (i.jointIncidentId ? [i.id, i.jointIncidentId] : [i.id]));

  /** A Northbank AMBER incident released to the coordinator (and, with `pass`, linked and passed on into `joint`). */
  async function northbankIncident(release: boolean) {
    const incident = await as('northbank', 'handler')
      .post('/api/v1/incidents', { title: 'matrix incident', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER' })
      .expect(201);
    if (release) {
      await as('northbank', 'handler')
        .post(`/api/v1/incidents/${incident.body.id}/releases`, { recipients: [{ kind: 'organisation', id: hub.orgId(COORD) }] })
        .expect(201);
    }
    return incident.body.id as string;
  }

  async function invite(joint: string, slug: DemoOrgSlug) {
    await coordinator().post(`${J}/${joint}/participants`, { organisationId: hub.orgId(slug), role: 'affected' }).expect(201);
  }
  async function accept(joint: string, slug: DemoOrgSlug) {
    await invite(joint, slug);
    await as(slug, 'admin').post(`${J}/${joint}/participants/${hub.orgId(slug)}/accept`, { pointsOfContact: [contacts.get(slug)] }).expect(200);
  }

  /**
   * A joint incident with Northbank as an accepted participant and something behind every route: an update to
   * all, a decision, a joint observable, a checkpoint, and a Northbank incident passed on into it.
   */
  async function populatedJoint(): Promise<{ joint: string; update: string; task: string; incident: string }> {
    const joint = (await coordinator().post(J, { title: 'Matrix joint incident', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201)).body.id;
    await accept(joint, 'northbank');
    const incident = await northbankIncident(true);
    await coordinator().post(`${J}/${joint}/linked-incidents`, { incidentId: incident, passOn: true }).expect(201);
    const update = (await coordinator().post(`${J}/${joint}/updates`, { kind: 'advisory', title: 'a', body: 'b', marking: 'AMBER', audience: 'all' }).expect(201)).body.id;
    await coordinator().post(`${J}/${joint}/decisions`, { decision: 'd', rationale: 'r' }).expect(201);
    await coordinator().post(`${J}/${joint}/observables`, { type: 'domain', value: 'matrix.example', marking: 'AMBER' }).expect(201);
    const task = (
      await coordinator()
        .post(`${J}/${joint}/tasks`, { assignee: hub.orgId('northbank'), title: 'Matrix task', marking: 'AMBER', priority: 'high', dueAt: '2027-03-15T09:00', dueTimeZone: 'Europe/Berlin' })
        .expect(201)
    ).body.id;
    await coordinator().post(`${J}/${joint}/log/checkpoints`).expect(201);
    await as('northbank', 'viewer').get(`${J}/${joint}/tasks/${task}`).expect(200);
    // The accepted participant reads all of it: the matrix below is about the others, not an empty workspace.
    await as('northbank', 'viewer').get(`${J}/${joint}/updates/${update}`).expect(200);
    // Northbank owns the passed-on incident (it reads it as its own); the pass stands for every other accepted participant.
    const linked = await coordinator().get(`${J}/${joint}/linked-incidents`).expect(200);
    expect(linked.body.items).toEqual([expect.objectContaining({ incidentId: incident, passedOn: true })]);
    return { joint, update, task, incident };
  }

  /** An error body with the ids and the request's own id taken out: what must be equal. */
  function shape(res: { status: number; body: Record<string, unknown> }, ids: string[]) {
    const { requestId: _r, errorId: _e, ...rest } = res.body ?? {};
    let text = JSON.stringify(rest);
    for (const id of [...ids, MISSING]) text = text.split(id).join('<id>');
    return { status: res.status, body: JSON.parse(text) as unknown };
  }

  /**
   * Each call as each reader, with the real ids and with the `hidden` ids swapped for MISSING: the same answer,
   * a 403 or 404, and never a change. Then the lists. Returns how many pairs were compared.
   */
  async function expectLikeMissing(
    readers: Reader[],
    calls: Call[],
    base: Omit<Ids, 'me' | 'contact'>,
    hidden: Hidden[],
    lists: string[],
    listed: string[],
    known: (reader: Reader, route: string) => { status: number; code: string } | undefined = () => undefined,
  ) {
    let compared = 0;
    for (const reader of readers) {
      const ids: Ids = { ...base, me: hub.orgId(reader.slug), contact: contacts.get(reader.slug) as string };
      const missing: Ids = { ...ids };
      for (const key of hidden) missing[key] = MISSING;
      for (const c of calls) {
        const method = c.route.split(' ')[0].toLowerCase() as Method;
        const send = (x: Ids) => {
          const req = hub.http()[method](c.path(x)).set(bearer(reader.token));
          return c.body ? req.send(c.body(x)) : req;
        };
        const real = await send(ids);
        const absent = await send(missing);
        const secret = hidden.map((key) => ids[key]);
        const difference = known(reader, c.route);
        if (difference) {
          // A difference this suite knows and pins: the real answer is exactly this one.
          expect({ who: reader.label, route: c.route, status: real.status, code: real.body.code }).toEqual({ who: reader.label, route: c.route, ...difference });
          expect(absent.status).toBe(404);
          counted.add(c.route);
          pinned += 1;
          continue;
        }
        expect({ who: reader.label, route: c.route, ...shape(real, secret) }).toEqual({ who: reader.label, route: c.route, ...shape(absent, secret) });
        const refused = [403, 404, 422].includes(real.status) ? 'refused' : real.status;
        expect({ who: reader.label, route: c.route, status: refused }).toEqual({ who: reader.label, route: c.route, status: 'refused' });
        counted.add(c.route);
        compared += 1;
      }
      for (const list of lists) {
        const res = await hub.http().get(list).set(bearer(reader.token)).expect(200);
        expect({ who: reader.label, list, ids: itemIds(res) }).toEqual({ who: reader.label, list, ids: expect.not.arrayContaining(listed) });
      }
    }
    return compared;
  }

  describe('a joint incident', () => {
    let x: { joint: string; update: string; task: string; incident: string };
    let party: string;
    beforeAll(async () => {
      x = await populatedJoint();
      party = hub.orgId('northbank');
      // GridPower is invited and has not answered; St Mary's declined; NetWatch was never invited (and has no agreement).
      await invite(x.joint, 'gridpower');
      await invite(x.joint, 'st-marys-hospital');
      await as('st-marys-hospital', 'handler').post(`${J}/${x.joint}/participants/${hub.orgId('st-marys-hospital')}/decline`, { reason: 'not affected' }).expect(200);
    });
    const hiddenIds = () => ({ ...x, agreement: MISSING, party });

    it('an outsider organisation', async () => {
      const readers = readersOf('netwatch-isp');
      const n = await expectLikeMissing(readers, JOINT_CALLS, hiddenIds(), ['joint', 'update', 'task', 'incident'], [...LISTS.joint, '/api/v1/joint-invitations'], [x.joint, x.incident, x.update, x.task]);
      expect(n).toBe(readers.length * JOINT_CALLS.length);
    });

    it('an invited participant that has not accepted (answering is the one thing it may do, so accept and decline are left out)', async () => {
      const calls = JOINT_CALLS.filter((c) => !/\/(accept|decline)$/.test(c.route));
      const n = await expectLikeMissing(readersOf('gridpower'), calls, hiddenIds(), ['joint', 'update', 'task', 'incident'], LISTS.joint, [x.joint, x.incident, x.update, x.task]);
      expect(n).toBe(3 * calls.length);
      // Nothing above answered for it: the invitation is still open, and it finds only the ids of it.
      const open = await as('gridpower', 'viewer').get('/api/v1/joint-invitations').expect(200);
      expect(open.body.items.map((i: { jointIncidentId: string }) => i.jointIncidentId)).toContain(x.joint);
      expect(JSON.stringify(open.body)).not.toContain('Matrix joint incident');
    });

    it('a participant that declined', async () => {
      const readers = readersOf('st-marys-hospital');
      const lists = [...LISTS.joint, '/api/v1/joint-invitations'];
      const before = pinned;
      const n = await expectLikeMissing(readers, JOINT_CALLS, hiddenIds(), ['joint', 'update', 'task', 'incident'], lists, [x.joint, x.incident, x.update, x.task]);
      // Answering again (accept or decline) included: a declined or removed organisation is no participant.
      expect(pinned - before).toBe(0);
      expect(n).toBe(readers.length * JOINT_CALLS.length);
    });

    it('a participant that was removed, after it had read everything', async () => {
      const joint = await populatedJoint();
      await accept(joint.joint, 'gridpower');
      await as('gridpower', 'viewer').get(`${J}/${joint.joint}/updates/${joint.update}`).expect(200);
      await as('gridpower', 'viewer').get(`/api/v1/shared/incidents/${joint.incident}`).expect(200);
      await coordinator().delete(`${J}/${joint.joint}/participants/${hub.orgId('gridpower')}`, { reason: 'done' }).expect(200);
      const readers = readersOf('gridpower');
      const ids = { ...joint, agreement: MISSING, party };
      const lists = [...LISTS.joint, '/api/v1/joint-invitations'];
      const before = pinned;
      const n = await expectLikeMissing(readers, JOINT_CALLS, ids, ['joint', 'update', 'task', 'incident'], lists, [joint.joint, joint.incident, joint.update, joint.task]);
      // Answering again (accept or decline) included: a declined or removed organisation is no participant.
      expect(pinned - before).toBe(0);
      expect(n).toBe(readers.length * JOINT_CALLS.length);
    });
  });

  describe('an update inside a joint incident the reader takes part in', () => {
    let joint: string;
    const updateCalls = JOINT_CALLS.filter((c) => c.route.endsWith('{updateId}'));
    beforeAll(async () => {
      joint = (await coordinator().post(J, { title: 'Audiences', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201)).body.id;
      for (const slug of ['northbank', 'gridpower', 'st-marys-hospital'] as const) await accept(joint, slug);
    });
    const ids = (update: string, task = MISSING) => ({ joint, update, task, incident: MISSING, agreement: MISSING, party: hub.orgId('northbank') });
    const taskCalls = JOINT_CALLS.filter((c) => c.route.includes('{taskId}'));

    it("a participant that is not a party to a task (audience parties), and one not named on a RED task", async () => {
      const parties = (
        await coordinator()
          .post(`${J}/${joint}/tasks`, { assignee: hub.orgId('northbank'), title: 'parties', marking: 'AMBER', priority: 'low', dueAt: '2027-03-15T09:00', dueTimeZone: 'UTC' })
          .expect(201)
      ).body.id;
      await as('northbank', 'viewer').get(`${J}/${joint}/tasks/${parties}`).expect(200);
      const readers = readersOf('gridpower', 'st-marys-hospital');
      const lists = [`${J}/${joint}/tasks?limit=200`, '/api/v1/tasks?limit=200'];
      const n = await expectLikeMissing(readers, taskCalls, ids(MISSING, parties), ['task'], lists, [parties]);
      expect(n).toBe(readers.length * taskCalls.length);
      const named = hub.userId('northbank', 'handler');
      const red = (
        await coordinator()
          .post(`${J}/${joint}/tasks`, { assignee: hub.orgId('northbank'), title: 'red', marking: 'RED', audienceUsers: [named], priority: 'low', dueAt: '2027-03-15T09:00', dueTimeZone: 'UTC' })
          .expect(201)
      ).body.id;
      await as('northbank', 'handler').get(`${J}/${joint}/tasks/${red}`).expect(200);
      const others = readersOf('northbank', 'gridpower').filter((r) => r.label !== 'northbank/handler');
      const m = await expectLikeMissing(others, taskCalls, ids(MISSING, red), ['task'], lists, [red]);
      expect(m).toBe(others.length * taskCalls.length);
    });

    it('a participant outside a chosen audience', async () => {
      const update = (
        await coordinator()
          .post(`${J}/${joint}/updates`, { kind: 'update', title: 'chosen', body: 'b', marking: 'AMBER', audience: 'chosen', audienceOrgs: [hub.orgId('northbank')] })
          .expect(201)
      ).body.id;
      await as('northbank', 'viewer').get(`${J}/${joint}/updates/${update}`).expect(200);
      const readers = readersOf('gridpower', 'st-marys-hospital');
      const n = await expectLikeMissing(readers, updateCalls, ids(update), ['update'], [`${J}/${joint}/updates?limit=200`], [update]);
      expect(n).toBe(readers.length * updateCalls.length);
    });

    it('a participant not named on a RED update, its own colleagues included; a RED joint observable likewise', async () => {
      const named = hub.userId('northbank', 'handler');
      const update = (
        await coordinator().post(`${J}/${joint}/updates`, { kind: 'advisory', title: 'red', body: 'b', marking: 'RED', audience: 'all', audienceUsers: [named] }).expect(201)
      ).body.id;
      const observable = (
        await coordinator().post(`${J}/${joint}/observables`, { type: 'domain', value: 'red.matrix.example', marking: 'RED', audienceUsers: [named] }).expect(201)
      ).body.id;
      await as('northbank', 'handler').get(`${J}/${joint}/updates/${update}`).expect(200);
      expect(itemIds(await as('northbank', 'handler').get(`${J}/${joint}/observables`).expect(200))).toContain(observable);
      const readers = readersOf('northbank', 'gridpower', 'st-marys-hospital').filter((r) => r.label !== 'northbank/handler');
      const n = await expectLikeMissing(readers, updateCalls, ids(update), ['update'], [`${J}/${joint}/updates?limit=200`], [update]);
      expect(n).toBe(readers.length * updateCalls.length);
      for (const reader of readers) {
        const res = await hub.http().get(`${J}/${joint}/observables?limit=200`).set(bearer(reader.token)).expect(200);
        expect({ who: reader.label, ids: itemIds(res) }).toEqual({ who: reader.label, ids: expect.not.arrayContaining([observable]) });
      }
    });
  });

  describe('a contribution to the review of a joint incident the reader takes part in', () => {
    const contributionCalls = JOINT_CALLS.filter((c) => c.route.endsWith('{contributionId}'));
    it("a participant outside a contribution's audience (the coordination team only), or not named on a RED one", async () => {
      const opened = (await coordinator().post(J, { title: 'Review', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201)).body;
      const joint = opened.id as string;
      for (const slug of ['northbank', 'gridpower', 'st-marys-hospital'] as const) await accept(joint, slug);
      let version = opened.version as number;
      for (const phase of ['assess_decide', 'learn_lessons']) version = (await coordinator().post(`${J}/${joint}/phase`, { phase, reason: 'review', version }).expect(200)).body.version;
      const put = (slug: DemoOrgSlug, role: string, body: object) => hub.http().put(`${J}/${joint}/contribution`).set(bearer(hub.token(slug, role))).send(body);
      const toTeam = (await put('northbank', 'handler', { whatHappened: 'ours', marking: 'AMBER', audience: 'coordinator' }).expect(200)).body.id;
      const named = hub.userId('northbank', 'handler');
      const red = (await put(COORD, 'coordinator', { whatHappened: 'red', marking: 'RED', audience: 'all', audienceUsers: [named] }).expect(200)).body.id;
      await as(COORD, 'viewer').get(`${J}/${joint}/contributions/${toTeam}`).expect(200);
      await as('northbank', 'handler').get(`${J}/${joint}/contributions/${red}`).expect(200);
      const ids = (contribution: string) => ({ joint, update: contribution, task: MISSING, incident: MISSING, agreement: MISSING, party: hub.orgId('northbank') });
      const list = [`${J}/${joint}/contributions?limit=200`];
      const outside = readersOf('gridpower', 'st-marys-hospital');
      expect(await expectLikeMissing(outside, contributionCalls, ids(toTeam), ['update'], list, [toTeam])).toBe(outside.length * contributionCalls.length);
      const unnamed = readersOf('northbank', 'gridpower', 'st-marys-hospital').filter((r) => r.label !== 'northbank/handler');
      expect(await expectLikeMissing(unnamed, contributionCalls, ids(red), ['update'], list, [red])).toBe(unnamed.length * contributionCalls.length);
    });
  });

  it('a member incident never released to the coordinator: the coordination team and the participants', async () => {
    const joint = (await coordinator().post(J, { title: 'Unreleased', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201)).body.id;
    await accept(joint, 'gridpower');
    const incident = await northbankIncident(false);
    const readers = readersOf(COORD, 'gridpower', 'st-marys-hospital');
    const ids = { joint, update: MISSING, task: MISSING, incident, agreement: MISSING, party: hub.orgId('northbank') };
    const n = await expectLikeMissing(readers, INCIDENT_CALLS, ids, ['incident'], LISTS.incident, [incident]);
    expect(n).toBe(readers.length * INCIDENT_CALLS.length);
    // Nothing was linked nor opened by the attempts.
    const linked = await coordinator().get(`${J}/${joint}/linked-incidents`).expect(200);
    expect(linked.body.items).toEqual([]);
    await as('northbank', 'handler').get(`/api/v1/incidents/${incident}/passes`).expect(200);
  });

  it('an agreement that does not name the organisation', async () => {
    const agreement = (
      await coordinator()
        .post('/api/v1/agreements', { title: 'Bank only', text: 't', parties: [hub.orgId('northbank')], defaultMarking: 'AMBER', validFrom: '2026-01-01T00:00:00Z' })
        .expect(201)
    ).body.id;
    await as('northbank', 'viewer').get(`/api/v1/agreements/${agreement}`).expect(200);
    const readers = readersOf('gridpower', 'st-marys-hospital', 'netwatch-isp');
    const ids = { joint: MISSING, update: MISSING, task: MISSING, incident: MISSING, agreement, party: hub.orgId('gridpower') };
    const n = await expectLikeMissing(readers, AGREEMENT_CALLS, ids, ['agreement'], LISTS.agreement, [agreement]);
    expect(n).toBe(readers.length * AGREEMENT_CALLS.length);
    const versions = await coordinator().get(`/api/v1/agreements/${agreement}`).expect(200);
    expect(versions.body.currentVersion).toBe(1);
  });

  it("an improvement action: anyone but its owner (and, where shared, the coordination team's reads) gets a missing id's answer", async () => {
    const joint = (await coordinator().post(J, { title: 'Review', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201)).body.id;
    await accept(joint, 'northbank');
    await accept(joint, 'gridpower');
    let version = 1;
    for (const phase of ['assess_decide', 'learn_lessons']) {
      version = (await coordinator().post(`${J}/${joint}/phase`, { phase, reason: 'review', version }).expect(200)).body.version;
    }
    const shared = (await as('northbank', 'handler').post(`${J}/${joint}/actions`, { ...ACTION_BODY, shareWithCoordinator: true }).expect(201)).body.id;
    const unshared = (await as('northbank', 'handler').post(`${J}/${joint}/actions`, ACTION_BODY).expect(201)).body.id;
    await as(COORD, 'viewer').get(`/api/v1/improvement-actions/${shared}`).expect(200);
    const calls = (id: string) => [
      { method: 'get' as const, path: `/api/v1/improvement-actions/${id}` },
      { method: 'patch' as const, path: `/api/v1/improvement-actions/${id}`, body: { version: 1, title: 'changed' } },
      { method: 'post' as const, path: `/api/v1/improvement-actions/${id}/evidence`, body: { note: 'n' } },
    ];
    // The coordination team reads the shared one, so its reads are left out for it; it never writes it.
    const cases: { readers: Reader[]; id: string; skip?: string }[] = [
      { readers: readersOf('gridpower', 'st-marys-hospital', 'netwatch-isp', COORD), id: unshared },
      { readers: readersOf('gridpower', 'st-marys-hospital', 'netwatch-isp'), id: shared },
      { readers: readersOf(COORD), id: shared, skip: 'get' },
    ];
    let compared = 0;
    for (const { readers, id, skip } of cases) {
      for (const reader of readers) {
        for (const c of calls(id).filter((c) => c.method !== skip)) {
          const send = (path: string) => {
            const req = hub.http()[c.method](path).set(bearer(reader.token));
            return c.body ? req.send(c.body) : req;
          };
          const real = await send(c.path);
          const absent = await send(c.path.replace(id, MISSING));
          expect({ who: reader.label, path: c.method, ...shape(real, [id]) }).toEqual({ who: reader.label, path: c.method, ...shape(absent, [id]) });
          expect([403, 404]).toContain(real.status);
          compared += 1;
        }
        const list = await hub.http().get(`/api/v1/improvement-actions?limit=200`).set(bearer(reader.token)).expect(200);
        expect(itemIds(list)).not.toContain(id);
      }
    }
    expect(compared).toBe(13 * 3 + 9 * 3 + 4 * 2);
    const mine = await as('northbank', 'viewer').get(`/api/v1/improvement-actions/${unshared}`).expect(200);
    expect(mine.body.version).toBe(1);
  });

  it('leaves no route of the joint incidents, agreements or incidents out of a matrix (read from the OpenAPI document)', async () => {
    const document = (await hub.http().get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, item]) =>
      ['get', 'put', 'post', 'delete', 'patch'].filter((verb) => item[verb]).map((verb) => `${verb.toUpperCase()} ${path}`),
    );
    const inScope = routes.filter((r) => IN_SCOPE.test(r.split(' ')[1]));
    const here = new Set([...JOINT_CALLS, ...INCIDENT_CALLS, ...AGREEMENT_CALLS].map((c) => c.route));
    const uncovered = inScope.filter((r) => !here.has(r) && !INCIDENT_MATRIX.has(r) && !NO_HIDDEN_ID.has(r));
    expect(uncovered).toEqual([]);
    // And no entry here names a route that no longer exists; every call of the matrix really ran above.
    expect([...here, ...INCIDENT_MATRIX, ...NO_HIDDEN_ID].filter((r) => !routes.includes(r))).toEqual([]);
    expect([...here].filter((r) => !counted.has(r))).toEqual([]);
    expect(inScope.length).toBeGreaterThanOrEqual(here.size + INCIDENT_MATRIX.size);
  });
});
