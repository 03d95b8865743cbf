import pg from 'pg';
import { seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The security review of the joint workspace (issue 10): paths by which one organisation could read what
 * DESIGN sections 4 and 5 do not let it, or learn a pseudonymous participant's organisation. Each case is proved
 * where the leak would be, as `hub_app` (below the API) where the API alone cannot show it.
 */
describe('joint incidents: no leak across organisations', () => {
  let hub: TestHub;
  let client: pg.Client;
  const COORD = 'national-csirt';

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
    client = await hub.appClient();
  });
  afterAll(async () => hub?.close());

  const token = (slug: DemoOrgSlug, role = 'admin') => hub.token(slug, role);
  const post = (path: string, slug: DemoOrgSlug, body: unknown, role = 'admin') =>
    hub.http().post(path).set(bearer(token(slug, role))).send(body as object);
  const get = (path: string, slug: DemoOrgSlug, role = 'admin') => hub.http().get(path).set(bearer(token(slug, role)));

  async function openJoint(participants: { slug: DemoOrgSlug; pseudonymous?: boolean }[]): Promise<string> {
    const joint = await post('/api/v1/joint-incidents', COORD, { title: 'Phishing wave', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }, 'coordinator');
    expect(joint.status).toBe(201);
    const id = joint.body.id as string;
    for (const p of participants) {
      expect((await post(`/api/v1/joint-incidents/${id}/participants`, COORD, { organisationId: hub.orgId(p.slug), role: 'affected', pseudonymous: p.pseudonymous ?? false }, 'coordinator')).status).toBe(201);
      const contacts = await get(`/api/v1/organisations/${hub.orgId(p.slug)}/points-of-contact`, p.slug);
      expect((await post(`/api/v1/joint-incidents/${id}/participants/${hub.orgId(p.slug)}/accept`, p.slug, { pointsOfContact: [contacts.body.items[0].id] })).status).toBe(200);
    }
    return id;
  }

  type Sql = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  /** One transaction as a user of `slug` on hub_app, as TenantDatabase.run sets it, plus any setting the caller adds. */
  async function as<T>(slug: DemoOrgSlug, role: string, work: (sql: Sql) => Promise<T>, settings: Record<string, string> = {}): Promise<T> {
    await client.query('BEGIN');
    try {
      await client.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true)",
        [hub.orgId(slug), slug === COORD ? 'coordinator' : slug === 'netwatch-isp' ? 'partner' : 'member', hub.userId(slug, role)],
      );
      for (const [name, value] of Object.entries(settings)) await client.query('SELECT set_config($1, $2, true)', [name, value]);
      const result = await work(async (sql, params = []) => (await client.query(sql, params)).rows);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }

  describe('a caller that sets hub.joint_scope itself', () => {
    let joint: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }]);
      expect((await post(`/api/v1/joint-incidents/${joint}/updates`, COORD, { kind: 'advisory', title: 'Reset', body: 'now', marking: 'AMBER', audience: 'all' }, 'coordinator')).status).toBe(201);
      expect((await post(`/api/v1/joint-incidents/${joint}/updates`, 'gridpower', { kind: 'update', title: 'Seen', body: 'here', marking: 'AMBER', audience: 'all' }, 'handler')).status).toBe(201);
      expect((await post(`/api/v1/joint-incidents/${joint}/decisions`, COORD, { decision: 'Block the domains', rationale: 'spreading' }, 'coordinator')).status).toBe(201);
      expect((await post(`/api/v1/joint-incidents/${joint}/observables`, 'northbank', { type: 'domain', value: 'login-northbank.example', marking: 'AMBER' }, 'handler')).status).toBe(201);
    });

    it('reads nothing of a joint incident it does not take part in, through the views, the tables or the definer functions', async () => {
      const scope = { 'hub.joint_scope': joint, 'hub.reads': 'shared' };
      const read = await as('st-marys-hospital', 'admin', async (sql) => ({
        views: await Promise.all(
          ['shared_joint_incidents', 'shared_joint_updates', 'shared_joint_decisions', 'shared_joint_observables', 'shared_joint_participants', 'shared_incidents'].map(
            async (view) => (await sql(`SELECT id FROM ${view}`)).length,
          ),
        ),
        tables: await Promise.all(
          ['joint_incidents', 'joint_participants', 'joint_updates', 'joint_decisions', 'joint_observables', 'joint_linked_incidents'].map(
            async (table) => (await sql(`SELECT id FROM ${table}`)).length,
          ),
        ),
        access: (await sql("SELECT 1 FROM access WHERE via LIKE 'joint:%'")).length,
        contacts: (await sql('SELECT 1 FROM points_of_contact WHERE org_id <> hub_current_org()')).length,
        roster: (await sql('SELECT * FROM hub_joint_roster($1)', [joint])).length,
        phase: (await sql<{ phase: string | null }>('SELECT hub_joint_phase($1) AS phase', [joint]))[0].phase,
        keys: (await sql<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $1) AS keys', [joint]))[0].keys,
      }), scope);
      // A member reads the community's points of contact anyway (the directory); nothing joint.
      expect({ ...read, contacts: undefined }).toEqual({ views: [0, 0, 0, 0, 0, 0], tables: [0, 0, 0, 0, 0, 0], access: 0, contacts: undefined, roster: 0, phase: null, keys: [] });
      // The scope means nothing outside the definer functions that set it: hub_app's own setting reads as none.
      expect(await as('st-marys-hospital', 'admin', async (sql) => (await sql<{ scope: string | null }>('SELECT hub_joint_scope() AS scope'))[0].scope, scope)).toBeNull();
      // A partner does not read the directory, and the scope does not open it.
      expect(await as('netwatch-isp', 'admin', async (sql) => (await sql('SELECT 1 FROM points_of_contact WHERE org_id <> hub_current_org()')).length, scope)).toBe(0);
    });
  });

  describe('a pseudonymous participant', () => {
    let joint: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }]);
    });

    it("is not named by organisation in the outbox keys of another participant's change", async () => {
      const update = await post(`/api/v1/joint-incidents/${joint}/updates`, 'northbank', { kind: 'update', title: 'Seen', body: 'here', marking: 'AMBER', audience: 'all' }, 'handler');
      expect(update.status).toBe(201);
      const observable = await post(`/api/v1/joint-incidents/${joint}/observables`, 'northbank', { type: 'domain', value: 'login-leaks.example', marking: 'AMBER' }, 'handler');
      expect(observable.status).toBe(201);
      const grid = hub.orgId('gridpower');
      // What Northbank's own transaction reads: its outbox rows, and the keys the definer function answers it.
      const seen = await as('northbank', 'handler', async (sql) => ({
        outbox: await sql<{ grantees: string[] }>("SELECT grantees FROM outbox WHERE payload ->> 'jointIncidentId' = $1", [joint]),
        keys: (await sql<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $2) AS keys', [joint, update.body.id]))[0].keys,
      }));
      expect(seen.outbox.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(seen)).not.toContain(grid);
      // The pseudonymous participant is still reached, by its participant id.
      const participant = (await get(`/api/v1/joint-incidents/${joint}/participants`, 'northbank').expect(200)).body.items.find(
        (p: { pseudonym?: string | null }) => p.pseudonym,
      );
      expect(seen.keys).toContain(`participant:${participant.id}`);
      expect(seen.keys).toEqual(expect.arrayContaining([`org:${hub.orgId(COORD)}`, `org:${hub.orgId('northbank')}`, `org:${hub.orgId('st-marys-hospital')}`]));
      // The coordinator, who sees who it is, still gets the organisation's key.
      const coordinatorKeys = await as(COORD, 'coordinator', async (sql) => (await sql<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $2) AS keys', [joint, update.body.id]))[0].keys);
      expect(coordinatorKeys).toContain(`org:${grid}`);
    });

    it("is not resolved to its organisation when another participant names it in an audience, nor stored so in the author's row", async () => {
      const participant = (await get(`/api/v1/joint-incidents/${joint}/participants`, 'northbank').expect(200)).body.items.find(
        (p: { pseudonym?: string | null }) => p.pseudonym,
      );
      const grid = hub.orgId('gridpower');
      const update = await post(`/api/v1/joint-incidents/${joint}/updates`, 'northbank', { kind: 'update', title: 'For C', body: 'only', marking: 'AMBER', audience: 'chosen', audienceOrgs: [participant.id] }, 'handler');
      expect(update.status).toBe(201);
      expect(update.body).toMatchObject({ audience: 'chosen', audienceParticipants: [participant.id] });
      const seen = await as('northbank', 'handler', async (sql) => ({
        resolved: await sql('SELECT * FROM hub_joint_audience($1, $2::uuid[])', [joint, [participant.id]]),
        row: await sql('SELECT audience_orgs, audience_participants FROM joint_updates WHERE id = $1', [update.body.id]),
      }));
      expect(seen.resolved).toHaveLength(1);
      expect(JSON.stringify(seen)).not.toContain(grid);
      // It still reaches GridPower, and only it (and the coordinator).
      expect((await get(`/api/v1/joint-incidents/${joint}/updates/${update.body.id}`, 'gridpower', 'viewer')).status).toBe(200);
      expect((await get(`/api/v1/joint-incidents/${joint}/updates/${update.body.id}`, COORD, 'coordinator')).status).toBe(200);
      expect((await get(`/api/v1/joint-incidents/${joint}/updates/${update.body.id}`, 'st-marys-hospital', 'viewer')).status).toBe(404);
    });

    it("answers an organisation that is only invited, declined or removed no other key than the coordinator's", async () => {
      const other = await openJoint([{ slug: 'gridpower', pseudonymous: true }]);
      expect((await post(`/api/v1/joint-incidents/${other}/participants`, COORD, { organisationId: hub.orgId('northbank'), role: 'observer', pseudonymous: false }, 'coordinator')).status).toBe(201);
      const advisory = await post(`/api/v1/joint-incidents/${other}/updates`, COORD, { kind: 'advisory', title: 'Reset', body: 'now', marking: 'AMBER', audience: 'all' }, 'coordinator');
      expect(advisory.status).toBe(201);
      const keys = await as('northbank', 'admin', async (sql) => (await sql<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $2) AS keys', [other, advisory.body.id]))[0].keys);
      expect(keys).toEqual([`org:${hub.orgId(COORD)}`]);
    });
  });

  describe('an incident passed on whose owner takes part under a pseudonym', () => {
    it("names the owner of its observables to the other participants by participation only, in the shared view and the API", async () => {
      const joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }]);
      const incident = await post('/api/v1/incidents', 'gridpower', { title: 'Substation phishing', summary: 'Lookalike domain', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }, 'handler');
      expect(incident.status).toBe(201);
      const observable = await post(`/api/v1/incidents/${incident.body.id}/observables`, 'gridpower', { type: 'domain', value: 'grid-login.example', marking: 'AMBER' }, 'handler');
      expect(observable.status).toBe(201);
      expect((await post(`/api/v1/incidents/${incident.body.id}/releases`, 'gridpower', { recipients: [{ kind: 'organisation', id: hub.orgId(COORD) }], observables: [observable.body.id] }, 'handler')).status).toBe(201);
      expect((await post(`/api/v1/joint-incidents/${joint}/linked-incidents`, COORD, { incidentId: incident.body.id, passOn: true }, 'coordinator')).status).toBe(201);
      const grid = hub.orgId('gridpower');
      const read = await as('northbank', 'viewer', async (sql) => ({
        incidents: await sql<{ org_id: string }>('SELECT id, org_id FROM shared_incidents WHERE id = $1', [incident.body.id]),
        observables: await sql<{ org_id: string }>('SELECT id, org_id FROM shared_observables WHERE incident_id = $1', [incident.body.id]),
      }), { 'hub.reads': 'shared' });
      expect(read.observables.map((o) => o.org_id)).toHaveLength(1);
      expect(read.incidents).toHaveLength(1);
      expect(JSON.stringify(read)).not.toContain(grid);
      expect(read.observables[0].org_id).toBe(read.incidents[0].org_id);
      const listed = await get(`/api/v1/joint-incidents/${joint}/linked-incidents`, 'northbank', 'viewer');
      expect(listed.status).toBe(200);
      expect(listed.body.items).toHaveLength(1);
      expect(JSON.stringify(listed.body)).not.toContain(grid);
    });
  });

  describe("the management log's chain of a joint incident or an agreement", () => {
    const refused = async (work: Promise<unknown>) => work.then(() => 'opened', (error: Error) => error.message);

    it('is opened by the coordinator that owns the subject, never first by a participant or a party', async () => {
      // A joint incident and an agreement whose chains are not opened yet (written straight in the coordinator's tenant).
      const { jointId, agreementId } = await as(COORD, 'coordinator', async (sql) => {
        const [j] = await sql<{ id: string }>(
          `INSERT INTO joint_incidents (org_id, title, category, sub_type, severity, marking, created_by)
           VALUES (hub_current_org(), 'Unlogged', 'fraud', 'phishing', 3, 'AMBER', hub_current_user_id()) RETURNING id`,
        );
        await sql(
          `INSERT INTO joint_participants (org_id, joint_incident_id, participant_org_id, role, state, answered_at, invited_by)
           VALUES (hub_current_org(), $1, $2, 'lead', 'accepted', now(), hub_current_user_id())`,
          [j.id, hub.orgId('northbank')],
        );
        const [a] = await sql<{ id: string }>("INSERT INTO agreements (org_id, title, created_by) VALUES (hub_current_org(), 'Unlogged terms', hub_current_user_id()) RETURNING id");
        return { jointId: j.id, agreementId: a.id };
      });
      for (const [type, id] of [['joint_incident', jointId], ['agreement', agreementId]] as const) {
        expect(await refused(as('northbank', 'admin', (sql) => sql('SELECT * FROM hub_log_open($1, $2)', [type, id])))).toMatch(/no management log/);
        // Not even with the scope set by hand.
        expect(await refused(as('northbank', 'admin', (sql) => sql('SELECT * FROM hub_log_open($1, $2)', [type, id]), { 'hub.joint_scope': jointId }))).toMatch(/no management log/);
        const [head] = await as(COORD, 'coordinator', (sql) => sql<{ owner_org_id: string }>('SELECT * FROM hub_log_open($1, $2)', [type, id]));
        expect(head).toMatchObject({ owner_org_id: hub.orgId(COORD), length: 0 });
      }
    });

    it("is read by a participant only as far as it appended, so it never names a pseudonymous participant's organisation", async () => {
      const joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }]);
      expect((await post(`/api/v1/joint-incidents/${joint}/updates`, 'gridpower', { kind: 'update', title: 'Seen', body: 'here', marking: 'AMBER', audience: 'all' }, 'handler')).status).toBe(201);
      const grid = hub.orgId('gridpower');
      const northbank = await as('northbank', 'admin', (sql) =>
        sql<{ actor_org_id: string | null }>("SELECT * FROM management_log WHERE subject_type = 'joint_incident' AND subject_id = $1 ORDER BY seq", [joint]),
      );
      expect(JSON.stringify(northbank)).not.toContain(grid);
      // Its own answer is still there to read back; the coordinator reads the whole chain.
      expect(northbank.length).toBeGreaterThan(0);
      expect(northbank.every((e) => e.actor_org_id === hub.orgId('northbank'))).toBe(true);
      const all = await as(COORD, 'coordinator', (sql) => sql("SELECT seq FROM management_log WHERE subject_type = 'joint_incident' AND subject_id = $1", [joint]));
      expect(all.length).toBeGreaterThan(northbank.length);
      expect((await get(`/api/v1/joint-incidents/${joint}/log/verify`, COORD, 'coordinator').expect(200)).body).toMatchObject({ valid: true });
    });
  });

  describe('hostile input to the joint-incident routes (not in test/bad-input.e2e-spec.ts)', () => {
    it('answers every malformed body, path id and query with a 4xx, never a 5xx', async () => {
      const joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }]);
      const MISSING = '00000000-0000-4000-8000-000000000001';
      const send = (method: string, path: string, slug: DemoOrgSlug, role: string, body?: unknown, query?: Record<string, string>) => {
        const req = (hub.http() as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path).set(bearer(token(slug, role)));
        if (query) req.query(query);
        return body === undefined ? req : req.set('content-type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const bodies: unknown[] = [
        'null', '[]', '"x"', '{', { title: 1 }, { title: 'x'.repeat(100000) }, { audienceOrgs: 'x' }, { audienceOrgs: ['x'] }, { audienceUsers: [null] },
        { kind: 'update', title: 'a', body: 'b', marking: 'RED', audience: 'chosen', audienceOrgs: [MISSING], audienceUsers: [MISSING] },
        { kind: 'update', title: 'a\u0000b', body: 'b', marking: 'AMBER', audience: 'all' },
        { type: 'domain', value: 'a'.repeat(5000), marking: 'AMBER' }, { type: 'ipv4', value: '999.1.1.1', marking: 'AMBER', firstSeen: 'yesterday' },
        { type: 'domain', value: 'x.example', marking: 'AMBER', firstSeen: '2026-01-02T00:00:00Z', lastSeen: '2020-01-01T00:00:00Z' },
        { decision: 'x'.repeat(6000) }, { decision: 'a', marking: 'PURPLE' }, { decision: 'a\u0000' },
        { incidentId: 'not-a-uuid' }, { incidentId: MISSING, passOn: 'yes' },
        { phase: 'closed', reason: 'x', version: 'abc' }, { phase: 'closed', reason: 'x', version: 1e30 },
        { organisationId: 'x', role: 'lead' }, { organisationId: MISSING, role: 'lead' }, { organisationId: hub.orgId('netwatch-isp'), role: 'lead' },
        { pointsOfContact: ['x'] }, { pointsOfContact: [MISSING] }, { pointsOfContact: 'x' }, { reason: '' }, { reason: 'x'.repeat(3000) },
        { version: 1e30, title: 'x' }, { version: -1, severity: 99 }, { exercise: 'true', version: 1 },
      ];
      const writes: [string, string, DemoOrgSlug, string][] = [
        ['post', '/api/v1/joint-incidents', COORD, 'coordinator'],
        ['patch', `/api/v1/joint-incidents/${joint}`, COORD, 'coordinator'],
        ['post', `/api/v1/joint-incidents/${joint}/phase`, COORD, 'coordinator'],
        ['post', `/api/v1/joint-incidents/${joint}/participants`, COORD, 'coordinator'],
        ['post', `/api/v1/joint-incidents/${joint}/participants/${hub.orgId('northbank')}/accept`, 'northbank', 'admin'],
        ['post', `/api/v1/joint-incidents/${joint}/participants/${hub.orgId('northbank')}/decline`, 'northbank', 'admin'],
        ['post', `/api/v1/joint-incidents/${joint}/updates`, 'northbank', 'handler'],
        ['post', `/api/v1/joint-incidents/${joint}/decisions`, COORD, 'coordinator'],
        ['post', `/api/v1/joint-incidents/${joint}/observables`, 'northbank', 'handler'],
        ['post', `/api/v1/joint-incidents/${joint}/linked-incidents`, COORD, 'coordinator'],
        ['delete', `/api/v1/joint-incidents/${joint}/participants/${hub.orgId('gridpower')}`, COORD, 'coordinator'],
      ];
      const failures: string[] = [];
      for (const [method, path, slug, role] of writes) {
        for (const body of bodies) {
          const res = await send(method, path, slug, role, body);
          if (res.status >= 500 || res.status < 400) failures.push(`${method} ${path} ${JSON.stringify(body).slice(0, 60)} -> ${res.status}`);
        }
      }
      const lists = ['/api/v1/joint-incidents', `/api/v1/joint-incidents/${joint}/updates`, `/api/v1/joint-incidents/${joint}/decisions`,
        `/api/v1/joint-incidents/${joint}/observables`, `/api/v1/joint-incidents/${joint}/log/checkpoints`];
      const queries: Record<string, string>[] = [{ cursor: 'x' }, { cursor: Buffer.from('{"k":"not a date","id":"x"}').toString('base64url') }, { limit: '-1' },
        { limit: '1e9' }, { limit: 'abc' }, { phase: 'x' }, { severity: '9' }, { category: 'x'.repeat(5000) }, { exercise: 'maybe' }];
      for (const path of lists) {
        for (const query of queries) {
          for (const [slug, role] of [[COORD, 'coordinator'], ['northbank', 'viewer']] as const) {
            const res = await send('get', path, slug, role, undefined, query);
            if (res.status >= 500) failures.push(`get ${path} ${JSON.stringify(query)} as ${slug} -> ${res.status}`);
          }
        }
      }
      for (const path of ['/api/v1/joint-incidents/not-a-uuid', `/api/v1/joint-incidents/${joint}/updates/not-a-uuid`, '/api/v1/incidents/x/passes',
        `/api/v1/joint-incidents/${joint}/access`, `/api/v1/joint-incidents/${joint}/log/verify`, `/api/v1/joint-incidents/${MISSING}/linked-incidents`]) {
        const res = await send('get', path, 'northbank', 'admin');
        if (res.status >= 500) failures.push(`get ${path} -> ${res.status}`);
      }
      expect(failures).toEqual([]);
    }, 120000);
  });

  it("refuses a participation, decision or link written into another coordinator's joint incident", async () => {
    const joint = await openJoint([{ slug: 'northbank' }]);
    const attempts = [
      "INSERT INTO joint_participants (org_id, joint_incident_id, participant_org_id, role) VALUES (hub_current_org(), $1, $2, 'observer')",
      "INSERT INTO joint_decisions (org_id, joint_incident_id, decision, decided_by, marking) VALUES (hub_current_org(), $1, 'x', $2, 'AMBER')",
      'INSERT INTO joint_linked_incidents (org_id, joint_incident_id, incident_id, incident_org_id) VALUES (hub_current_org(), $1, $2, $2)',
    ];
    for (const sql of attempts) {
      await expect(as('gridpower', 'admin', (q) => q(sql, [joint, hub.orgId('northbank')]))).rejects.toThrow(/row-level security/);
    }
  });

  describe("the outbox keys of a change (hub_joint_object_grantees), asked by another participant", () => {
    let joint: string;
    let red: string;
    let teamOnly: string;
    let stMarys: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower' }, { slug: 'st-marys-hospital', pseudonymous: true }]);
      const participants = (await get(`/api/v1/joint-incidents/${joint}/participants`, COORD, 'coordinator')).body.items as { id: string; organisationId: string }[];
      stMarys = participants.find((p) => p.organisationId === hub.orgId('st-marys-hospital'))!.id;
      // A RED task for every participant, naming one user of GridPower and one of the pseudonymous St Mary's.
      const task = await post(`/api/v1/joint-incidents/${joint}/tasks`, COORD, {
        title: 'Rotate the shared secret', marking: 'RED', priority: 'high', dueAt: '2027-03-15T09:00', dueTimeZone: 'Europe/Berlin',
        assignee: hub.orgId('gridpower'), audience: 'all', audienceUsers: [hub.userId('gridpower', 'handler'), hub.userId('st-marys-hospital', 'handler')],
      }, 'coordinator');
      expect(task.status).toBe(201);
      red = task.body.id;
      const update = await post(`/api/v1/joint-incidents/${joint}/updates`, 'northbank', { kind: 'update', title: 'For the team', body: 'only', marking: 'AMBER', audience: 'coordinator' }, 'handler');
      expect(update.status).toBe(201);
      teamOnly = update.body.id;
    });
    const keysOf = (slug: DemoOrgSlug, object: string) =>
      as(slug, 'handler', async (sql) => (await sql<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $2) AS keys', [joint, object]))[0].keys);

    it("names a pseudonymous participant's users by its participation, never by a user id hub_user_org would resolve", async () => {
      const keys = await keysOf('gridpower', red);
      expect(keys).toContain(`user:${hub.userId('gridpower', 'handler')}`);
      expect(keys).toContain(`participant:${stMarys}`);
      expect(keys).not.toContain(`user:${hub.userId('st-marys-hospital', 'handler')}`);
      expect(keys.join(' ')).not.toContain(hub.orgId('st-marys-hospital'));
      // The coordinator sees who it is.
      expect(await keysOf(COORD, red)).toContain(`user:${hub.userId('st-marys-hospital', 'handler')}`);
    });

    it('tells a participant nothing about who reads an object it may not read itself', async () => {
      // Northbank's update for the coordination team: GridPower learns only that the coordinator reads it (not even the author).
      expect(await keysOf('gridpower', teamOnly)).toEqual([`org:${hub.orgId(COORD)}`]);
      // Its author, which reads it, still gets the readers.
      expect(await keysOf('northbank', teamOnly)).toEqual([`org:${hub.orgId(COORD)}`, `org:${hub.orgId('northbank')}`].sort());
    });
  });
});
