import pg from 'pg';
import { DEMO_ORGANISATIONS } from '#hub/demo-seed.js';
import { jointTasksSql, seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Tasks across organisations in a joint incident (issue 11 section 1), over HTTP: who assigns, who moves which
 * state, who reads what (audience, RED, removal, pseudonyms), the log and outbox of every change, "my tasks" and
 * the coordinator's view with their filters, paging and indexes, and due dates in IANA zones across DST changes.
 */
describe('joint incidents: tasks', () => {
  let hub: TestHub;
  const COORD = 'national-csirt';
  const seen: { who: string; body: string }[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
  });
  afterAll(async () => hub?.close());

  function keep<R extends { body: unknown; text?: string }>(who: string, res: R): R {
    seen.push({ who, body: `${JSON.stringify(res.body ?? '')} ${res.text ?? ''}` });
    return res;
  }
  const get = async (path: string, slug: DemoOrgSlug, role = 'admin') => keep(`${slug}/${role}`, await hub.http().get(path).set(bearer(hub.token(slug, role))));
  const post = async (path: string, slug: DemoOrgSlug, body: unknown, role = 'admin') =>
    keep(`${slug}/${role}`, await hub.http().post(path).set(bearer(hub.token(slug, role))).send(body as object));
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);

  async function openJoint(participants: { slug: DemoOrgSlug; pseudonymous?: boolean; role?: string }[], extra: Record<string, unknown> = {}) {
    const joint = await post('/api/v1/joint-incidents', COORD, { title: 'Phishing wave', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER', ...extra }, 'coordinator');
    expect(joint.status).toBe(201);
    const id = joint.body.id as string;
    for (const p of participants) {
      const invited = await post(`/api/v1/joint-incidents/${id}/participants`, COORD, { organisationId: hub.orgId(p.slug), role: p.role ?? 'affected', pseudonymous: p.pseudonymous ?? false }, 'coordinator');
      expect(invited.status).toBe(201);
      const contacts = await get(`/api/v1/organisations/${hub.orgId(p.slug)}/points-of-contact`, p.slug);
      const accepted = await post(`/api/v1/joint-incidents/${id}/participants/${hub.orgId(p.slug)}/accept`, p.slug, { pointsOfContact: [contacts.body.items[0].id] });
      expect(accepted.status).toBe(200);
    }
    return id;
  }
  async function participantId(jointId: string, slug: DemoOrgSlug): Promise<string> {
    const list = await hub.http().get(`/api/v1/joint-incidents/${jointId}/participants`).set(bearer(hub.token(COORD, 'coordinator'))).expect(200);
    const row = list.body.items.find((p: { organisationId?: string; organisation?: { id: string } }) => (p.organisationId ?? p.organisation?.id) === hub.orgId(slug));
    return row.id;
  }
  async function contactOf(slug: DemoOrgSlug): Promise<string> {
    return (await hub.http().get(`/api/v1/organisations/${hub.orgId(slug)}/points-of-contact`).set(bearer(hub.token(slug, 'admin'))).expect(200)).body.items[0].id;
  }
  const task = (body: Record<string, unknown>) => ({ title: 'Block the lookalike domains', description: 'At the resolver', marking: 'AMBER', priority: 'high', dueAt: '2027-03-15T09:00', dueTimeZone: 'Europe/Berlin', ...body });
  async function ownerQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[], org: DemoOrgSlug = COORD): Promise<T[]> {
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId(org)]);
      const { rows } = await owner.query<T>(sql, params);
      await owner.query('COMMIT');
      return rows;
    } finally {
      await owner.end();
    }
  }

  /** One transaction as hub_app in a caller's context (as TenantDatabase sets it), rolled back. */
  async function asApp<T>(slug: DemoOrgSlug, work: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>, reads = 'shared', role = 'admin'): Promise<T> {
    const client = await hub.appClient();
    await client.query('BEGIN');
    try {
      const kind = DEMO_ORGANISATIONS.find((o) => o.slug === slug)!.kind;
      await client.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true), set_config('hub.reads', $4, true)",
        [hub.orgId(slug), kind, hub.userId(slug, role), reads],
      );
      return await work(async (sql, params = []) => (await client.query(sql, params)).rows);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  }
  const insertTask = (jointId: string, slug: DemoOrgSlug, assignee: string) => (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) =>
    q(`INSERT INTO joint_tasks (org_id, joint_incident_id, assignee_participant_id, title, marking, priority, due_at, due_time_zone)
       VALUES ($1, $2, $3, 'forged', 'AMBER', 'low', now(), 'UTC') RETURNING id, history`, [hub.orgId(slug), jointId, assignee]);

  describe('assigning, reading and moving', () => {
    let joint: string;
    let gridParticipant: string;
    let tasks: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank', role: 'lead' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }]);
      gridParticipant = await participantId(joint, 'gridpower');
      tasks = `/api/v1/joint-incidents/${joint}/tasks`;
    });

    it('the coordinator assigns to a participant; the parties read it, the other participants and outsiders get 404', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), assigneeContactId: await contactOf('northbank') }), 'coordinator');
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        state: 'proposed',
        audience: 'parties',
        priority: 'high',
        exercise: false,
        overdue: false,
        version: 1,
        assigner: { id: hub.orgId(COORD), label: 'National CSIRT', participantId: null },
        assignee: { id: hub.orgId('northbank'), label: 'Northbank' },
        due: { at: '2027-03-15T08:00:00.000Z', timeZone: 'Europe/Berlin', local: '2027-03-15T09:00:00', offset: '+01:00' },
        history: [{ action: 'assign', from: null, to: 'proposed', actor: { id: hub.orgId(COORD), label: 'National CSIRT' } }],
      });
      const one = `${tasks}/${made.body.id}`;
      expect((await get(one, 'northbank', 'viewer')).status).toBe(200);
      expect((await get(one, COORD, 'viewer')).status).toBe(200);
      for (const slug of ['gridpower', 'st-marys-hospital', 'netwatch-isp'] as const) {
        expect((await get(one, slug)).status).toBe(404);
      }
      expect(ids(await get(tasks, 'st-marys-hospital'))).not.toContain(made.body.id);
      expect(ids(await get(tasks, 'northbank'))).toContain(made.body.id);
      expect((await get(tasks, 'netwatch-isp')).status).toBe(404);
    });

    it('only the coordination team (role coordinator) and the lead participant assign; the assignee is an accepted participant', async () => {
      expect((await post(tasks, 'st-marys-hospital', task({ assignee: hub.orgId('northbank') }), 'handler')).status).toBe(403);
      expect((await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'handler')).status).toBe(403);
      expect((await post(tasks, 'northbank', task({ assignee: hub.orgId('northbank') }), 'viewer')).status).toBe(403);
      const outsider = await post(tasks, COORD, task({ assignee: hub.orgId('netwatch-isp') }), 'coordinator');
      expect(outsider.status).toBe(422);
      expect(outsider.body.details[0]).toMatchObject({ field: 'assignee', rule: 'acceptedParticipant' });
      const foreignContact = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), assigneeContactId: await contactOf('st-marys-hospital') }), 'coordinator');
      expect(foreignContact.status).toBe(422);
      expect(foreignContact.body.details[0].field).toBe('assigneeContactId');
      const bad = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), priority: 'urgent' }), 'coordinator');
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('priority');
    });

    it('the lead assigns to a pseudonymous participant by its participant id only, never its contacts; the pseudonym shows everywhere but to the coordinator and itself', async () => {
      const byOrg = await post(tasks, 'northbank', task({ assignee: hub.orgId('gridpower') }), 'handler');
      expect(byOrg.status).toBe(422);
      expect(byOrg.body.details[0].field).toBe('assignee');
      const contact = await post(tasks, 'northbank', task({ assignee: gridParticipant, assigneeContactId: await contactOf('gridpower') }), 'handler');
      expect(contact.status).toBe(422);
      expect(contact.body.details[0].field).toBe('assigneeContactId');
      const made = await post(tasks, 'northbank', task({ assignee: gridParticipant }), 'handler');
      expect(made.status).toBe(201);
      expect(made.body.assignee).toEqual({ id: gridParticipant, label: expect.stringMatching(/^Participant [A-Z]+$/), participantId: gridParticipant });
      expect(made.body.due.inAssigneeZone).toBeNull();
      expect(made.body.due.inAssignerZone).toEqual({ timeZone: 'Europe/Berlin', local: '2027-03-15T09:00:00', offset: '+01:00' });
      const one = `${tasks}/${made.body.id}`;
      const itself = await get(one, 'gridpower', 'handler');
      expect(itself.body.assignee).toEqual({ id: hub.orgId('gridpower'), label: 'GridPower Energy', participantId: gridParticipant });
      expect(itself.body.due.inAssigneeZone).toEqual({ timeZone: 'Europe/Vienna', local: '2027-03-15T09:00:00', offset: '+01:00' });
      expect(itself.body.assigner).toMatchObject({ id: hub.orgId('northbank'), label: 'Northbank' });
      const coordinator = await get(one, COORD, 'viewer');
      expect(coordinator.body.assignee).toMatchObject({ id: hub.orgId('gridpower'), label: 'GridPower Energy' });
      expect((await get(one, 'st-marys-hospital')).status).toBe(404);
      // The coordinator may name the pseudonymous participant's own contact.
      expect((await post(tasks, COORD, task({ assignee: hub.orgId('gridpower'), assigneeContactId: await contactOf('gridpower') }), 'coordinator')).status).toBe(201);

      // The assignee moves it; the history shows it by its pseudonym to the assigner.
      const accepted = await post(`${one}/accept`, 'gridpower', { version: 1 }, 'handler');
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ state: 'accepted', version: 2 });
      const seenByLead = await get(one, 'northbank', 'handler');
      expect(seenByLead.body.history.map((h: { action: string }) => h.action)).toEqual(['assign', 'accept']);
      expect(seenByLead.body.history[1].actor).toEqual({ id: gridParticipant, label: made.body.assignee.label });
      expect((await get(one, COORD, 'viewer')).body.history[1].actor).toEqual({ id: hub.orgId('gridpower'), label: 'GridPower Energy' });
    });

    it('moves: only the assignee organisation (handlers and admins), in order, with reasons and outcomes, at the current version', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
      const one = `${tasks}/${made.body.id}`;
      expect((await post(`${one}/accept`, COORD, { version: 1 }, 'admin')).status).toBe(403);
      expect((await post(`${one}/accept`, 'st-marys-hospital', { version: 1 }, 'handler')).status).toBe(404);
      expect((await post(`${one}/accept`, 'northbank', { version: 1 }, 'viewer')).status).toBe(403);
      expect((await post(`${one}/start`, 'northbank', { version: 1 }, 'handler')).body).toMatchObject({ code: 'JOINT_TASK_STATE' });
      const stale = await post(`${one}/accept`, 'northbank', { version: 7 }, 'handler');
      expect(stale.status).toBe(409);
      expect(stale.body.details[0].field).toBe('version');
      expect((await post(`${one}/accept`, 'northbank', { version: 1 }, 'handler')).status).toBe(200);
      expect((await post(`${one}/start`, 'northbank', { version: 2 }, 'admin')).body).toMatchObject({ state: 'in_progress', version: 3 });
      const noOutcome = await post(`${one}/done`, 'northbank', { version: 3 }, 'handler');
      expect(noOutcome.status).toBe(400);
      expect(noOutcome.body.details[0].field).toBe('outcome');
      const done = await post(`${one}/done`, 'northbank', { version: 3, outcome: 'Blocked 14 domains' }, 'handler');
      expect(done.body).toMatchObject({ state: 'done', outcome: 'Blocked 14 domains', version: 4 });
      expect((await post(`${one}/cancel`, COORD, { version: 4, reason: 'late' }, 'coordinator')).status).toBe(409);

      const declined = await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
      const noReason = await post(`${tasks}/${declined.body.id}/decline`, 'northbank', { version: 1 }, 'handler');
      expect(noReason.status).toBe(400);
      expect(noReason.body.details[0].field).toBe('reason');
      const answer = await post(`${tasks}/${declined.body.id}/decline`, 'northbank', { version: 1, reason: 'Not our resolver' }, 'handler');
      expect(answer.body).toMatchObject({ state: 'declined', stateReason: 'Not our resolver' });
      expect(answer.body.history.at(-1)).toMatchObject({ action: 'decline', from: 'proposed', to: 'declined', note: 'Not our resolver', actor: { id: hub.orgId('northbank') } });
    });

    it('the assigner alone cancels (with a reason) and reassigns (back to proposed); the former assignee loses it', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
      const one = `${tasks}/${made.body.id}`;
      expect((await post(`${one}/cancel`, 'northbank', { version: 1, reason: 'no' }, 'handler')).status).toBe(403);
      expect((await post(`${one}/reassign`, 'northbank', { version: 1, reason: 'no', assignee: hub.orgId('st-marys-hospital') }, 'handler')).status).toBe(403);
      expect((await post(`${one}/accept`, 'northbank', { version: 1 }, 'handler')).status).toBe(200);
      const noReason = await post(`${one}/reassign`, COORD, { version: 2, assignee: hub.orgId('st-marys-hospital') }, 'coordinator');
      expect(noReason.status).toBe(400);
      expect(noReason.body.details[0].field).toBe('reason');
      const moved = await post(`${one}/reassign`, COORD, { version: 2, assignee: hub.orgId('st-marys-hospital'), reason: 'They run the resolver' }, 'coordinator');
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ state: 'proposed', stateReason: 'They run the resolver', assignee: { id: hub.orgId('st-marys-hospital') }, version: 3 });
      expect((await get(one, 'northbank')).status).toBe(404);
      expect((await get(one, 'st-marys-hospital')).status).toBe(200);
      const noCancelReason = await post(`${one}/cancel`, COORD, { version: 3 }, 'coordinator');
      expect(noCancelReason.body.details[0].field).toBe('reason');
      const cancelled = await post(`${one}/cancel`, COORD, { version: 3, reason: 'Fixed upstream' }, 'coordinator');
      expect(cancelled.body).toMatchObject({ state: 'cancelled', stateReason: 'Fixed upstream' });
      expect(cancelled.body.history.map((h: { action: string }) => h.action)).toEqual(['assign', 'accept', 'reassign', 'cancel']);
      expect((await post(`${one}/accept`, 'st-marys-hospital', { version: 4 }, 'handler')).status).toBe(409);
    });

    it('audience all reaches every accepted participant; RED reaches the named users only', async () => {
      const all = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), audience: 'all' }), 'coordinator');
      expect((await get(`${tasks}/${all.body.id}`, 'st-marys-hospital', 'viewer')).status).toBe(200);
      expect((await get(`${tasks}/${all.body.id}`, 'gridpower', 'viewer')).status).toBe(200);
      const noUsers = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), marking: 'RED' }), 'coordinator');
      expect(noUsers.body.details[0].field).toBe('audienceUsers');
      const red = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), marking: 'RED', audienceUsers: [hub.userId('northbank', 'handler')] }), 'coordinator');
      expect(red.status).toBe(201);
      expect(red.body.audienceUsers).toEqual([hub.userId('northbank', 'handler')]);
      expect((await get(`${tasks}/${red.body.id}`, 'northbank', 'handler')).body).not.toHaveProperty('audienceUsers');
      expect((await get(`${tasks}/${red.body.id}`, 'northbank', 'viewer')).status).toBe(404);
      expect((await post(`${tasks}/${red.body.id}/accept`, 'northbank', { version: 1 }, 'admin')).status).toBe(404);
      expect((await post(`${tasks}/${red.body.id}/accept`, 'northbank', { version: 1 }, 'handler')).status).toBe(200);
    });

    it("logs every change in the joint incident's chain and writes an outbox row routed to its readers", async () => {
      const log = await get(`/api/v1/joint-incidents/${joint}/log`, COORD, 'coordinator');
      const actions = log.body.items.map((e: { action: string }) => e.action);
      for (const action of ['joint_task.assigned', 'joint_task.accepted', 'joint_task.started', 'joint_task.done', 'joint_task.declined', 'joint_task.reassigned', 'joint_task.cancelled']) {
        expect(actions).toContain(action);
      }
      const declined = log.body.items.find((e: { action: string }) => e.action === 'joint_task.declined');
      expect(declined).toMatchObject({ reason: 'Not our resolver', actorOrgId: hub.orgId('northbank'), details: { from: 'proposed', to: 'declined' } });
      expect((await get(`/api/v1/joint-incidents/${joint}/log/verify`, COORD, 'coordinator')).body).toMatchObject({ valid: true });
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
      const rows = await ownerQuery<{ event_type: string; grantees: string[] }>('SELECT event_type, grantees FROM outbox WHERE aggregate_id = $1', [made.body.id]);
      expect(rows).toEqual([{ event_type: 'joint_task.created', grantees: [`org:${hub.orgId(COORD)}`, `org:${hub.orgId('northbank')}`].sort() }]);
      await post(`${tasks}/${made.body.id}/accept`, 'northbank', { version: 1 }, 'handler');
      const moved = await ownerQuery<{ event_type: string }>('SELECT event_type FROM outbox WHERE aggregate_id = $1', [made.body.id], 'northbank');
      expect(moved.map((r) => r.event_type)).toEqual(['joint_task.moved']);
    });

    it('removing the assignee from the joint incident ends its reading of the task', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('st-marys-hospital'), title: 'Before removal' }), 'coordinator');
      expect((await get(`${tasks}/${made.body.id}`, 'st-marys-hospital')).status).toBe(200);
      expect(ids(await get('/api/v1/tasks', 'st-marys-hospital'))).toContain(made.body.id);
      const removed = await hub.http().delete(`/api/v1/joint-incidents/${joint}/participants/${hub.orgId('st-marys-hospital')}`).set(bearer(hub.token(COORD, 'coordinator'))).send({ reason: 'left' });
      expect(removed.status).toBe(200);
      expect((await get(`${tasks}/${made.body.id}`, 'st-marys-hospital')).status).toBe(404);
      expect(ids(await get('/api/v1/tasks', 'st-marys-hospital'))).not.toContain(made.body.id);
      expect((await get(`${tasks}/${made.body.id}`, COORD, 'viewer')).status).toBe(200);
    });
  });

  describe('my tasks and the coordinator view', () => {
    let joint: string;
    let other: string;
    const made: Record<string, { id: string; version: number }> = {};
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower' }]);
      other = await openJoint([{ slug: 'northbank' }]);
      const assign = async (key: string, j: string, slug: DemoOrgSlug, dueAt: string) => {
        const res = await post(`/api/v1/joint-incidents/${j}/tasks`, COORD, task({ assignee: hub.orgId(slug), dueAt, dueTimeZone: 'UTC', title: key }), 'coordinator');
        expect(res.status).toBe(201);
        made[key] = res.body;
      };
      await assign('past', joint, 'northbank', '2020-01-01T09:00');
      await assign('soon', other, 'northbank', '2030-01-01T09:00');
      await assign('later', joint, 'northbank', '2031-01-01T09:00');
      await assign('grid', joint, 'gridpower', '2030-06-01T09:00');
      await assign('pastDone', other, 'northbank', '2020-02-01T09:00');
      const base = `/api/v1/joint-incidents/${other}/tasks/${made.pastDone.id}`;
      await post(`${base}/accept`, 'northbank', { version: 1 }, 'handler');
      await post(`${base}/start`, 'northbank', { version: 2 }, 'handler');
      await post(`${base}/done`, 'northbank', { version: 3, outcome: 'ok' }, 'handler');
    });
    // Other describe blocks assign to northbank too: only this block's tasks (titled by their key) count here.
    const KEYS = ['past', 'soon', 'later', 'grid', 'pastDone'];
    const titles = (res: { body: { items: { title: string }[] } }) => res.body.items.map((i) => i.title).filter((t) => KEYS.includes(t));

    it('my tasks: those assigned to my organisation across joint incidents, soonest due first, with filters', async () => {
      expect(titles(await get('/api/v1/tasks', 'northbank', 'viewer'))).toEqual(['past', 'pastDone', 'soon', 'later']);
      expect(titles(await get('/api/v1/tasks', 'gridpower', 'viewer'))).toEqual(['grid']);
      expect(titles(await get('/api/v1/tasks?overdue=true', 'northbank'))).toEqual(['past']);
      expect((await get('/api/v1/tasks?overdue=true', 'northbank')).body.items[0].overdue).toBe(true);
      expect(titles(await get('/api/v1/tasks?overdue=false', 'northbank'))).toEqual(['pastDone', 'soon', 'later']);
      expect(titles(await get('/api/v1/tasks?state=done', 'northbank'))).toEqual(['pastDone']);
      expect(titles(await get('/api/v1/tasks?dueBefore=2030-06-01T00:00:00Z', 'northbank'))).toEqual(['past', 'pastDone', 'soon']);
      expect(titles(await get('/api/v1/tasks', COORD, 'viewer'))).toEqual([]);
      for (const bad of ['state=open', 'overdue=yes', 'dueBefore=tomorrow', 'scope=everything', 'limit=0', 'cursor=@@']) {
        const res = await get(`/api/v1/tasks?${bad}`, 'northbank');
        expect(res.status).toBe(400);
        expect(res.body.details[0].field).toBe(bad.split('=')[0]);
      }
    });

    it('pages with a cursor, in my tasks and in the coordinator view of every task of its joint incidents', async () => {
      const walk = async (path: string, slug: DemoOrgSlug) => {
        const all: string[] = [];
        let cursor: string | null = null;
        do {
          const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=2${cursor ? `&cursor=${cursor}` : ''}`, slug);
          expect(res.status).toBe(200);
          expect(res.body.items.length).toBeLessThanOrEqual(2);
          all.push(...titles(res));
          cursor = res.body.nextCursor;
        } while (cursor);
        return all;
      };
      expect(await walk('/api/v1/tasks', 'northbank')).toEqual(['past', 'pastDone', 'soon', 'later']);
      const coordinated = await walk('/api/v1/tasks?scope=coordinated', COORD);
      expect(coordinated).toEqual(expect.arrayContaining(['past', 'pastDone', 'soon', 'grid', 'later']));
      expect(titles(await get('/api/v1/tasks?scope=coordinated&state=done', COORD))).toContain('pastDone');
      expect(titles(await get('/api/v1/tasks?scope=coordinated', 'northbank'))).toEqual([]);
    });

    it('walks an index for my tasks and for the coordinator view (EXPLAIN)', async () => {
      const app = await hub.appClient();
      const explain = async (slug: DemoOrgSlug, kind: string, sql: string, params: unknown[]) => {
        await app.query('BEGIN');
        await app.query(
          "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.reads', 'shared', true), set_config('enable_seqscan', 'off', true)",
          [hub.orgId(slug), kind],
        );
        const plan = await app.query(`EXPLAIN ${sql}`, params);
        await app.query('ROLLBACK');
        return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      try {
        const principal = (slug: DemoOrgSlug, orgKind: 'member' | 'coordinator') =>
          ({ kind: 'api_key' as const, id: '00000000-0000-4000-8000-000000000001', orgId: hub.orgId(slug), orgKind, roles: ['viewer' as const] });
        for (const pick of [{ limit: 51 }, { limit: 51, state: 'accepted', overdue: true }, { limit: 51, dueBefore: new Date('2030-01-01T00:00:00Z') }]) {
          const mine = jointTasksSql(principal('northbank', 'member') as never, { assigned: true }, pick);
          const minePlan = await explain('northbank', 'member', mine.sql, mine.values);
          // Own tasks by the assignee or the assigner index (whichever is narrower here), others' from the caller's grants.
          expect(minePlan).toMatch(/joint_tasks_(assignee|assigner)_idx/);
          expect(minePlan).toMatch(/access_feed_idx|access_object_idx/);
          expect(minePlan).not.toMatch(/Seq Scan on joint_tasks/);
          const coordinated = jointTasksSql(principal(COORD, 'coordinator') as never, { coordinated: true }, pick);
          const coordinatedPlan = await explain(COORD, 'coordinator', coordinated.sql, coordinated.values);
          expect(coordinatedPlan).toMatch(/joint_tasks_assigner_idx/);
          expect(coordinatedPlan).not.toMatch(/Seq Scan on joint_tasks/);
        }
      } finally {
        await app.end();
      }
    });
  });

  describe('due dates in IANA zones', () => {
    let joint: string;
    let tasks: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'st-marys-hospital' }], { exercise: true });
      tasks = `/api/v1/joint-incidents/${joint}/tasks`;
      // St Mary's runs on New York time for this test: its admin sets its zone.
      const zoned = await hub.http().patch(`/api/v1/organisations/${hub.orgId('st-marys-hospital')}`).set(bearer(hub.token('st-marys-hospital', 'admin'))).send({ timeZone: 'America/New_York' });
      expect(zoned.status).toBe(200);
      expect(zoned.body.timeZone).toBe('America/New_York');
    });
    afterAll(async () => {
      await hub.http().patch(`/api/v1/organisations/${hub.orgId('st-marys-hospital')}`).set(bearer(hub.token('st-marys-hospital', 'admin'))).send({ timeZone: 'Europe/Berlin' }).expect(200);
    });

    it('an organisation sets only its own zone, and only an IANA one', async () => {
      const mars = await hub.http().patch(`/api/v1/organisations/${hub.orgId('northbank')}`).set(bearer(hub.token('northbank', 'admin'))).send({ timeZone: 'Mars/Olympus' });
      expect(mars.status).toBe(400);
      expect(mars.body.details[0].field).toBe('timeZone');
      expect((await hub.http().patch(`/api/v1/organisations/${hub.orgId('gridpower')}`).set(bearer(hub.token('northbank', 'admin'))).send({ timeZone: 'UTC' })).status).toBe(404);
      expect((await hub.http().patch(`/api/v1/organisations/${hub.orgId('northbank')}`).set(bearer(hub.token('northbank', 'handler'))).send({ timeZone: 'UTC' })).status).toBe(403);
      const directory = await hub.http().get(`/api/v1/organisations/${hub.orgId('st-marys-hospital')}`).set(bearer(hub.token('northbank', 'admin'))).expect(200);
      expect(directory.body).not.toHaveProperty('timeZone');
    });

    it('09:00 New York the day after the US change (before the EU one) reads right in Berlin and New York', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('st-marys-hospital'), dueAt: '2027-03-15T09:00', dueTimeZone: 'America/New_York' }), 'coordinator');
      expect(made.status).toBe(201);
      expect(made.body.exercise).toBe(true);
      expect(made.body.due).toEqual({
        at: '2027-03-15T13:00:00.000Z',
        timeZone: 'America/New_York',
        local: '2027-03-15T09:00:00',
        offset: '-04:00',
        inAssignerZone: { timeZone: 'Europe/Berlin', local: '2027-03-15T14:00:00', offset: '+01:00' },
        inAssigneeZone: { timeZone: 'America/New_York', local: '2027-03-15T09:00:00', offset: '-04:00' },
      });
      // The same wall time a week earlier: both zones in winter time, six hours apart, not five.
      const before = await post(tasks, COORD, task({ assignee: hub.orgId('st-marys-hospital'), dueAt: '2027-03-08T09:00', dueTimeZone: 'America/New_York' }), 'coordinator');
      expect(before.body.due.inAssignerZone).toEqual({ timeZone: 'Europe/Berlin', local: '2027-03-08T15:00:00', offset: '+01:00' });
    });

    it('and the reverse: 09:00 Berlin the day after the EU autumn change (before the US one)', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('st-marys-hospital'), dueAt: '2027-11-01T09:00', dueTimeZone: 'Europe/Berlin' }), 'coordinator');
      expect(made.body.due).toMatchObject({ at: '2027-11-01T08:00:00.000Z', local: '2027-11-01T09:00:00', offset: '+01:00' });
      expect(made.body.due.inAssigneeZone).toEqual({ timeZone: 'America/New_York', local: '2027-11-01T04:00:00', offset: '-04:00' });
      const seen = await get(`${tasks}/${made.body.id}`, 'st-marys-hospital', 'viewer');
      expect(seen.body.due.inAssigneeZone.local).toBe('2027-11-01T04:00:00');
      expect(seen.body.due.inAssignerZone.local).toBe('2027-11-01T09:00:00');
    });

    it('refuses a zone that does not exist, a malformed date and a time in the gap; an ambiguous time needs its offset', async () => {
      const refused = async (body: Record<string, unknown>, field: string, rule: string) => {
        const res = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), ...body }), 'coordinator');
        expect(res.status).toBe(400);
        expect(res.body.details[0]).toMatchObject({ field, rule });
        return res;
      };
      await refused({ dueTimeZone: 'Mars/Olympus' }, 'dueTimeZone', 'ianaTimeZone');
      await refused({ dueAt: '2027-02-30T09:00' }, 'dueAt', 'dateTime');
      await refused({ dueAt: '2027-03-28T02:30' }, 'dueAt', 'existsInZone');
      const ambiguous = await refused({ dueAt: '2027-10-31T02:30' }, 'dueAt', 'unambiguousInZone');
      expect(ambiguous.body.message).toMatch(/offset/);
      await refused({ dueAt: '2027-10-31T02:30+05:00' }, 'dueAt', 'offsetMatchesZone');
      const withOffset = await post(tasks, COORD, task({ assignee: hub.orgId('northbank'), dueAt: '2027-10-31T02:30+01:00' }), 'coordinator');
      expect(withOffset.status).toBe(201);
      expect(withOffset.body.due).toMatchObject({ at: '2027-10-31T01:30:00.000Z', local: '2027-10-31T02:30:00', offset: '+01:00' });
    });
  });

  describe('the security review (task hardening)', () => {
    let joint: string;
    let tasks: string;
    let grid: string;
    let northbankP: string;
    const SECRET = 'GP internal: our SOC is down until Friday';
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank', role: 'lead' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }]);
      tasks = `/api/v1/joint-incidents/${joint}/tasks`;
      grid = await participantId(joint, 'gridpower');
      northbankP = await participantId(joint, 'northbank');
    });

    it("a declined assignee's note does not reach the next assignee (API and shared view); the assigner and the coordinator keep it", async () => {
      const made = await post(tasks, COORD, task({ assignee: grid, audience: 'all' }), 'coordinator');
      const one = `${tasks}/${made.body.id}`;
      expect((await post(`${one}/decline`, 'gridpower', { version: 1, reason: SECRET }, 'handler')).status).toBe(200);
      const moved = await post(`${one}/reassign`, COORD, { version: 2, assignee: hub.orgId('northbank'), reason: 'Northbank runs it' }, 'coordinator');
      expect(moved.status).toBe(200);
      const seen = await get(one, 'northbank', 'handler');
      expect(seen.status).toBe(200);
      expect(seen.body.history.map((h: { action: string; note: string | null }) => [h.action, h.note])).toEqual([
        ['assign', null], ['decline', null], ['reassign', 'Northbank runs it'],
      ]);
      expect(JSON.stringify((await get(one, 'st-marys-hospital', 'viewer')).body)).not.toContain(SECRET);
      const view = await asApp('northbank', (q) => q('SELECT history FROM shared_joint_tasks WHERE id = $1', [made.body.id]));
      expect(view).toHaveLength(1);
      expect(JSON.stringify(view)).not.toContain(SECRET);
      expect(moved.body.history[1]).toMatchObject({ action: 'decline', note: SECRET });

      // A lead's task: the coordinator reads it through the shared view, party to every entry.
      const lead = await post(tasks, 'northbank', task({ assignee: grid }), 'handler');
      expect((await post(`${tasks}/${lead.body.id}/decline`, 'gridpower', { version: 1, reason: SECRET }, 'handler')).status).toBe(200);
      expect((await post(`${tasks}/${lead.body.id}/reassign`, 'northbank', { version: 2, assignee: hub.orgId('st-marys-hospital'), reason: 'St Mary' }, 'handler')).status).toBe(200);
      expect((await get(`${tasks}/${lead.body.id}`, COORD, 'viewer')).body.history[1]).toMatchObject({ action: 'decline', note: SECRET });
      expect((await get(`${tasks}/${lead.body.id}`, 'st-marys-hospital', 'viewer')).body.history[1]).toMatchObject({ action: 'decline', note: null });
    });

    it('hub_move_joint_task tells an outsider or a former assignee nothing of a task: NULL state and version', async () => {
      const made = await post(tasks, COORD, task({ assignee: grid }), 'coordinator');
      await post(`${tasks}/${made.body.id}/reassign`, COORD, { version: 1, assignee: hub.orgId('northbank'), reason: 'moved on' }, 'coordinator');
      const move = (slug: DemoOrgSlug) => asApp(slug, (q) => q("SELECT * FROM hub_move_joint_task($1, $2, 2, 'accept', NULL)", [joint, made.body.id]), 'shared', 'handler');
      for (const slug of ['netwatch-isp', 'gridpower', 'st-marys-hospital'] as const) {
        expect({ slug, rows: await move(slug) }).toEqual({ slug, rows: [{ result: 'not_found', state: null, version: null }] });
      }
      expect(await asApp('northbank', (q) => q("SELECT * FROM hub_move_joint_task($1, $2, 9, 'accept', NULL)", [joint, made.body.id]), 'shared', 'handler')).toEqual([
        { result: 'stale', state: 'proposed', version: 2 },
      ]);
    });

    it('bounds every version: an integer beyond PostgreSQL integer is a 400 naming the field', async () => {
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
      for (const [path, body] of [
        ['start', { version: 99999999999 }],
        ['cancel', { version: 2147483648, reason: 'x' }],
        ['reassign', { version: 99999999999, reason: 'x', assignee: hub.orgId('st-marys-hospital') }],
      ] as const) {
        const res = await post(`${tasks}/${made.body.id}/${path}`, path === 'start' ? 'northbank' : COORD, body, path === 'start' ? 'handler' : 'coordinator');
        expect({ path, status: res.status, field: res.body.details?.[0]?.field }).toEqual({ path, status: 400, field: 'version' });
      }
    });

    it('as hub_app: only the coordinator or the accepted lead inserts; the assigner only cancels or reassigns, and the history is written for it', async () => {
      await expect(asApp('st-marys-hospital', insertTask(joint, 'st-marys-hospital', northbankP))).rejects.toThrow(/row-level security/);
      await expect(asApp('gridpower', insertTask(joint, 'gridpower', northbankP))).rejects.toThrow(/row-level security/);
      const [lead] = await asApp('northbank', insertTask(joint, 'northbank', grid));
      expect(lead.history).toEqual([expect.objectContaining({ action: 'assign', actor: northbankP, note: null })]);
      const made = await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
      const forged = [{ at: '2027-01-01T00:00:00Z', action: 'done', from: 'in_progress', to: 'done', actor: northbankP, note: 'forged' }];
      for (const set of [
        `state = 'done', outcome = 'forged', history = '${JSON.stringify(forged)}'::jsonb`,
        `state = 'accepted'`,
        `state = 'declined', state_reason = 'forged'`,
        `state = 'in_progress'`,
        `title = 'renamed'`,
      ]) {
        await expect(asApp(COORD, (q) => q(`UPDATE joint_tasks SET ${set} WHERE id = $1`, [made.body.id]))).rejects.toMatchObject({ code: '42501' });
      }
      const [cancelled] = await asApp(COORD, (q) =>
        q(`UPDATE joint_tasks SET state = 'cancelled', state_reason = 'why', history = '${JSON.stringify(forged)}'::jsonb WHERE id = $1 RETURNING history, version`, [made.body.id]),
      );
      expect(cancelled.version).toBe(2);
      expect((cancelled.history as { action: string; actor: string | null; note: string | null }[]).map((h) => [h.action, h.actor, h.note])).toEqual([
        ['assign', null, null], ['cancel', null, 'why'],
      ]);
    });

    it("hub_app may not read another organisation's time zone; its own through hub_org_time_zone", async () => {
      await expect(asApp('northbank', (q) => q('SELECT time_zone FROM organisations WHERE id = $1', [hub.orgId('gridpower')]))).rejects.toMatchObject({ code: '42501' });
      await expect(asApp('northbank', (q) => q('SELECT * FROM organisations'))).rejects.toMatchObject({ code: '42501' });
      expect(await asApp('northbank', (q) => q('SELECT hub_org_time_zone($1) AS own, hub_org_time_zone($2) AS other', [hub.orgId('northbank'), hub.orgId('gridpower')]))).toEqual([
        { own: 'Europe/Berlin', other: null },
      ]);
      expect((await get(`/api/v1/organisations/${hub.orgId('northbank')}`, 'northbank')).body.timeZone).toBe('Europe/Berlin');
      const directory = await hub.http().get('/api/v1/organisations?limit=100').set(bearer(hub.token('operator'))).expect(200);
      expect(directory.body.items.find((o: { id: string }) => o.id === hub.orgId('gridpower')).timeZone).toBe('Europe/Vienna');
    });
  });

  it("a closed joint incident's tasks are final", async () => {
    const joint = await openJoint([{ slug: 'northbank' }]);
    const made = await post(`/api/v1/joint-incidents/${joint}/tasks`, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator');
    let version = 1;
    for (const phase of ['assess_decide', 'learn_lessons', 'closed']) {
      if (phase === 'closed') {
        // Closing needs the joint report published (the lessons-learned review).
        const report = await hub.http().put(`/api/v1/joint-incidents/${joint}/report`).set(bearer(hub.token(COORD, 'coordinator'))).send({ summary: 'Reviewed', marking: 'AMBER' });
        expect(report.status).toBe(200);
        expect((await post(`/api/v1/joint-incidents/${joint}/report/publish`, COORD, { version: report.body.version }, 'coordinator')).status).toBe(200);
        version = (await get(`/api/v1/joint-incidents/${joint}`, COORD, 'coordinator')).body.version;
      }
      const moved = await post(`/api/v1/joint-incidents/${joint}/phase`, COORD, { phase, reason: 'done', version, closingSummary: 'Contained and reviewed' }, 'coordinator');
      expect(moved.status).toBe(200);
      version = moved.body.version;
    }
    const tasks = `/api/v1/joint-incidents/${joint}/tasks`;
    expect((await post(tasks, COORD, task({ assignee: hub.orgId('northbank') }), 'coordinator')).body.code).toBe('JOINT_INCIDENT_CLOSED');
    expect((await post(`${tasks}/${made.body.id}/accept`, 'northbank', { version: 1 }, 'handler')).body.code).toBe('JOINT_INCIDENT_CLOSED');
    expect((await post(`${tasks}/${made.body.id}/cancel`, COORD, { version: 1, reason: 'x' }, 'coordinator')).body.code).toBe('JOINT_INCIDENT_CLOSED');
    expect((await get(`${tasks}/${made.body.id}`, 'northbank')).status).toBe(200);
    // The database refuses them too, for hub_app: no insert, no cancellation after the close.
    const northbank = await participantId(joint, 'northbank');
    await expect(asApp(COORD, insertTask(joint, COORD, northbank))).rejects.toThrow(/row-level security/);
    await expect(asApp(COORD, (q) => q("UPDATE joint_tasks SET state = 'cancelled', state_reason = 'late' WHERE id = $1", [made.body.id]))).rejects.toThrow(/row-level security/);
  });

  it("never shows a pseudonymous participant's organisation to another participant", () => {
    const grid = DEMO_ORGANISATIONS.find((o) => o.slug === 'gridpower')!;
    const others = seen.filter((s) => s.who.startsWith('northbank/') || s.who.startsWith('st-marys-hospital/'));
    expect(others.length).toBeGreaterThan(20);
    for (const response of others) {
      expect(response.body).not.toContain(hub.orgId('gridpower'));
      expect(response.body).not.toContain(grid.name);
      expect(response.body).not.toContain('Europe/Vienna');
    }
  });
});
