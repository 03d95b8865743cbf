import { DEMO_JOINT_TITLE, seedDemoCoordination } from '#hub/demo-coordination.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The demo's coordination scenario (what `npm start` seeds after the organisations): every participant sees the
 * joint incident, its advisory, update and decision, and Northbank's incident passed on into it; St Mary's takes
 * part under a pseudonym that no other member can see through; the partner sees none of it.
 */
describe('the coordination demo', () => {
  let hub: TestHub;
  let jointId: string;
  let passedId: string;
  beforeAll(async () => {
    hub = await startTestHub();
    ({ jointIncidentId: jointId, passedIncidentId: passedId } = await seedDemoCoordination(hub.app));
  });
  afterAll(async () => {
    await hub.close();
  });

  const get = (slug: Parameters<TestHub['token']>[0], role: string, path: string) => hub.http().get(path).set(bearer(hub.token(slug, role)));

  it('shows the joint incident to the coordinator and every participant, and to nobody else', async () => {
    for (const [slug, role] of [['national-csirt', 'coordinator'], ['northbank', 'viewer'], ['gridpower', 'handler'], ['st-marys-hospital', 'viewer']] as const) {
      const list = (await get(slug, role, '/api/v1/joint-incidents').expect(200)).body;
      expect(list.items.map((j: { title: string }) => j.title)).toEqual([DEMO_JOINT_TITLE]);
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
    const paths = ['', '/participants', '/updates', '/decisions', '/observables', '/linked-incidents'].map((p) => `/api/v1/joint-incidents/${jointId}${p}`);
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
});
