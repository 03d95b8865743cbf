import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

const password = 'a-long-enough-password';

describe('organisations, users and roles', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  describe('the classification in force', () => {
    it('lists the categories and the severity scale to any authenticated caller, and to nobody else', async () => {
      const categories = await hub.http().get('/api/v1/categories').set(bearer(hub.token('netwatch-isp', 'viewer'))).expect(200);
      expect(categories.body.items.find((c: { id: string }) => c.id === 'availability').subTypes).toContainEqual({ id: 'ddos', name: 'Distributed denial of service' });
      const severities = await hub.http().get('/api/v1/severities').set(bearer(hub.token('northbank', 'handler'))).expect(200);
      expect(severities.body.items.map((s: { id: string }) => s.id)).toEqual(['low', 'medium', 'high', 'critical']);
      await hub.http().get('/api/v1/categories').expect(401);
    });
  });

  describe('the directory', () => {
    it.each([
      ['northbank', 'viewer'],
      ['netwatch-isp', 'handler'],
      ['national-csirt', 'coordinator'],
    ] as const)('is readable by %s %s: name, kind, sector, country and nothing private', async (slug, role) => {
      const res = await hub.http().get('/api/v1/organisations').set(bearer(hub.token(slug, role))).expect(200);
      expect(res.body.items.map((o: { slug: string }) => o.slug)).toEqual([
        'gridpower',
        'national-csirt',
        'netwatch-isp',
        'northbank',
        'st-marys-hospital',
      ]);
      expect(Object.keys(res.body.items[0]).sort()).toEqual(['country', 'id', 'kind', 'name', 'sector', 'slug']);
    });

    it('pages by cursor with a bounded page size', async () => {
      const token = hub.token('northbank', 'viewer');
      const first = await hub.http().get('/api/v1/organisations?limit=2').set(bearer(token)).expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await hub.http().get(`/api/v1/organisations?limit=2&cursor=${first.body.nextCursor}`).set(bearer(token)).expect(200);
      const third = await hub.http().get(`/api/v1/organisations?limit=2&cursor=${second.body.nextCursor}`).set(bearer(token)).expect(200);
      expect([...first.body.items, ...second.body.items, ...third.body.items].map((o: { slug: string }) => o.slug)).toHaveLength(5);
      expect(third.body.nextCursor).toBeNull();
      await hub.http().get('/api/v1/organisations?limit=1000').set(bearer(token)).expect(400);
      await hub.http().get('/api/v1/organisations?cursor=garbage!').set(bearer(token)).expect(400);
      await hub.http().get('/api/v1/organisations?kind=bank').set(bearer(token)).expect(400);
    });

    it('filters by kind', async () => {
      const res = await hub.http().get('/api/v1/organisations?kind=member').set(bearer(hub.token('gridpower', 'viewer'))).expect(200);
      expect(res.body.items.every((o: { kind: string }) => o.kind === 'member')).toBe(true);
    });
  });

  describe('points of contact', () => {
    it('are read by members and the coordinator, and meet the minimum in the demo', async () => {
      for (const [slug, role] of [['gridpower', 'viewer'], ['national-csirt', 'coordinator']] as const) {
        const res = await hub.http().get(`/api/v1/organisations/${hub.orgId('northbank')}/points-of-contact`).set(bearer(hub.token(slug, role))).expect(200);
        expect(res.body.items).toHaveLength(2);
        expect(res.body.meetsMinimum).toBe(true);
      }
    });

    it("are not shown to a partner, except its own", async () => {
      await hub.http().get(`/api/v1/organisations/${hub.orgId('northbank')}/points-of-contact`).set(bearer(hub.token('netwatch-isp', 'admin'))).expect(404);
      await hub.http().get(`/api/v1/organisations/${hub.orgId('netwatch-isp')}/points-of-contact`).set(bearer(hub.token('netwatch-isp', 'viewer'))).expect(200);
    });

    it('are managed by the own admin only, with at least two channels', async () => {
      const body = { name: 'Night shift', channels: [{ kind: 'email', value: 'night@gridpower.demo' }, { kind: 'phone', value: '+43 1 555' }] };
      const created = await hub.http().post('/api/v1/points-of-contact').set(bearer(hub.token('gridpower', 'admin'))).send(body).expect(201);
      expect(created.body.orgId).toBe(hub.orgId('gridpower'));
      await hub.http().post('/api/v1/points-of-contact').set(bearer(hub.token('gridpower', 'handler'))).send(body).expect(403);
      const one = await hub.http().post('/api/v1/points-of-contact').set(bearer(hub.token('gridpower', 'admin')))
        .send({ ...body, channels: body.channels.slice(0, 1) }).expect(400);
      expect(one.body.details[0]).toMatchObject({ field: 'channels', rule: 'arrayMinSize' });
      await hub.http().put(`/api/v1/points-of-contact/${created.body.id}`).set(bearer(hub.token('northbank', 'admin'))).send({ ...body, version: 1 }).expect(404);
      const replaced = await hub.http().put(`/api/v1/points-of-contact/${created.body.id}`).set(bearer(hub.token('gridpower', 'admin')))
        .send({ ...body, name: 'Night shift (new)', version: 1 }).expect(200);
      expect(replaced.body).toMatchObject({ name: 'Night shift (new)', version: 2 });
      // A second editor who read version 1 does not silently overwrite the first one's change.
      const stale = await hub.http().put(`/api/v1/points-of-contact/${created.body.id}`).set(bearer(hub.token('gridpower', 'admin')))
        .send({ ...body, version: 1 }).expect(409);
      expect(stale.body.code).toBe('STALE_VERSION');
      await hub.http().delete(`/api/v1/points-of-contact/${created.body.id}`).set(bearer(hub.token('northbank', 'admin'))).expect(404);
      await hub.http().delete(`/api/v1/points-of-contact/${created.body.id}`).set(bearer(hub.token('gridpower', 'admin'))).expect(204);
    });
  });

  describe('user management', () => {
    it('lets an admin list only the users of its own organisation', async () => {
      const res = await hub.http().get('/api/v1/users').set(bearer(hub.token('st-marys-hospital', 'admin'))).expect(200);
      expect(res.body.items.map((u: { email: string }) => u.email).sort()).toEqual([
        'admin@st-marys-hospital.demo',
        'handler@st-marys-hospital.demo',
        'viewer@st-marys-hospital.demo',
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
    });

    it.each(['handler', 'viewer'])('refuses user management to a %s', async (role) => {
      await hub.http().get('/api/v1/users').set(bearer(hub.token('northbank', role))).expect(403);
      await hub.http().post('/api/v1/users').set(bearer(hub.token('northbank', role)))
        .send({ email: 'x@northbank.demo', displayName: 'X', roles: ['viewer'], password }).expect(403);
    });

    it('refuses user management to a coordinator who is not an admin', async () => {
      await hub.http().get('/api/v1/users').set(bearer(hub.token('national-csirt', 'coordinator'))).expect(403);
    });

    it('creates a user who can then log in with the given roles', async () => {
      const res = await hub.http().post('/api/v1/users').set(bearer(hub.token('northbank', 'admin')))
        .send({ email: 'analyst@northbank.demo', displayName: 'Analyst', roles: ['handler', 'viewer'], password }).expect(201);
      expect(res.body).toMatchObject({ email: 'analyst@northbank.demo', roles: ['handler', 'viewer'], status: 'active', version: 1 });
      const pair = await hub.login('analyst@northbank.demo', password);
      const me = await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body.roles).toEqual(['handler', 'viewer']);
    });

    it('gives the coordinator role only inside a coordinator organisation', async () => {
      const refused = await hub.http().post('/api/v1/users').set(bearer(hub.token('northbank', 'admin')))
        .send({ email: 'coord@northbank.demo', displayName: 'C', roles: ['coordinator'], password }).expect(400);
      expect(refused.body.details[0]).toMatchObject({ field: 'roles', rule: 'roleAllowedForKind' });
      await hub.http().post('/api/v1/users').set(bearer(hub.token('national-csirt', 'admin')))
        .send({ email: 'coord2@national-csirt.demo', displayName: 'C2', roles: ['coordinator'], password }).expect(201);
    });

    it("cannot read or change another organisation's user: 404, as if it did not exist", async () => {
      const other = await hub.http().get('/api/v1/users').set(bearer(hub.token('gridpower', 'admin'))).expect(200);
      const victim = other.body.items[0];
      await hub.http().get(`/api/v1/users/${victim.id}`).set(bearer(hub.token('northbank', 'admin'))).expect(404);
      await hub.http().patch(`/api/v1/users/${victim.id}`).set(bearer(hub.token('northbank', 'admin')))
        .send({ version: victim.version, roles: ['viewer'] }).expect(404);
      const missing = await hub.http().get('/api/v1/users/00000000-0000-4000-8000-000000000000').set(bearer(hub.token('northbank', 'admin'))).expect(404);
      const foreign = await hub.http().get(`/api/v1/users/${victim.id}`).set(bearer(hub.token('northbank', 'admin'))).expect(404);
      expect(foreign.body.message).toBe(missing.body.message);
      const after = await hub.http().get(`/api/v1/users/${victim.id}`).set(bearer(hub.token('gridpower', 'admin'))).expect(200);
      expect(after.body.version).toBe(victim.version);
    });

    it('changes roles at once, with optimistic concurrency', async () => {
      const admin = hub.token('northbank', 'admin');
      const created = await hub.http().post('/api/v1/users').set(bearer(admin))
        .send({ email: 'rolechange@northbank.demo', displayName: 'R', roles: ['viewer'], password }).expect(201);
      const pair = await hub.login('rolechange@northbank.demo', password);
      await hub.http().get('/api/v1/users').set(bearer(pair.accessToken)).expect(403);
      const updated = await hub.http().patch(`/api/v1/users/${created.body.id}`).set(bearer(admin)).send({ version: 1, roles: ['admin'] }).expect(200);
      expect(updated.body.version).toBe(2);
      await hub.http().get('/api/v1/users').set(bearer(pair.accessToken)).expect(200);
      const stale = await hub.http().patch(`/api/v1/users/${created.body.id}`).set(bearer(admin)).send({ version: 1, roles: ['viewer'] }).expect(409);
      expect(stale.body.code).toBe('STALE_VERSION');
    });

    it('refuses to let an admin lock itself out', async () => {
      const me = await hub.http().get('/api/v1/me').set(bearer(hub.token('gridpower', 'admin'))).expect(200);
      await hub.http().patch(`/api/v1/users/${me.body.id}`).set(bearer(hub.token('gridpower', 'admin'))).send({ version: 1, status: 'disabled' }).expect(409);
    });

    it('never lets two admins demote each other into an organisation without an admin', async () => {
      const first = hub.token('st-marys-hospital', 'admin');
      const second = await hub.http().post('/api/v1/users').set(bearer(first))
        .send({ email: 'admin2@st-marys-hospital.demo', displayName: 'Second admin', roles: ['admin'], password }).expect(201);
      const secondToken = (await hub.login('admin2@st-marys-hospital.demo', password)).accessToken;
      const me = await hub.http().get('/api/v1/me').set(bearer(first)).expect(200);
      const firstUser = await hub.http().get(`/api/v1/users/${me.body.id}`).set(bearer(first)).expect(200);
      const results = await Promise.all([
        hub.http().patch(`/api/v1/users/${second.body.id}`).set(bearer(first)).send({ version: second.body.version, roles: ['viewer'] }),
        hub.http().patch(`/api/v1/users/${me.body.id}`).set(bearer(secondToken)).send({ version: firstUser.body.version, roles: ['viewer'] }),
      ]);
      // The loser is refused either by the lock (409) or, if it authenticated after the winner committed, by its lost role (403).
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      const users = await hub.http().get('/api/v1/users').set(bearer(results[0].status === 200 ? first : secondToken)).expect(200);
      expect(users.body.items.filter((u: { roles: string[]; status: string }) => u.roles.includes('admin') && u.status === 'active')).toHaveLength(1);
    });

    it('refuses an email already in use, naming the field', async () => {
      const res = await hub.http().post('/api/v1/users').set(bearer(hub.token('northbank', 'admin')))
        .send({ email: 'VIEWER@northbank.demo', displayName: 'Dup', roles: ['viewer'], password }).expect(409);
      expect(res.body.details[0]).toMatchObject({ field: 'email', rule: 'unique' });
    });
  });

  describe('the platform operator', () => {
    const newOrg = {
      slug: 'harbour-water',
      name: 'Harbour Water Utility',
      kind: 'member',
      sector: 'water',
      country: 'NL',
      admin: { email: 'admin@harbour-water.demo', displayName: 'HW admin', password },
    };

    it('creates an organisation with its first admin, who can log in and manage users', async () => {
      const res = await hub.http().post('/api/v1/organisations').set(bearer(hub.token('operator'))).send(newOrg).expect(201);
      expect(res.body.organisation).toMatchObject({ slug: 'harbour-water', kind: 'member', status: 'active' });
      const pair = await hub.login('admin@harbour-water.demo', password);
      const users = await hub.http().get('/api/v1/users').set(bearer(pair.accessToken)).expect(200);
      expect(users.body.items.map((u: { email: string }) => u.email)).toEqual(['admin@harbour-water.demo']);
    });

    it('leaves nothing half-written when the first admin cannot be created', async () => {
      const res = await hub.http().post('/api/v1/organisations').set(bearer(hub.token('operator')))
        .send({ ...newOrg, slug: 'half-written', admin: { ...newOrg.admin, email: 'viewer@northbank.demo' } }).expect(409);
      expect(res.body.details[0]).toMatchObject({ field: 'admin.email', rule: 'unique' });
      const directory = await hub.http().get('/api/v1/organisations?limit=200').set(bearer(hub.token('operator'))).expect(200);
      expect(directory.body.items.map((o: { slug: string }) => o.slug)).not.toContain('half-written');
    });

    it('refuses a duplicate slug with 409', async () => {
      await hub.http().post('/api/v1/organisations').set(bearer(hub.token('operator'))).send({ ...newOrg, admin: { ...newOrg.admin, email: 'x@y.demo' } }).expect(409);
    });

    it('is the only one who may create or disable organisations', async () => {
      for (const [slug, role] of [['national-csirt', 'admin'], ['northbank', 'admin'], ['netwatch-isp', 'admin']] as const) {
        await hub.http().post('/api/v1/organisations').set(bearer(hub.token(slug, role))).send(newOrg).expect(403);
        await hub.http().post(`/api/v1/organisations/${hub.orgId('gridpower')}/disable`).set(bearer(hub.token(slug, role))).expect(403);
      }
    });

    it("cannot read tenants' users, keys or anything behind them", async () => {
      const operator = hub.token('operator');
      await hub.http().get('/api/v1/users').set(bearer(operator)).expect(403);
      await hub.http().get('/api/v1/api-keys').set(bearer(operator)).expect(403);
      const contacts = await hub.http().get(`/api/v1/organisations/${hub.orgId('northbank')}/points-of-contact`).set(bearer(operator)).expect(200);
      // Row-level security answers the operator's context with no tenant rows.
      expect(contacts.body.items).toEqual([]);
      const me = await hub.http().get('/api/v1/me').set(bearer(operator)).expect(200);
      expect(me.body).toMatchObject({ kind: 'operator', organisation: null });
    });

    it('sees disabled organisations in the directory, where members do not', async () => {
      const created = await hub.http().post('/api/v1/organisations').set(bearer(hub.token('operator')))
        .send({ ...newOrg, slug: 'to-disable', name: 'To Disable', admin: { ...newOrg.admin, email: 'admin@to-disable.demo' } }).expect(201);
      await hub.http().post(`/api/v1/organisations/${created.body.organisation.id}/disable`).set(bearer(hub.token('operator'))).expect(200);
      const asOperator = await hub.http().get('/api/v1/organisations?limit=200').set(bearer(hub.token('operator'))).expect(200);
      expect(asOperator.body.items.find((o: { slug: string }) => o.slug === 'to-disable')).toMatchObject({ status: 'disabled' });
      const asMember = await hub.http().get('/api/v1/organisations?limit=200').set(bearer(hub.token('northbank', 'viewer'))).expect(200);
      expect(asMember.body.items.map((o: { slug: string }) => o.slug)).not.toContain('to-disable');
      await hub.http().get(`/api/v1/organisations/${created.body.organisation.id}`).set(bearer(hub.token('northbank', 'viewer'))).expect(404);
    });
  });
});
