import pg from 'pg';
import { DataSource } from 'typeorm';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase } from '#database';
import { improvementActionFigures, improvementActionsSql, sharedImprovementActionFigures } from '#improvement-actions';
import { seedDemoAgreement } from '#joint-incidents';
import { ImprovementActions1765526400000 } from '../libs/database/src/migrations/1765526400000-improvement-actions.js';
import { createTestDatabase } from './support/test-database.js';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Improvement actions over HTTP (issue 11 section 3): raised from an organisation's own reviewed incident or from a
 * joint incident's review, written by their owner only, moved through their states with evidence, listed with
 * filters and paging, and shared with the coordination team, which reads them exactly while the owner shares, the
 * action is not RED and the owner still takes part. Other participants never read another's action.
 */
describe('improvement actions', () => {
  let hub: TestHub;
  const COORD = 'national-csirt';
  const A = '/api/v1/improvement-actions';
  const J = '/api/v1/joint-incidents';

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
  });
  afterAll(async () => hub?.close());

  const role = (slug: DemoOrgSlug) => (slug === COORD ? 'coordinator' : 'handler');
  const as = (slug: DemoOrgSlug, who = role(slug)) => {
    const auth = bearer(hub.token(slug, who));
    return {
      get: (path: string) => hub.http().get(path).set(auth),
      post: (path: string, body: object = {}) => hub.http().post(path).set(auth).send(body),
      patch: (path: string, body: object = {}) => hub.http().patch(path).set(auth).send(body),
      put: (path: string, body: object = {}) => hub.http().put(path).set(auth).send(body),
      delete: (path: string, body: object = {}) => hub.http().delete(path).set(auth).send(body),
    };
  };
  const action = (extra: Record<string, unknown> = {}) => ({ kind: 'control', title: 'Enforce MFA on webmail', dueOn: '2030-06-30', marking: 'AMBER', ...extra });

  async function jointInReview(participants: { slug: DemoOrgSlug; pseudonymous?: boolean }[], options: { exercise?: boolean } = {}) {
    const joint = (await as(COORD).post(J, { title: 'Review', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER', ...options }).expect(201)).body.id as string;
    for (const p of participants) {
      await as(COORD).post(`${J}/${joint}/participants`, { organisationId: hub.orgId(p.slug), role: 'affected', pseudonymous: p.pseudonymous ?? false }).expect(201);
      const contacts = await as(p.slug, 'admin').get(`/api/v1/organisations/${hub.orgId(p.slug)}/points-of-contact`).expect(200);
      await as(p.slug, 'admin').post(`${J}/${joint}/participants/${hub.orgId(p.slug)}/accept`, { pointsOfContact: [contacts.body.items[0].id] }).expect(200);
    }
    return joint;
  }
  async function movePhase(joint: string, phases: string[]) {
    let version = (await as(COORD).get(`${J}/${joint}`).expect(200)).body.version;
    for (const phase of phases) {
      version = (await as(COORD).post(`${J}/${joint}/phase`, { phase, reason: 'next', version, closingSummary: 'Reviewed' }).expect(200)).body.version;
    }
  }
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);
  /** A statement as the owner role, in the tenant context of one organisation (the outbox is row-level secured too). */
  async function ownerQuery(slug: DemoOrgSlug, sql: string, params: unknown[]) {
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId(slug)]);
      const { rows } = await owner.query(sql, params);
      await owner.query('COMMIT');
      return rows;
    } finally {
      await owner.end();
    }
  }

  describe("from an organisation's own incident", () => {
    let incident: string;
    beforeAll(async () => {
      incident = (await as('northbank').post('/api/v1/incidents', { title: 'Phish', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER' }).expect(201)).body.id;
    });

    it('needs the report (or the review phase), the caller\'s own incident, and good input naming the field', async () => {
      const early = await as('northbank').post(`/api/v1/incidents/${incident}/actions`, action()).expect(409);
      expect(early.body.code).toBe('ACTION_SOURCE_NOT_REVIEWED');
      const inc = (await as('northbank').get(`/api/v1/incidents/${incident}`).expect(200)).body;
      await as('northbank').put(`/api/v1/incidents/${incident}/report`, { summary: 's', lessonsLearned: 'MFA', version: inc.version }).expect(200);
      // Another organisation's incident, or none: the same 404.
      const other = await as('gridpower').post(`/api/v1/incidents/${incident}/actions`, action());
      const missing = await as('gridpower').post(`/api/v1/incidents/00000000-0000-4000-8000-00000000abcd/actions`, action());
      expect(other.status).toBe(404);
      expect(other.body.message).toBe(missing.body.message);
      for (const [body, field] of [
        [action({ kind: 'wish' }), 'kind'],
        [action({ dueOn: '2030-02-30' }), 'dueOn'],
        [action({ dueOn: '30/06/2030' }), 'dueOn'],
        [action({ marking: 'amber' }), 'marking'],
        [action({ title: '' }), 'title'],
        [action({ ownerUserId: hub.userId('gridpower', 'handler') }), 'ownerUserId'],
        [action({ extra: 1 }), 'extra'],
      ] as const) {
        const res = await as('northbank').post(`/api/v1/incidents/${incident}/actions`, body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      const shared = await as('northbank').post(`/api/v1/incidents/${incident}/actions`, action({ shareWithCoordinator: true })).expect(422);
      expect(shared.body.details[0]).toMatchObject({ field: 'shareWithCoordinator', rule: 'jointSourced' });
      await as('northbank', 'viewer').post(`/api/v1/incidents/${incident}/actions`, action()).expect(403);
    });

    it('is created, moved open → in_progress → done with evidence, logged in the incident chain and the outbox', async () => {
      const created = await as('northbank').post(`/api/v1/incidents/${incident}/actions`, action({ ownerUserId: hub.userId('northbank', 'admin') })).expect(201);
      const id = created.body.id;
      expect(created.body).toMatchObject({
        owner: { organisationId: hub.orgId('northbank'), userId: hub.userId('northbank', 'admin') },
        source: { type: 'incident', incidentId: incident, jointIncidentId: null },
        state: 'open',
        overdue: false,
        exercise: false,
        shareWithCoordinator: false,
        version: 1,
        evidence: [],
      });
      // Transitions: open cannot jump to done; stale versions refused; drop needs a reason.
      expect((await as('northbank').patch(`${A}/${id}`, { version: 1, state: 'done' }).expect(422)).body.details[0]).toMatchObject({ field: 'state' });
      expect((await as('northbank').patch(`${A}/${id}`, { version: 9, title: 'x' }).expect(409)).body.code).toBe('ACTION_STALE_VERSION');
      expect((await as('northbank').patch(`${A}/${id}`, { version: 1, state: 'dropped' }).expect(400)).body.details[0]).toMatchObject({ field: 'dropReason' });
      const started = await as('northbank').patch(`${A}/${id}`, { version: 1, state: 'in_progress', title: 'Enforce MFA everywhere' }).expect(200);
      expect(started.body).toMatchObject({ state: 'in_progress', title: 'Enforce MFA everywhere', version: 2 });
      // Evidence: https only, bounded, appended with who and when.
      const badLink = await as('northbank').post(`${A}/${id}/evidence`, { note: 'n', links: ['http://intranet.example/mfa'] }).expect(400);
      expect(badLink.body.details[0].field).toBe('links');
      const tooMany = await as('northbank').post(`${A}/${id}/evidence`, { note: 'n', links: Array.from({ length: 11 }, (_, i) => `https://e.example/${i}`) }).expect(400);
      expect(tooMany.body.details[0].field).toBe('links');
      await as('northbank').post(`${A}/${id}/evidence`, { note: 'Policy updated', links: ['https://intranet.example/mfa-policy'] }).expect(201);
      const evidence = await as('northbank', 'admin').post(`${A}/${id}/evidence`, { note: 'Rolled out' }).expect(201);
      expect(evidence.body.evidence).toEqual([
        { note: 'Policy updated', links: ['https://intranet.example/mfa-policy'], addedBy: hub.userId('northbank', 'handler'), addedAt: expect.any(String) },
        { note: 'Rolled out', links: [], addedBy: hub.userId('northbank', 'admin'), addedAt: expect.any(String) },
      ]);
      const done = await as('northbank').patch(`${A}/${id}`, { version: evidence.body.version, state: 'done' }).expect(200);
      expect(done.body).toMatchObject({ state: 'done', doneAt: expect.any(String) });
      expect((await as('northbank').patch(`${A}/${id}`, { version: done.body.version, title: 'late' }).expect(409)).body.code).toBe('ACTION_FINISHED');
      expect((await as('northbank').patch(`${A}/${id}`, { version: done.body.version, state: 'open' }).expect(422)).body.details[0].field).toBe('state');
      // Nobody else writes or reads it: the same 404 as a missing id.
      for (const slug of ['gridpower', COORD] as const) {
        expect((await as(slug).get(`${A}/${id}`)).status).toBe(404);
        expect((await as(slug).patch(`${A}/${id}`, { version: done.body.version, title: 'x' })).status).toBe(404);
        expect((await as(slug).post(`${A}/${id}/evidence`, { note: 'x' })).status).toBe(404);
      }
      const log = await as('northbank').get(`/api/v1/incidents/${incident}/log`).expect(200);
      const actions = log.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['improvement_action.raised', 'improvement_action.in_progress', 'improvement_action.evidence_added', 'improvement_action.done']));
      expect((await as('northbank').get(`/api/v1/incidents/${incident}/log/verify`).expect(200)).body).toMatchObject({ valid: true });
      const outbox = await ownerQuery('northbank', 'SELECT event_type, grantees, org_id FROM outbox WHERE aggregate_id = $1 ORDER BY seq', [id]);
      expect(outbox.length).toBe(5);
      expect(outbox[0]).toEqual({ event_type: 'improvement_action.created', grantees: [`org:${hub.orgId('northbank')}`], org_id: hub.orgId('northbank') });
    });

    it('drops with a reason, and lists by state, kind, source and overdue, paged, walking its index', async () => {
      const overdue = (await as('northbank').post(`/api/v1/incidents/${incident}/actions`, action({ kind: 'training', dueOn: '2020-01-31' })).expect(201)).body;
      expect(overdue.overdue).toBe(true);
      const dropped = (await as('northbank').post(`/api/v1/incidents/${incident}/actions`, action({ kind: 'plan', dueOn: '2020-01-31' })).expect(201)).body;
      const drop = await as('northbank').patch(`${A}/${dropped.id}`, { version: 1, state: 'dropped', dropReason: 'superseded' }).expect(200);
      expect(drop.body).toMatchObject({ state: 'dropped', dropReason: 'superseded', overdue: false });
      expect(ids(await as('northbank').get(`${A}?overdue=true`).expect(200))).toEqual([overdue.id]);
      expect(ids(await as('northbank').get(`${A}?state=dropped`).expect(200))).toEqual([dropped.id]);
      expect(ids(await as('northbank').get(`${A}?kind=training`).expect(200))).toEqual([overdue.id]);
      expect(ids(await as('northbank').get(`${A}?source=joint_incident`).expect(200))).toEqual([]);
      const all = ids(await as('northbank').get(`${A}?source=incident`).expect(200));
      expect(all.length).toBe(3);
      const first = await as('northbank').get(`${A}?limit=2`).expect(200);
      const second = await as('northbank').get(`${A}?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first), ...ids(second)]).toEqual(all);
      expect(second.body.nextCursor).toBeNull();
      for (const [query, field] of [['state=late', 'state'], ['overdue=maybe', 'overdue'], ['limit=500', 'limit'], ['cursor=nope', 'cursor']]) {
        expect((await as('northbank').get(`${A}?${query}`).expect(400)).body.details[0].field).toBe(field);
      }
      expect(ids(await as('gridpower').get(A).expect(200))).not.toContain(overdue.id);

      const principal = { kind: 'api_key' as const, id: '00000000-0000-4000-8000-000000000001', orgId: hub.orgId('northbank'), orgKind: 'member' as const, roles: ['viewer' as const] };
      const client = await hub.appClient();
      for (const query of [{}, { state: 'open' as const }, { overdue: true }, { kind: 'plan' as const, source: 'incident' as const }]) {
        const statement = improvementActionsSql(principal as unknown as OrgPrincipal, { limit: 51, query: { limit: 50, ...query } });
        await client.query('BEGIN');
        await client.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true), set_config('enable_sort', 'off', true)", [hub.orgId('northbank')]);
        const plan = (await client.query(`EXPLAIN ${statement.sql}`, statement.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
        await client.query('ROLLBACK');
        expect(plan).toMatch(/improvement_actions_own_idx/);
        expect(plan).not.toMatch(/Seq Scan/);
      }
    });
  });

  describe("from a joint incident's review, shared with the coordination team", () => {
    let joint: string;
    beforeAll(async () => {
      joint = await jointInReview([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }]);
    });

    it('is raised only in learn_lessons or closed, by a member, for itself', async () => {
      const early = await as('northbank').post(`${J}/${joint}/actions`, action()).expect(409);
      expect(early.body.code).toBe('ACTION_SOURCE_NOT_REVIEWED');
      await movePhase(joint, ['assess_decide', 'learn_lessons']);
      const outsider = await as('netwatch-isp').post(`${J}/${joint}/actions`, action());
      expect(outsider.status).toBe(404);
      const red = await as('northbank').post(`${J}/${joint}/actions`, action({ marking: 'RED', shareWithCoordinator: true })).expect(422);
      expect(red.body).toMatchObject({ code: 'ACTION_RED_NOT_SHAREABLE', details: [{ field: 'shareWithCoordinator', rule: 'notRED' }] });
      expect((await as('northbank').post(`${J}/${joint}/actions`, action({ ownerUserId: hub.userId(COORD, 'coordinator') })).expect(400)).body.details[0].field).toBe('ownerUserId');
    });

    it('reaches the coordinator while shared, never another participant, and every way of ending it ends it', async () => {
      const mine = (await as('northbank').post(`${J}/${joint}/actions`, action({ shareWithCoordinator: true })).expect(201)).body;
      const pseud = (await as('gridpower').post(`${J}/${joint}/actions`, action({ kind: 'risk_rating', shareWithCoordinator: true })).expect(201)).body;
      const unshared = (await as('st-marys-hospital').post(`${J}/${joint}/actions`, action({ kind: 'plan' })).expect(201)).body;
      const coords = (await as(COORD).post(`${J}/${joint}/actions`, action({ kind: 'other' })).expect(201)).body;
      expect(mine.source).toEqual({ type: 'joint_incident', incidentId: null, jointIncidentId: joint });

      // The coordinator: its own and the two shared, the pseudonymous participant's by its organisation.
      const coordList = await as(COORD).get(`${J}/${joint}/actions`).expect(200);
      expect(ids(coordList).sort()).toEqual([mine.id, pseud.id, coords.id].sort());
      const seenPseud = coordList.body.items.find((i: { id: string }) => i.id === pseud.id);
      expect(seenPseud).toMatchObject({ own: false, owner: { organisationId: hub.orgId('gridpower'), label: 'GridPower Energy' } });
      expect((await as(COORD, 'viewer').get(`${A}/${mine.id}`).expect(200)).body).toMatchObject({ own: false, source: { incidentId: null } });
      expect((await as(COORD).get(`${A}/${unshared.id}`)).status).toBe(404);
      // The coordinator reads, never writes, a shared action.
      expect((await as(COORD).patch(`${A}/${mine.id}`, { version: 1, title: 'x' })).status).toBe(404);
      // Each participant: its own only.
      for (const [slug, own] of [['northbank', mine.id], ['gridpower', pseud.id], ['st-marys-hospital', unshared.id]] as const) {
        expect(ids(await as(slug).get(`${J}/${joint}/actions`).expect(200))).toEqual([own]);
        for (const other of [mine.id, pseud.id, unshared.id, coords.id].filter((x) => x !== own)) expect((await as(slug).get(`${A}/${other}`)).status).toBe(404);
      }
      expect((await as('netwatch-isp').get(`${J}/${joint}/actions`)).status).toBe(404);

      // Unshare: gone for the coordinator, logged in the joint chain, the outbox routed to who lost it too.
      const off = await as('northbank').patch(`${A}/${mine.id}`, { version: 1, shareWithCoordinator: false }).expect(200);
      expect((await as(COORD).get(`${A}/${mine.id}`)).status).toBe(404);
      const outbox = await ownerQuery('northbank', 'SELECT grantees FROM outbox WHERE aggregate_id = $1 ORDER BY seq', [mine.id]);
      expect(outbox.at(-1).grantees).toEqual([`org:${hub.orgId(COORD)}`, `org:${hub.orgId('northbank')}`].sort());
      // Share again, then tighten to RED: refused while shared, and tightening with unsharing ends it.
      const on = await as('northbank').patch(`${A}/${mine.id}`, { version: off.body.version, shareWithCoordinator: true }).expect(200);
      expect((await as(COORD).get(`${A}/${mine.id}`)).status).toBe(200);
      expect((await as('northbank').patch(`${A}/${mine.id}`, { version: on.body.version, marking: 'RED' }).expect(422)).body.code).toBe('ACTION_RED_NOT_SHAREABLE');
      await as('northbank').patch(`${A}/${mine.id}`, { version: on.body.version, marking: 'RED', shareWithCoordinator: false }).expect(200);
      expect((await as(COORD).get(`${A}/${mine.id}`)).status).toBe(404);
      // The database itself refuses a shared RED action, whatever the service says.
      const client = await hub.appClient();
      await client.query('BEGIN');
      await client.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true)", [hub.orgId('northbank')]);
      await expect(client.query('UPDATE improvement_actions SET share_with_coordinator = true WHERE id = $1', [mine.id])).rejects.toThrow(/check/);
      await client.query('ROLLBACK');
      // Nor can it name another organisation's incident or user (or probe whether they exist), or move the source.
      const probes: [string, unknown[]][] = [
        [`INSERT INTO improvement_actions (org_id, owner_user_id, source_type, incident_id, kind, title, due_on, marking)
          VALUES ($1, $2, 'incident', $3, 'plan', 'probe', '2030-01-01', 'AMBER')`, [hub.orgId('northbank'), hub.userId('northbank', 'handler'), pseud.id]],
        [`INSERT INTO improvement_actions (org_id, owner_user_id, source_type, joint_incident_id, kind, title, due_on, marking)
          VALUES ($1, $2, 'joint_incident', $3, 'plan', 'probe', '2030-01-01', 'AMBER')`, [hub.orgId('northbank'), hub.userId('gridpower', 'handler'), joint]],
        ['UPDATE improvement_actions SET joint_incident_id = NULL, source_type = $2, incident_id = NULL WHERE id = $1', [mine.id, 'incident']],
      ];
      for (const [sql, params] of probes) {
        await client.query('BEGIN');
        await client.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true)", [hub.orgId('northbank')]);
        await expect(client.query(sql, params)).rejects.toThrow(/row-level security|keeps its owner and source|check constraint/);
        await client.query('ROLLBACK');
      }

      // Removal of the owner: the grant ends in the same transaction; the owner still updates its action.
      expect((await as(COORD).get(`${A}/${pseud.id}`)).status).toBe(200);
      await as(COORD).delete(`${J}/${joint}/participants/${hub.orgId('gridpower')}`, { reason: 'left the sector' }).expect(200);
      expect((await as(COORD).get(`${A}/${pseud.id}`)).status).toBe(404);
      expect(ids(await as(COORD).get(`${J}/${joint}/actions`).expect(200))).not.toContain(pseud.id);
      const after = await as('gridpower').patch(`${A}/${pseud.id}`, { version: 1, state: 'in_progress', shareWithCoordinator: true }).expect(200);
      expect(after.body).toMatchObject({ state: 'in_progress', shareWithCoordinator: true });
      expect((await as(COORD).get(`${A}/${pseud.id}`)).status).toBe(404);
      await as('gridpower').post(`${A}/${pseud.id}/evidence`, { note: 'still following through' }).expect(201);
      expect((await as(COORD).get(`${A}/${pseud.id}`)).status).toBe(404);
      const grants = await ownerQuery(COORD, "SELECT grantee FROM access WHERE object_type = 'improvement_action' AND object_id = ANY ($1::uuid[])", [[mine.id, pseud.id, unshared.id]]);
      expect(grants).toEqual([]);

      // The joint chain names each change by ids only; it verifies.
      const log = await as(COORD).get(`${J}/${joint}/log`).expect(200);
      const entries = log.body.items.filter((e: { action: string }) => e.action.startsWith('improvement_action.'));
      expect(entries.map((e: { details: { actionId: string } }) => e.details.actionId)).toEqual(expect.arrayContaining([mine.id, pseud.id, unshared.id, coords.id]));
      expect((await as(COORD).get(`${J}/${joint}/log/verify`).expect(200)).body).toMatchObject({ valid: true });
    });

    it('counts for the management-review figures, exercises left out', async () => {
      const exercise = await jointInReview([{ slug: 'st-marys-hospital' }], { exercise: true });
      await movePhase(exercise, ['assess_decide', 'learn_lessons']);
      const drill = (await as('st-marys-hospital').post(`${J}/${exercise}/actions`, action({ dueOn: '2020-01-01', shareWithCoordinator: true })).expect(201)).body;
      expect(drill.exercise).toBe(true);
      expect((await as(COORD).get(`${A}/${drill.id}`)).status).toBe(200);
      // Not taking part in the joint incident: nothing to raise there.
      expect((await as('netwatch-isp').post(`${J}/${joint}/actions`, action({ dueOn: '2020-01-01' }))).status).toBe(404);
      const late = (await as('northbank').post(`${J}/${joint}/actions`, action({ dueOn: '2020-01-01', shareWithCoordinator: true })).expect(201)).body;
      expect(late.overdue).toBe(true);
      const db = hub.app.get(TenantDatabase);
      const principalOf = (slug: DemoOrgSlug, orgKind: 'member' | 'coordinator') =>
        ({ kind: 'api_key', id: '00000000-0000-4000-8000-000000000001', orgId: hub.orgId(slug), orgKind, roles: ['viewer'] }) as unknown as OrgPrincipal;
      const window = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
      // St Mary's: its unshared joint action (open, not overdue); the drill, overdue as it is, stays out.
      const stMarys = await db.run(tenantContextOf(principalOf('st-marys-hospital', 'member')), (tx) => improvementActionFigures(tx, { orgId: hub.orgId('st-marys-hospital'), ...window }));
      expect(stMarys).toEqual({ open: 1, overdue: 0, done: 0 });
      const northbank = await db.run(tenantContextOf(principalOf('northbank', 'member')), (tx) => improvementActionFigures(tx, { orgId: hub.orgId('northbank'), ...window }));
      // Incident actions: one done, one overdue open, one dropped; joint ones: one open, one overdue.
      expect(northbank).toEqual({ open: 3, overdue: 2, done: 1 });
      const none = await db.run(tenantContextOf(principalOf('northbank', 'member')), (tx) =>
        improvementActionFigures(tx, { orgId: hub.orgId('northbank'), from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' }),
      );
      expect(none.done).toBe(0);
      // The coordinator: what is shared with it now, the late one (the drill is an exercise and stays out).
      const coordinator = await db.run(sharedReadContextOf(principalOf(COORD, 'coordinator')), (tx) => sharedImprovementActionFigures(tx, { orgId: hub.orgId(COORD), ...window }));
      expect(coordinator).toEqual({ open: 1, overdue: 1, done: 0 });
    });
  });

  it("the migration's down() takes the type, its hook and its view away, and up() puts them back", async () => {
    const db = await createTestDatabase();
    const owner = await new DataSource({ type: 'postgres', url: db.ownerUrl }).initialize();
    try {
      const state = async () => ({
        type: (await owner.query("SELECT count(*)::int AS n FROM shareable_types WHERE type = 'improvement_action'"))[0].n,
        hook: (await owner.query("SELECT count(*)::int AS n FROM joint_sync_hooks WHERE function_name = 'hub_sync_joint_actions'"))[0].n,
        table: (await owner.query("SELECT to_regclass('improvement_actions') IS NOT NULL AS t, to_regclass('shared_improvement_actions') IS NOT NULL AS v"))[0],
      });
      expect(await state()).toEqual({ type: 1, hook: 1, table: { t: true, v: true } });
      const runner = owner.createQueryRunner();
      await new ImprovementActions1765526400000().down(runner);
      expect(await state()).toEqual({ type: 0, hook: 0, table: { t: false, v: false } });
      await new ImprovementActions1765526400000().up(runner);
      expect(await state()).toEqual({ type: 1, hook: 1, table: { t: true, v: true } });
      await runner.release();
    } finally {
      await owner.destroy();
      await db.drop();
    }
  });
});
