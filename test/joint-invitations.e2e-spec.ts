import { seedDemoAgreement } from '#joint-incidents';
import { jointInvitationsPageSql } from '../libs/joint-incidents/src/participants/joint-invitations.controller.js';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * GET /api/v1/joint-invitations: an invited organisation finds its open invitations (the joint incident's id,
 * the role, whether pseudonymous, the coordinator, when) without reading anything of the joint incident; an
 * invitation accepted, declined or withdrawn is gone; cursor-paged in joint_participants_org_idx order.
 */
describe('joint invitations', () => {
  let hub: TestHub;
  const COORD = 'national-csirt';
  const TITLE = 'Invitation matrix secret title';
  const SUMMARY = 'a summary only participants may read';

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
  });
  afterAll(async () => hub?.close());

  const as = (slug: DemoOrgSlug, role = 'admin') => {
    const auth = bearer(hub.token(slug, role));
    return {
      get: (path: string) => hub.http().get(`/api/v1${path}`).set(auth),
      post: (path: string, body: object = {}) => hub.http().post(`/api/v1${path}`).set(auth).send(body),
      delete: (path: string, body: object = {}) => hub.http().delete(`/api/v1${path}`).set(auth).send(body),
    };
  };
  const coordinator = () => as(COORD, 'coordinator');
  const open = async () =>
    (await coordinator().post('/joint-incidents', { title: TITLE, summary: SUMMARY, category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201))
      .body.id as string;
  const invite = (joint: string, slug: DemoOrgSlug, role = 'affected', pseudonymous = false) =>
    coordinator().post(`/joint-incidents/${joint}/participants`, { organisationId: hub.orgId(slug), role, pseudonymous }).expect(201);
  const pending = async (slug: DemoOrgSlug, role = 'viewer') => {
    const res = await as(slug, role).get('/joint-invitations?limit=200').expect(200);
    return res.body.items as { id: string; jointIncidentId: string }[];
  };
  const jointIds = (items: { jointIncidentId: string }[]) => items.map((i) => i.jointIncidentId);

  it('shows the invited organisation the ids, role, pseudonymity, coordinator and time of its invitation, and nothing of the joint incident', async () => {
    const joint = await open();
    const invited = await invite(joint, 'northbank', 'lead', true);
    const res = await as('northbank', 'viewer').get('/joint-invitations').expect(200);
    expect(res.body).toEqual({
      items: [
        {
          id: invited.body.id,
          jointIncidentId: joint,
          role: 'lead',
          pseudonymous: true,
          coordinator: { id: hub.orgId(COORD), name: 'National CSIRT' },
          invitedAt: invited.body.invitedAt,
        },
      ],
      nextCursor: null,
    });
    const json = JSON.stringify(res.body);
    expect(json).not.toContain(TITLE);
    expect(json).not.toContain(SUMMARY);
    // Not even its pseudonym: that is for once it takes part.
    expect(json).not.toMatch(/Participant [A-Z]/);
    // The invitation opens nothing else.
    await as('northbank', 'viewer').get(`/joint-incidents/${joint}`).expect(404);
    expect((await as('northbank', 'viewer').get('/joint-incidents').expect(200)).body.items).toEqual([]);

    // Nobody else sees it: another member, a partner, the coordinator (it runs the joint incident; it is invited nowhere).
    for (const slug of ['gridpower', 'st-marys-hospital', 'netwatch-isp', COORD] as const) expect(jointIds(await pending(slug))).not.toContain(joint);
    expect(await pending(COORD, 'coordinator')).toEqual([]);
  });

  it('drops an invitation once accepted, declined or withdrawn (and one accepted then removed)', async () => {
    const [accepted, declined, withdrawn, removed, kept] = [await open(), await open(), await open(), await open(), await open()];
    for (const joint of [accepted, declined, withdrawn, removed, kept]) await invite(joint, 'gridpower');
    expect(jointIds(await pending('gridpower'))).toEqual(expect.arrayContaining([accepted, declined, withdrawn, removed, kept]));

    const contacts = (await as('gridpower').get(`/organisations/${hub.orgId('gridpower')}/points-of-contact`).expect(200)).body.items as { id: string }[];
    const path = (joint: string, action: string) => `/joint-incidents/${joint}/participants/${hub.orgId('gridpower')}/${action}`;
    await as('gridpower', 'handler').post(path(accepted, 'accept'), { pointsOfContact: [contacts[0].id] }).expect(200);
    await as('gridpower', 'handler').post(path(removed, 'accept'), { pointsOfContact: [contacts[0].id] }).expect(200);
    await as('gridpower', 'handler').post(path(declined, 'decline'), { reason: 'not affected' }).expect(200);
    await coordinator().delete(`/joint-incidents/${withdrawn}/participants/${hub.orgId('gridpower')}`, { reason: 'invited by mistake' }).expect(200);
    await coordinator().delete(`/joint-incidents/${removed}/participants/${hub.orgId('gridpower')}`, { reason: 'done' }).expect(200);

    const left = jointIds(await pending('gridpower'));
    expect(left).toContain(kept);
    for (const gone of [accepted, declined, withdrawn, removed]) expect(left).not.toContain(gone);
    // Invited again after declining: pending again, under a new participation.
    await invite(declined, 'gridpower', 'observer');
    const again = (await pending('gridpower')).find((i) => i.jointIncidentId === declined);
    expect(again).toMatchObject({ role: 'observer', pseudonymous: false });
  });

  it('pages with a cursor in joint incident id order, each invitation once; bad paging input is a 400 naming the field', async () => {
    for (let i = 0; i < 3; i += 1) await invite(await open(), 'st-marys-hospital', 'responder');
    const all = jointIds(await pending('st-marys-hospital'));
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all).toEqual([...all].sort());

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { jointIncidentId: string }[]; nextCursor: string | null } } = await as('st-marys-hospital')
        .get(`/joint-invitations?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      walked.push(...jointIds(res.body.items));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all);

    expect((await as('st-marys-hospital').get('/joint-invitations?limit=0').expect(400)).body.details[0].field).toBe('limit');
    expect((await as('st-marys-hospital').get('/joint-invitations?cursor=nonsense!').expect(400)).body.details[0].field).toBe('cursor');
    // A well-formed cursor whose key is not a joint incident id (a time cursor of another list) is refused too.
    const foreign = Buffer.from(JSON.stringify(['2026-11-25 10:00:00+00', all[0]])).toString('base64url');
    const refused = await as('st-marys-hospital').get(`/joint-invitations?cursor=${foreign}`).expect(400);
    expect(refused.body.details[0]).toMatchObject({ field: 'cursor', rule: 'isCursor' });
    await hub.http().get('/api/v1/joint-invitations').expect(401);
  });

  it('is documented in the OpenAPI document as a page of JointInvitationView', async () => {
    const document = (await hub.http().get('/api/docs-json').expect(200)).body;
    const operation = document.paths['/api/v1/joint-invitations'].get;
    expect(operation.operationId).toBe('jointInvitations_list');
    expect(operation.responses['200'].content['application/json'].schema.properties.items.items.$ref).toBe('#/components/schemas/JointInvitationView');
    expect(Object.keys(document.components.schemas.JointInvitationView.properties).sort()).toEqual(
      ['coordinator', 'id', 'invitedAt', 'jointIncidentId', 'pseudonymous', 'role'].sort(),
    );
  });

  it('walks joint_participants_org_idx for the page, with no sort and no sequential scan, under row-level security', async () => {
    const app = await hub.appClient();
    const plan = async (after: string | null) => {
      const page = jointInvitationsPageSql(hub.orgId('st-marys-hospital'), 50, after);
      await app.query('BEGIN');
      await app.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true), set_config('enable_seqscan', 'off', true)", [
        hub.orgId('st-marys-hospital'),
      ]);
      const rows = await app.query(`EXPLAIN ${page.sql}`, page.params);
      await app.query('ROLLBACK');
      return rows.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    };
    for (const after of [null, '00000000-0000-4000-8000-000000000001']) {
      const text = await plan(after);
      expect(text).toMatch(/joint_participants_org_idx/);
      expect(text).not.toMatch(/Sort/);
      expect(text).not.toMatch(/Seq Scan on joint_participants/);
    }
  });
});
