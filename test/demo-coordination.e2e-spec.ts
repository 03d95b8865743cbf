import { DEMO_JOINT_TITLE, DEMO_REVIEWED_TITLE, seedDemoCoordination } from '#hub/demo-coordination.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The demo's coordination scenario (what `npm start` seeds after the organisations): every participant sees the
 * joint incident, its advisory, update and decision, and Northbank's incident passed on into it; St Mary's takes
 * part under a pseudonym that no other member can see through; the partner sees none of it. The tasks reach their
 * parties only; the reviewed exercise shows each reader the quotes it may read, and the coordinator the action
 * shared with it.
 */
describe('the coordination demo', () => {
  let hub: TestHub;
  let jointId: string;
  let passedId: string;
  let reviewedId: string;
  beforeAll(async () => {
    hub = await startTestHub();
    ({ jointIncidentId: jointId, passedIncidentId: passedId, reviewedJointIncidentId: reviewedId } = await seedDemoCoordination(hub.app));
  });
  afterAll(async () => {
    await hub.close();
  });

  const get = (slug: Parameters<TestHub['token']>[0], role: string, path: string) => hub.http().get(path).set(bearer(hub.token(slug, role)));

  it('shows the joint incident to the coordinator and every participant, and to nobody else', async () => {
    for (const [slug, role] of [['national-csirt', 'coordinator'], ['northbank', 'viewer'], ['gridpower', 'handler'], ['st-marys-hospital', 'viewer']] as const) {
      const list = (await get(slug, role, '/api/v1/joint-incidents').expect(200)).body;
      // St Mary's took no part in the exercise.
      const expected = slug === 'st-marys-hospital' ? [DEMO_JOINT_TITLE] : [DEMO_JOINT_TITLE, DEMO_REVIEWED_TITLE].sort();
      expect(list.items.map((j: { title: string }) => j.title).sort()).toEqual(expected);
    }
    expect((await get('netwatch-isp', 'admin', '/api/v1/joint-incidents').expect(200)).body.items).toEqual([]);
    await get('netwatch-isp', 'admin', `/api/v1/joint-incidents/${jointId}`).expect(404);
  });

  it('passes Northbank\'s AMBER incident on to the other participants, and not to the partner', async () => {
    const linked = (await get('gridpower', 'handler', `/api/v1/joint-incidents/${jointId}/linked-incidents`).expect(200)).body;
    expect(JSON.stringify(linked)).toContain(passedId);
    const shared = (await get('gridpower', 'handler', `/api/v1/shared/incidents/${passedId}`).expect(200)).body;
    expect(shared).toMatchObject({ id: passedId, marking: 'AMBER' });
    expect(shared).not.toHaveProperty('internalNotes');
    expect(shared.observables.map((o: { value: string }) => o.value)).toEqual(['northbank-secure-login.example']);
    await get('netwatch-isp', 'admin', `/api/v1/shared/incidents/${passedId}`).expect(404);
  });

  it('lets every participant read the advisory, GridPower\'s update and the decision', async () => {
    for (const slug of ['northbank', 'st-marys-hospital'] as const) {
      const updates = (await get(slug, 'viewer', `/api/v1/joint-incidents/${jointId}/updates`).expect(200)).body.items;
      expect(updates.map((u: { kind: string }) => u.kind).sort()).toEqual(['advisory', 'update']);
      const decisions = (await get(slug, 'viewer', `/api/v1/joint-incidents/${jointId}/decisions`).expect(200)).body.items;
      expect(decisions).toHaveLength(1);
    }
  });

  it("keeps St Mary's a pseudonym to the other participants, and names it to the coordinator", async () => {
    const hospitalId = hub.orgId('st-marys-hospital');
    const paths = ['', '/participants', '/updates', '/decisions', '/observables', '/linked-incidents', '/tasks'].map((p) => `/api/v1/joint-incidents/${jointId}${p}`);
    for (const slug of ['northbank', 'gridpower'] as const) {
      for (const path of paths) {
        const body = JSON.stringify((await get(slug, 'handler', path).expect(200)).body);
        expect(body).not.toContain(hospitalId);
        expect(body).not.toMatch(/St Mary/);
      }
      const participants = JSON.stringify((await get(slug, 'handler', `/api/v1/joint-incidents/${jointId}/participants`).expect(200)).body);
      expect(participants).toMatch(/Participant [A-Z]/);
    }
    const seenByCoordinator = JSON.stringify((await get('national-csirt', 'coordinator', `/api/v1/joint-incidents/${jointId}/participants`).expect(200)).body);
    expect(seenByCoordinator).toContain(hospitalId);
  });

  it('keeps the joint incident\'s management log a valid chain', async () => {
    const verdict = (await get('national-csirt', 'coordinator', `/api/v1/joint-incidents/${jointId}/log/verify`).expect(200)).body;
    expect(verdict).toMatchObject({ valid: true, breaks: [] });
    expect(verdict.entries).toBeGreaterThan(8);
  });

  it("puts GridPower's accepted task in its \"my tasks\" and St Mary's in its own, each read by its parties only", async () => {
    const mine = (await get('gridpower', 'handler', '/api/v1/tasks').expect(200)).body.items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ state: 'accepted', jointIncidentId: jointId });
    const hospital = (await get('st-marys-hospital', 'handler', '/api/v1/tasks').expect(200)).body.items;
    expect(hospital.map((t: { state: string }) => t.state)).toEqual(['proposed']);
    // Neither task is Northbank's business (audience: the parties).
    expect((await get('northbank', 'handler', `/api/v1/joint-incidents/${jointId}/tasks`).expect(200)).body.items).toEqual([]);
    expect((await get('national-csirt', 'coordinator', '/api/v1/tasks?scope=coordinated').expect(200)).body.items).toHaveLength(2);
  });

  it('shows each reader of the exercise\'s published report only the quotes it may read, and the coordinator the action shared with it', async () => {
    const quotes = async (slug: 'national-csirt' | 'northbank' | 'gridpower', role: string) =>
      ((await get(slug, role, `/api/v1/joint-incidents/${reviewedId}/report`).expect(200)).body.quotes as { withheld?: boolean }[]).map((q) => q.withheld === true);
    expect(await quotes('national-csirt', 'coordinator')).toEqual([false, false]);
    expect(await quotes('gridpower', 'viewer')).toEqual([false, false]);
    // GridPower's contribution is for the coordination team only.
    expect(await quotes('northbank', 'viewer')).toEqual([false, true]);
    const joint = (await get('national-csirt', 'coordinator', `/api/v1/joint-incidents/${reviewedId}`).expect(200)).body;
    expect(joint).toMatchObject({ phase: 'closed', exercise: true });
    const actions = (await get('national-csirt', 'coordinator', `/api/v1/joint-incidents/${reviewedId}/actions`).expect(200)).body.items;
    expect(actions.map((a: { title: string }) => a.title)).toEqual(['Bring the shared jump host under change control']);
    expect((await get('northbank', 'handler', '/api/v1/improvement-actions').expect(200)).body.items.map((a: { exercise: boolean }) => a.exercise)).toEqual([true]);
  });
});
