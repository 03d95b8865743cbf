import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { inviteUser } from './support/invitations.js';
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
      await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', role)))
        .send({ email: 'x@northbank.demo', displayName: 'X', roles: ['viewer'] }).expect(403);
    });

    it('refuses user management to a coordinator who is not an admin', async () => {
      await hub.http().get('/api/v1/users').set(bearer(hub.token('national-csirt', 'coordinator'))).expect(403);
    });

    it('creates a user by invitation, who can then log in with the given roles', async () => {
      const res = { body: await inviteUser(hub, 'northbank', { email: 'analyst@northbank.demo', displayName: 'Analyst', roles: ['handler', 'viewer'] }, password) };
      expect(res.body).toMatchObject({ email: 'analyst@northbank.demo', roles: ['handler', 'viewer'], status: 'active', version: 1 });
      const pair = await hub.login('analyst@northbank.demo', password);
      const me = await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body.roles).toEqual(['handler', 'viewer']);
    });

    it('gives the coordinator role only inside a coordinator organisation', async () => {
      const refused = await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', 'admin')))
        .send({ email: 'coord@northbank.demo', displayName: 'C', roles: ['coordinator'] }).expect(400);
      expect(refused.body.details[0]).toMatchObject({ field: 'roles', rule: 'roleAllowedForKind' });
      await inviteUser(hub, 'national-csirt', { email: 'coord2@national-csirt.demo', displayName: 'C2', roles: ['coordinator'] }, password);
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
      const created = { body: await inviteUser(hub, 'northbank', { email: 'rolechange@northbank.demo', displayName: 'R', roles: ['viewer'] }, password) };
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
      const second = { body: await inviteUser(hub, 'st-marys-hospital', { email: 'admin2@st-marys-hospital.demo', displayName: 'Second admin', roles: ['admin'] }, password) };
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

    it('no longer creates users directly', async () => {
      await hub.http().post('/api/v1/users').set(bearer(hub.token('northbank', 'admin')))
        .send({ email: 'direct@northbank.demo', displayName: 'Direct', roles: ['viewer'], password }).expect(404);
    });
  });

  describe('invitations', () => {
    const invite = (slug: 'northbank' | 'gridpower', email: string, roles = ['viewer']) =>
      hub.http().post('/api/v1/invitations').set(bearer(hub.token(slug, 'admin'))).send({ email, displayName: 'Invitee', roles });
    const accept = (token: string, pw = password) => hub.http().post('/api/v1/auth/invitations/accept').send({ token, password: pw });

    it('answers alike whether the email has an account here, in another organisation, as the operator, or nowhere', async () => {
      const answers = await Promise.all(
        ['viewer@northbank.demo', 'viewer@gridpower.demo', 'operator@hub.demo', 'nobody-yet@northbank.demo'].map((email) => invite('northbank', email)),
      );
      for (const res of answers) {
        expect(res.status).toBe(201);
        expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'displayName', 'email', 'expiresAt', 'id', 'roles', 'status', 'token']);
        expect(res.body).toMatchObject({ status: 'pending', token: expect.stringMatching(/^hubi\./) });
      }
      // Accepting an invitation whose email is taken fails like any unusable invitation, and creates nothing.
      const taken = await accept(answers[1].body.token);
      expect(taken.status).toBe(400);
      const unknown = await accept(answers[3].body.token.slice(0, -2) + 'AA');
      expect(taken.body).toMatchObject({ code: 'AUTH_INVITATION_UNUSABLE', message: unknown.body.message });
      const users = await hub.http().get('/api/v1/users?limit=200').set(bearer(hub.token('northbank', 'admin'))).expect(200);
      expect(users.body.items.filter((u: { email: string }) => u.email === 'viewer@gridpower.demo')).toEqual([]);
      // The admin's list does not tell either: it still reads pending.
      const listed = await hub.http().get('/api/v1/invitations?limit=100').set(bearer(hub.token('northbank', 'admin'))).expect(200);
      expect(listed.body.items.find((i: { id: string }) => i.id === answers[1].body.id)).toMatchObject({ status: 'pending' });
      expect(JSON.stringify(listed.body)).not.toContain(answers[1].body.token.split('.')[3]);
    });

    it('creates the user on acceptance, once: the token is single-use', async () => {
      const invited = await invite('northbank', 'Newcomer@Northbank.demo', ['handler']).expect(201);
      const accepted = await accept(invited.body.token).expect(201);
      expect(accepted.body).toMatchObject({ email: 'Newcomer@Northbank.demo', organisation: { slug: 'northbank' } });
      const pair = await hub.login('newcomer@northbank.demo', password);
      const me = await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body).toMatchObject({ roles: ['handler'], organisation: { slug: 'northbank' } });
      await accept(invited.body.token, 'another-long-password').expect(400);
      const listed = await hub.http().get('/api/v1/invitations?limit=100').set(bearer(hub.token('northbank', 'admin'))).expect(200);
      expect(listed.body.items.find((i: { id: string }) => i.id === invited.body.id)).toMatchObject({ status: 'accepted' });
    });

    it('refuses an expired, withdrawn or re-scoped token, and a short password', async () => {
      const expired = await invite('northbank', 'late@northbank.demo').expect(201);
      const superuser = new pg.Client({ connectionString: hub.db.adminUrl });
      await superuser.connect();
      await superuser.query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.body.id]);
      await superuser.end();
      await accept(expired.body.token).expect(400);

      const withdrawn = await invite('northbank', 'withdrawn@northbank.demo').expect(201);
      await hub.http().delete(`/api/v1/invitations/${withdrawn.body.id}`).set(bearer(hub.token('gridpower', 'admin'))).expect(404);
      await hub.http().delete(`/api/v1/invitations/${withdrawn.body.id}`).set(bearer(hub.token('northbank', 'admin'))).expect(204);
      await accept(withdrawn.body.token).expect(400);

      const moved = await invite('northbank', 'moved@northbank.demo').expect(201);
      const [prefix, , id, secret] = moved.body.token.split('.');
      await accept([prefix, hub.orgId('gridpower'), id, secret].join('.')).expect(400);
      const short = await accept(moved.body.token, 'short').expect(400);
      expect(short.body.details[0]).toMatchObject({ field: 'password', rule: 'minLength' });
      await accept(moved.body.token).expect(201);
    });

    it('is created by the CLI too, which prints the token once', async () => {
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, ['dist/apps/cli/src/main.js', 'invite:create', '--organisation', 'gridpower',
        '--email', 'cli-invitee@gridpower.demo', '--name', 'CLI invitee', '--role', 'handler', '--role', 'viewer'], {
        env: { ...process.env, DATABASE_URL: hub.db.appUrl },
      });
      const token = /hubi\.[^\s]+/.exec(stdout)?.[0];
      expect(token).toBeDefined();
      await accept(token as string).expect(201);
      const pair = await hub.login('cli-invitee@gridpower.demo', password);
      const me = await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body.roles).toEqual(['handler', 'viewer']);
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
