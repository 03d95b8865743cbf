import { generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { DEMO_PASSWORD } from '#common';
import { inviteUser } from './support/invitations.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

describe('authentication', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('logs in with email and password and answers an EdDSA access token and a refresh token', async () => {
    const res = await hub.http().post('/api/v1/auth/login').send({ email: 'Handler@Northbank.demo', password: DEMO_PASSWORD }).expect(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.stringMatching(/^hubr\./), tokenType: 'Bearer', expiresIn: 900 });
    const header = JSON.parse(Buffer.from(res.body.accessToken.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'EdDSA', kid: expect.any(String), typ: 'at+jwt' });
    const me = await hub.http().get('/api/v1/me').set(bearer(res.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ kind: 'user', email: 'handler@northbank.demo', roles: ['handler'], organisation: { slug: 'northbank' } });
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const wrong = await hub.http().post('/api/v1/auth/login').send({ email: 'handler@northbank.demo', password: 'nope' }).expect(401);
    const unknown = await hub.http().post('/api/v1/auth/login').send({ email: 'nobody@northbank.demo', password: 'nope' }).expect(401);
    expect(wrong.body.message).toBe('email or password is wrong');
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('refuses requests without a token, with a forged token and with a token signed by another key', async () => {
    await hub.http().get('/api/v1/me').expect(401);
    await hub.http().get('/api/v1/me').set(bearer('not-a-token')).expect(401);
    const token = hub.token('northbank', 'handler');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, org: hub.orgId('gridpower') })).toString('base64url')}.${s}`;
    const res = await hub.http().get('/api/v1/me').set(bearer(forged)).expect(401);
    expect(res.body.code).toBe('AUTH_INVALID_TOKEN');

    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid;
    const otherKey = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' }).sign(privateKey);
    await hub.http().get('/api/v1/me').set(bearer(otherKey)).expect(401);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`;
    await hub.http().get('/api/v1/me').set(bearer(unsigned)).expect(401);
  });

  it('rotates refresh tokens: each works once and yields a new pair', async () => {
    const first = await hub.login('viewer@gridpower.demo');
    const second = await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    await hub.http().get('/api/v1/me').set(bearer(second.body.accessToken)).expect(200);
    const third = await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(third.body.accessToken)).expect(200);
  });

  it('detects reuse of a refresh token and revokes the whole session, access tokens included', async () => {
    const first = await hub.login('viewer@st-marys-hospital.demo');
    const second = await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200);
    const reuse = await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reuse.body.code).toBe('AUTH_REFRESH_REUSED');
    await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(401);
    await hub.http().get('/api/v1/me').set(bearer(second.body.accessToken)).expect(401);
    await hub.http().get('/api/v1/me').set(bearer(first.accessToken)).expect(401);
  });

  it('lets exactly one of two concurrent refreshes with the same token through', async () => {
    const pair = await hub.login('handler@gridpower.demo');
    const results = await Promise.all(
      [1, 2].map(() => hub.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses malformed and tampered refresh tokens', async () => {
    const pair = await hub.login('handler@gridpower.demo');
    const tampered = pair.refreshToken.slice(0, -2) + (pair.refreshToken.endsWith('AA') ? 'BB' : 'AA');
    await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: tampered }).expect(401);
    await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: 'hubr.x.y.z' }).expect(401);
    const res = await hub.http().post('/api/v1/auth/refresh').send({}).expect(400);
    expect(res.body.details[0]).toMatchObject({ field: 'refreshToken', rule: 'isString' });
  });

  it('logs out: the access token and the refresh token stop working at once', async () => {
    const pair = await hub.login('handler@st-marys-hospital.demo');
    await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(200);
    await hub.http().post('/api/v1/auth/logout').set(bearer(pair.accessToken)).expect(204);
    await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(401);
    await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
  });

  it('refuses a disabled user at once, on its live token, on refresh and on login', async () => {
    const admin = hub.token('gridpower', 'admin');
    const created = { body: await inviteUser(hub, 'gridpower', { email: 'temp@gridpower.demo', displayName: 'Temp', roles: ['viewer'] }, 'a-long-password-1') };
    const pair = await hub.login('temp@gridpower.demo', 'a-long-password-1');
    await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(200);
    await hub.http().patch(`/api/v1/users/${created.body.id}`).set(bearer(admin)).send({ version: created.body.version, status: 'disabled' }).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(pair.accessToken)).expect(401);
    await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
    const login = await hub.http().post('/api/v1/auth/login').send({ email: 'temp@gridpower.demo', password: 'a-long-password-1' }).expect(401);
    expect(login.body.code).toBe('AUTH_ACCOUNT_DISABLED');
  });

  it('refuses every user of a disabled organisation at once, and lets them back in only by a new login when enabled', async () => {
    const operator = hub.token('operator');
    const org = await hub.http().post('/api/v1/organisations').set(bearer(operator)).send({
      slug: 'lapsed-lab', name: 'Lapsed Lab', kind: 'member',
      admin: { email: 'admin@lapsed-lab.demo', displayName: 'Lapsed admin', password: 'a-long-password-1' },
    }).expect(201);
    const orgId = org.body.organisation.id;
    const admin = await hub.login('admin@lapsed-lab.demo', 'a-long-password-1');
    const key = (await hub.http().post('/api/v1/api-keys').set(bearer(admin.accessToken)).send({ name: 'puller', roles: ['viewer'] }).expect(201)).body.key;
    const invitation = (await hub.http().post('/api/v1/invitations').set(bearer(admin.accessToken))
      .send({ email: 'later@lapsed-lab.demo', displayName: 'Later', roles: ['viewer'] }).expect(201)).body.token;
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(200);

    await hub.http().post(`/api/v1/organisations/${orgId}/disable`).set(bearer(operator)).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(admin.accessToken)).expect(401);
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
    await hub.http().post('/api/v1/auth/login').send({ email: 'admin@lapsed-lab.demo', password: 'a-long-password-1' }).expect(401);

    // Enabling lets the users log in again, but brings back no session, refresh token, API key or invitation.
    await hub.http().post(`/api/v1/organisations/${orgId}/enable`).set(bearer(operator)).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(admin.accessToken)).expect(401);
    await hub.http().post('/api/v1/auth/refresh').send({ refreshToken: admin.refreshToken }).expect(401);
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
    await hub.http().post('/api/v1/auth/invitations/accept').send({ token: invitation, password: 'a-long-password-2' }).expect(400);
    const fresh = await hub.login('admin@lapsed-lab.demo', 'a-long-password-1');
    await hub.http().get('/api/v1/me').set(bearer(fresh.accessToken)).expect(200);
    const keys = await hub.http().get('/api/v1/api-keys').set(bearer(fresh.accessToken)).expect(200);
    expect(keys.body.items).toEqual([expect.objectContaining({ revokedAt: expect.any(String) })]);
  });

  it("ends a user's API keys and invitations with the user: disabled, they stay dead when it is enabled again", async () => {
    const admin = hub.token('gridpower', 'admin');
    const password = 'a-long-password-1';
    const second = await inviteUser(hub, 'gridpower', { email: 'keymaker@gridpower.demo', displayName: 'Key maker', roles: ['admin'] }, password);
    const secondToken = (await hub.login('keymaker@gridpower.demo', password)).accessToken;
    const key = (await hub.http().post('/api/v1/api-keys').set(bearer(secondToken)).send({ name: 'his key', roles: ['handler'] }).expect(201)).body.key;
    const pending = (await hub.http().post('/api/v1/invitations').set(bearer(secondToken))
      .send({ email: 'backdoor@gridpower.demo', displayName: 'Backdoor', roles: ['admin'] }).expect(201)).body.token;
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(200);

    const disabled = await hub.http().patch(`/api/v1/users/${second.id}`).set(bearer(admin)).send({ version: second.version, status: 'disabled' }).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
    await hub.http().patch(`/api/v1/users/${second.id}`).set(bearer(admin)).send({ version: disabled.body.version, status: 'active' }).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
    await hub.http().post('/api/v1/auth/invitations/accept').send({ token: pending, password }).expect(400);
    await hub.http().post('/api/v1/auth/login').send({ email: 'backdoor@gridpower.demo', password }).expect(401);
  });

  it("ends an admin's API keys when it stops being an admin", async () => {
    const admin = hub.token('st-marys-hospital', 'admin');
    const password = 'a-long-password-1';
    const second = await inviteUser(hub, 'st-marys-hospital', { email: 'demoted@st-marys-hospital.demo', displayName: 'Demoted', roles: ['admin'] }, password);
    const secondToken = (await hub.login('demoted@st-marys-hospital.demo', password)).accessToken;
    const key = (await hub.http().post('/api/v1/api-keys').set(bearer(secondToken)).send({ name: 'k', roles: ['viewer'] }).expect(201)).body.key;
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(200);
    const demoted = await hub.http().patch(`/api/v1/users/${second.id}`).set(bearer(admin)).send({ version: second.version, roles: ['viewer'] }).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
    await hub.http().patch(`/api/v1/users/${second.id}`).set(bearer(admin)).send({ version: demoted.body.version, roles: ['admin'] }).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
  });

  it('refuses at authentication an API key whose creator is no longer an active admin, even if its revocation was missed', async () => {
    const password = 'a-long-password-1';
    const creator = await inviteUser(hub, 'national-csirt', { email: 'missed@national-csirt.demo', displayName: 'Missed', roles: ['admin'] }, password);
    const creatorToken = (await hub.login('missed@national-csirt.demo', password)).accessToken;
    const key = (await hub.http().post('/api/v1/api-keys').set(bearer(creatorToken)).send({ name: 'k', roles: ['viewer'] }).expect(201)).body.key;
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(200);
    // A superuser changes the row with triggers off, as a restore or a hand-made fix might: no revocation runs.
    const withoutTriggers = (sql: string) =>
      asSuperuser(hub, async (client) => {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query(sql, [creator.id]);
        await client.query('COMMIT');
      });
    await withoutTriggers("UPDATE users SET status = 'disabled' WHERE id = $1");
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
    await withoutTriggers("UPDATE users SET status = 'active', roles = '{viewer}' WHERE id = $1");
    await hub.http().get('/api/v1/me').set(bearer(key)).expect(401);
  });

  it('refuses an invitation whose inviter is no longer an active admin, even if its revocation was missed', async () => {
    const password = 'a-long-password-1';
    const inviter = await inviteUser(hub, 'gridpower', { email: 'inviter@gridpower.demo', displayName: 'Inviter', roles: ['admin'] }, password);
    const inviterToken = (await hub.login('inviter@gridpower.demo', password)).accessToken;
    const invite = async (email: string) =>
      (await hub.http().post('/api/v1/invitations').set(bearer(inviterToken)).send({ email, displayName: 'Invitee', roles: ['viewer'] }).expect(201)).body.token;
    const accept = (token: string) => hub.http().post('/api/v1/auth/invitations/accept').send({ token, password });
    const whileDisabled = await invite('invitee-1@gridpower.demo');
    const whileDemoted = await invite('invitee-2@gridpower.demo');
    const withoutTriggers = (sql: string) =>
      asSuperuser(hub, async (client) => {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query(sql, [inviter.id]);
        await client.query('COMMIT');
      });
    await withoutTriggers("UPDATE users SET status = 'disabled' WHERE id = $1");
    expect((await accept(whileDisabled)).body.code).toBe('AUTH_INVITATION_UNUSABLE');
    await withoutTriggers("UPDATE users SET status = 'active', roles = '{viewer}' WHERE id = $1");
    expect((await accept(whileDemoted)).body.code).toBe('AUTH_INVITATION_UNUSABLE');
    await withoutTriggers("UPDATE users SET roles = '{admin}' WHERE id = $1");
    expect((await accept(whileDemoted)).status).toBe(201);
  });

  it('answers that a disabled organisation reads nothing, and says why', async () => {
    const operator = hub.token('operator');
    const org = await hub.http().post('/api/v1/organisations').set(bearer(operator)).send({
      slug: 'dormant-dept', name: 'Dormant Department', kind: 'member',
      admin: { email: 'admin@dormant-dept.demo', displayName: 'Dormant admin', password: 'a-long-password-1' },
    }).expect(201);
    const orgId = org.body.organisation.id;
    const owner = hub.token('northbank', 'handler');
    const incident = (await hub.http().post('/api/v1/incidents').set(bearer(owner))
      .send({ title: 'Shared with a department', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER' }).expect(201)).body;
    await hub.http().post(`/api/v1/incidents/${incident.id}/releases`).set(bearer(owner))
      .send({ recipients: [{ kind: 'organisation', id: orgId }] }).expect(201);
    const before = await hub.http().get(`/api/v1/incidents/${incident.id}/access?organisation=${orgId}`).set(bearer(owner)).expect(200);
    expect(before.body.organisation).toMatchObject({ canRead: 'all users' });

    await hub.http().post(`/api/v1/organisations/${orgId}/disable`).set(bearer(operator)).expect(200);
    const after = await hub.http().get(`/api/v1/incidents/${incident.id}/access?organisation=${orgId}`).set(bearer(owner)).expect(200);
    expect(after.body.organisation).toMatchObject({ canRead: 'no', because: [expect.stringContaining('disabled')] });
  });

  it('issues API keys scoped to their organisation, stored hashed, shown once, revocable', async () => {
    const admin = hub.token('netwatch-isp', 'admin');
    const created = await hub.http().post('/api/v1/api-keys').set(bearer(admin)).send({ name: 'feed puller', roles: ['viewer'] }).expect(201);
    expect(created.body.key).toMatch(/^hubk\./);
    const me = await hub.http().get('/api/v1/me').set({ 'x-api-key': created.body.key }).expect(200);
    expect(me.body).toMatchObject({ kind: 'api_key', roles: ['viewer'], organisation: { slug: 'netwatch-isp' } });
    await hub.http().get('/api/v1/me').set(bearer(created.body.key)).expect(200);
    const listed = await hub.http().get('/api/v1/api-keys').set(bearer(admin)).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, name: 'feed puller' })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key.split('.')[3]);

    const client = await hub.appClient();
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('netwatch-isp')]);
    const stored = await client.query('SELECT secret_hash FROM api_keys WHERE id = $1', [created.body.id]);
    await client.query('COMMIT');
    expect(stored.rows[0].secret_hash.toString('utf8')).not.toContain(created.body.key.split('.')[3]);

    // A key presented as if it belonged to another organisation finds nothing there.
    const [prefix, , id, secret] = created.body.key.split('.');
    await hub.http().get('/api/v1/me').set(bearer([prefix, hub.orgId('northbank'), id, secret].join('.'))).expect(401);
    // Keys cannot administer, whatever their roles.
    await hub.http().get('/api/v1/users').set(bearer(created.body.key)).expect(403);
    await hub.http().delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(admin)).expect(204);
    await hub.http().get('/api/v1/me').set(bearer(created.body.key)).expect(401);
    // Another organisation's admin cannot see or revoke it.
    await hub.http().delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(hub.token('gridpower', 'admin'))).expect(404);
  });

  it('keeps one email namespace: a tenant admin cannot shadow the platform operator, and is not told so', async () => {
    const invited = await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', 'admin')))
      .send({ email: 'Operator@hub.demo', displayName: 'Shadow', roles: ['admin'] }).expect(201);
    const accepted = await hub.http().post('/api/v1/auth/invitations/accept').send({ token: invited.body.token, password: 'a-long-password-1' }).expect(400);
    expect(accepted.body.code).toBe('AUTH_INVITATION_UNUSABLE');
    await hub.http().post('/api/v1/auth/login').send({ email: 'operator@hub.demo', password: DEMO_PASSWORD }).expect(200);
  });

  it('refuses API key expiry times that are not full ISO 8601 with a zone, or in the past', async () => {
    const admin = hub.token('netwatch-isp', 'admin');
    for (const expiresAt of ['2099', '2026W05', '20200101', '2027-01-31', '2020-01-01T00:00:00Z']) {
      const res = await hub.http().post('/api/v1/api-keys').set(bearer(admin)).send({ name: 'k', roles: ['viewer'], expiresAt });
      expect({ expiresAt, status: res.status, field: res.body.details?.[0]?.field }).toEqual({ expiresAt, status: 400, field: 'expiresAt' });
    }
    await hub.http().post('/api/v1/api-keys').set(bearer(admin)).send({ name: 'k', roles: ['viewer'], expiresAt: '2099-01-31T12:00:00+01:00' }).expect(201);
  });

  it('refuses API keys that would administer', async () => {
    const res = await hub.http().post('/api/v1/api-keys').set(bearer(hub.token('netwatch-isp', 'admin')))
      .send({ name: 'too strong', roles: ['admin'] }).expect(400);
    expect(res.body.details[0]).toMatchObject({ field: 'roles', rule: 'isIn' });
  });
});

describe('login throttling', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '600' });
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers 429 with Retry-After after repeated failures, even for the right password', async () => {
    for (let i = 0; i < 3; i += 1) {
      await hub.http().post('/api/v1/auth/login').send({ email: 'viewer@gridpower.demo', password: `wrong-${i}` }).expect(401);
    }
    const throttled = await hub.http().post('/api/v1/auth/login').send({ email: 'viewer@gridpower.demo', password: DEMO_PASSWORD }).expect(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(590);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(throttled.body.code).toBe('AUTH_LOGIN_THROTTLED');
    // Other accounts are not locked out by it.
    await hub.http().post('/api/v1/auth/login').send({ email: 'handler@gridpower.demo', password: DEMO_PASSWORD }).expect(200);
    // Nor is the limit dodged by spelling the address so that only the database folds it to the same account.
    const respelled = await hub.http().post('/api/v1/auth/login').send({ email: 'VİEWER@gridpower.demo', password: DEMO_PASSWORD });
    expect(respelled.status).not.toBe(200);
  });

  it('counts a burst of concurrent guesses in full', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hub.http().post('/api/v1/auth/login').send({ email: 'viewer@st-marys-hospital.demo', password: `guess-${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  /** A login from a given client address: Fastify's request.ip is the socket's address (no proxy is trusted). */
  const loginFrom = (remoteAddress: string, email: string, password: string) =>
    hub.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });

  it('throttles an account per client address: an attacker cannot lock its owner out from everywhere', async () => {
    const victim = 'handler@st-marys-hospital.demo';
    for (let i = 0; i < 3; i += 1) expect((await loginFrom('198.51.100.7', victim, `guess-${i}`)).statusCode).toBe(401);
    expect((await loginFrom('198.51.100.7', victim, DEMO_PASSWORD)).statusCode).toBe(429);
    expect((await loginFrom('203.0.113.5', victim, DEMO_PASSWORD)).statusCode).toBe(200);
    // The victim's success elsewhere does not give the attacker's address new guesses.
    expect((await loginFrom('198.51.100.7', victim, 'guess-again')).statusCode).toBe(429);
  });

  it('throttles one client address across accounts, at a looser limit', async () => {
    // 4x the per-account limit: twelve failures on twelve accounts, then the address is refused even for a good password.
    for (let i = 0; i < 12; i += 1) expect((await loginFrom('192.0.2.99', `sprayed-${i}@nowhere.demo`, 'guess')).statusCode).toBe(401);
    expect((await loginFrom('192.0.2.99', 'viewer@northbank.demo', DEMO_PASSWORD)).statusCode).toBe(429);
    expect((await loginFrom('192.0.2.100', 'viewer@northbank.demo', DEMO_PASSWORD)).statusCode).toBe(200);
  });

  it('does not let refused attempts move the window on', async () => {
    const email = 'admin@gridpower.demo';
    for (let i = 0; i < 3; i += 1) expect((await loginFrom('198.51.100.20', email, `guess-${i}`)).statusCode).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await loginFrom('198.51.100.20', email, `guess-more-${i}`)).statusCode).toBe(429);
    // The three counted failures leave the window (as if ten minutes had passed): the 429s must not hold the door shut.
    await asSuperuser(hub, (client) =>
      client.query(`UPDATE login_failures SET at = at - interval '601 seconds'
                     WHERE id IN (SELECT id FROM login_failures WHERE ip = '198.51.100.20' ORDER BY id LIMIT 3)`),
    );
    expect((await loginFrom('198.51.100.20', email, DEMO_PASSWORD)).statusCode).toBe(200);
  });

  it('prunes old attempts of every account and address, not only the one logging in', async () => {
    await asSuperuser(hub, (client) =>
      client.query("INSERT INTO login_failures (email, ip, at) VALUES ('long-gone@nowhere.demo', '192.0.2.250', now() - interval '2 days')"),
    );
    expect((await loginFrom('203.0.113.77', 'someone-else@nowhere.demo', 'guess')).statusCode).toBe(401);
    const left = await asSuperuser(hub, (client) => client.query("SELECT count(*)::int AS n FROM login_failures WHERE email = 'long-gone@nowhere.demo'"));
    expect(left.rows[0].n).toBe(0);
  });
});

describe('production mode', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('refuses the published demo password even for an existing account', async () => {
    const production = await startProductionApp(hub);
    try {
      const res = await production.http().post('/api/v1/auth/login').send({ email: 'handler@northbank.demo', password: DEMO_PASSWORD }).expect(401);
      expect(res.body.message).toMatch(/demo password is refused/);
    } finally {
      await production.close();
    }
  });

  it('refuses the demo password as the password an invitee sets', async () => {
    const invitation = await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', 'admin')))
      .send({ email: 'prod-invitee@northbank.demo', displayName: 'Invitee', roles: ['viewer'] }).expect(201);
    const production = await startProductionApp(hub);
    try {
      const res = await production.http().post('/api/v1/auth/invitations/accept').send({ token: invitation.body.token, password: DEMO_PASSWORD }).expect(400);
      expect(res.body.details[0]).toMatchObject({ field: 'password', rule: 'notDemoPassword' });
      await production.http().post('/api/v1/auth/invitations/accept').send({ token: invitation.body.token, password: 'a-long-password-1' }).expect(201);
    } finally {
      await production.close();
    }
  });
});

async function startProductionApp(hub: TestHub) {
  const { createApp } = await import('#hub/create-app.js');
  const { createRootLogger, loadConfig } = await import('#common');
  const request = (await import('supertest')).default;
  const config = loadConfig({
    HUB_MODE: 'production',
    DATABASE_URL: hub.db.appUrl,
    MIGRATION_DATABASE_URL: hub.db.ownerUrl,
    LOG_LEVEL: 'silent',
    // The same database, so the same key ring: production needs the key that sealed it.
    HUB_KEY_ENCRYPTION_KEY: (hub.config.keyEncryptionKey as Buffer).toString('base64url'),
  });
  const app = await createApp({ config, logger: createRootLogger('silent'), appUrl: hub.db.appUrl });
  return { http: () => request(app.getHttpServer()), close: () => app.close() };
}

async function asSuperuser<T>(hub: TestHub, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: hub.db.adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
