import { DEMO_ORGANISATIONS } from '#hub/demo-seed.js';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Every endpoint that answers with tenant data, asked by every reader the policy does not permit: the
 * answer must be the one a missing id gets (status, code and message), before and after revocation and
 * tightening, and the object must be absent from every list.
 */
const MISSING = '00000000-0000-4000-8000-00000000abcd';

type Call = { name: string; method: 'get' | 'post' | 'patch' | 'put' | 'delete'; path: (ids: Ids) => string; body?: Record<string, unknown> };
interface Ids {
  incident: string;
  observable: string;
  release: string;
}

const CALLS: Call[] = [
  { name: 'read', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}` },
  { name: 'edit', method: 'patch', path: (x) => `/api/v1/incidents/${x.incident}`, body: { version: 1, title: 'changed' } },
  { name: 'phase', method: 'post', path: (x) => `/api/v1/incidents/${x.incident}/phase`, body: { version: 1, phase: 'assess_decide', reason: 'r' } },
  { name: 'report', method: 'put', path: (x) => `/api/v1/incidents/${x.incident}/report`, body: { version: 1, summary: 's', lessonsLearned: 'l' } },
  { name: 'observables', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}/observables` },
  { name: 'add observable', method: 'post', path: (x) => `/api/v1/incidents/${x.incident}/observables`, body: { type: 'domain', value: 'matrix.example', marking: 'AMBER' } },
  { name: 'edit observable', method: 'patch', path: (x) => `/api/v1/incidents/${x.incident}/observables/${x.observable}`, body: { version: 1, marking: 'RED' } },
  { name: 'log', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}/log` },
  { name: 'verify log', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}/log/verify` },
  { name: 'clocks', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}/clocks` },
  { name: 'submission', method: 'post', path: (x) => `/api/v1/incidents/${x.incident}/clocks/submissions`, body: { profile: 'nis2', milestone: 'early-warning', sentAt: '2026-11-20T09:00:00Z' } },
  { name: 'releases', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}/releases` },
  { name: 'release', method: 'post', path: (x) => `/api/v1/incidents/${x.incident}/releases`, body: { recipients: [{ kind: 'public' }] } },
  { name: 'revoke', method: 'delete', path: (x) => `/api/v1/incidents/${x.incident}/releases/${x.release}` },
  { name: 'explain', method: 'get', path: (x) => `/api/v1/incidents/${x.incident}/access` },
  { name: 'shared read', method: 'get', path: (x) => `/api/v1/shared/incidents/${x.incident}` },
];

interface Reader {
  label: string;
  token: string;
}

describe('not permitted answers exactly like not there', () => {
  let hub: TestHub;
  let owner: string;
  const readers: Reader[] = [];
  beforeAll(async () => {
    hub = await startTestHub();
    owner = hub.token('northbank', 'handler');
    for (const org of DEMO_ORGANISATIONS.filter((o) => o.slug !== 'northbank')) {
      const roles = org.kind === 'coordinator' ? ['admin', 'coordinator', 'handler', 'viewer'] : ['admin', 'handler', 'viewer'];
      for (const role of roles) readers.push({ label: `${org.slug}/${role}`, token: hub.token(org.slug as DemoOrgSlug, role) });
    }
  });
  afterAll(async () => {
    await hub.close();
  });

  async function scenario(marking: string): Promise<Ids> {
    const incident = (await hub.http().post('/api/v1/incidents').set(bearer(owner))
      .send({ title: `matrix ${marking}`, category: 'fraud', subType: 'phishing', severity: 2, marking, clockProfiles: ['nis2'], awareAt: '2026-11-20T08:00:00Z' })
      .expect(201)).body;
    const observable = (await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(owner))
      .send({ type: 'ipv4', value: '198.51.100.7', marking }).expect(201)).body;
    return { incident: incident.id, observable: observable.id, release: MISSING };
  }

  async function releaseTo(ids: Ids, recipients: unknown[]): Promise<string> {
    const res = await hub.http().post(`/api/v1/incidents/${ids.incident}/releases`).set(bearer(owner))
      .send({ recipients, observables: [ids.observable] }).expect(201);
    return res.body.items[0].id;
  }

  async function expectLikeMissing(ids: Ids, excluded: Set<string>) {
    const missing: Ids = { incident: MISSING, observable: MISSING, release: MISSING };
    let compared = 0;
    for (const reader of readers.filter((r) => !excluded.has(r.label))) {
      for (const call of CALLS) {
        const send = (x: Ids) => {
          const req = hub.http()[call.method](call.path(x)).set(bearer(reader.token));
          return call.body ? req.send(call.body) : req;
        };
        const [real, absent] = await Promise.all([send(ids), send(missing)]);
        const shape = (r: { status: number; body: { code?: string; message?: string } }) => ({ status: r.status, code: r.body.code, message: r.body.message });
        expect({ who: reader.label, call: call.name, ...shape(real) }).toEqual({ who: reader.label, call: call.name, ...shape(absent) });
        expect([403, 404]).toContain(real.status);
        compared += 1;
      }
      for (const list of ['/api/v1/incidents?limit=200', '/api/v1/shared/incidents?limit=200']) {
        const res = await hub.http().get(list).set(bearer(reader.token)).expect(200);
        expect(res.body.items.map((i: { id: string }) => i.id)).not.toContain(ids.incident);
      }
    }
    return compared;
  }

  it('an incident never released', async () => {
    const ids = await scenario('AMBER');
    expect(await expectLikeMissing(ids, new Set())).toBe(readers.length * CALLS.length);
  });

  it('a release revoked', async () => {
    const ids = await scenario('AMBER');
    const release = await releaseTo(ids, [{ kind: 'organisation', id: hub.orgId('gridpower') }, { kind: 'organisation', id: hub.orgId('national-csirt') }]);
    await hub.http().get(`/api/v1/shared/incidents/${ids.incident}`).set(bearer(hub.token('gridpower', 'viewer'))).expect(200);
    await hub.http().delete(`/api/v1/incidents/${ids.incident}/releases/${release}`).set(bearer(owner)).expect(200);
    // The coordinator's release still stands: it is the permitted reader here.
    const coordinator = new Set(['national-csirt/admin', 'national-csirt/coordinator', 'national-csirt/handler', 'national-csirt/viewer']);
    await expectLikeMissing({ ...ids, release }, coordinator);
  });

  it('a community release after the marking was tightened', async () => {
    const ids = await scenario('GREEN');
    const release = await releaseTo(ids, [{ kind: 'community' }]);
    await hub.http().get(`/api/v1/shared/incidents/${ids.incident}`).set(bearer(hub.token('gridpower', 'viewer'))).expect(200);
    const current = (await hub.http().get(`/api/v1/incidents/${ids.incident}`).set(bearer(owner)).expect(200)).body;
    await hub.http().patch(`/api/v1/incidents/${ids.incident}`).set(bearer(owner)).send({ version: current.version, marking: 'AMBER' }).expect(200);
    await expectLikeMissing({ ...ids, release }, new Set());
  });

  it('RED to one named user: everyone else, their colleagues included', async () => {
    const ids = await scenario('RED');
    const release = await releaseTo(ids, [{ kind: 'user', id: hub.userId('gridpower', 'handler') }]);
    await hub.http().get(`/api/v1/shared/incidents/${ids.incident}`).set(bearer(hub.token('gridpower', 'handler'))).expect(200);
    await expectLikeMissing({ ...ids, release }, new Set(['gridpower/handler']));
  });
});
