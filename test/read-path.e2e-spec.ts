import pg from 'pg';
import { organisationContext, TenantDatabase } from '#database';
import { demoEmail } from '#hub/demo-seed.js';
import { inviteUser } from './support/invitations.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The read fast path (`TenantDatabase.read`): the tenant context and the statement in one message, one
 * round trip, one implicit transaction. It must keep every guarantee of `run`: the context is
 * transaction-local, row-level security holds, values cannot escape their literals, and the per-request
 * principal check still refuses a disabled user, a disabled organisation or a revoked session.
 */
describe('the read fast path', () => {
  let hub: TestHub;
  let db: TenantDatabase;
  let handler: string;
  let northbankIncident: string;
  let gridpowerIncident: string;

  const incidentBody = { title: 'Phishing wave', summary: 'Credential phishing', category: 'fraud', subType: 'phishing', severity: 2, marking: 'GREEN' };

  beforeAll(async () => {
    hub = await startTestHub();
    db = hub.app.get(TenantDatabase);
    handler = hub.token('northbank', 'handler');
    northbankIncident = (await hub.http().post('/api/v1/incidents').set(bearer(handler)).send(incidentBody).expect(201)).body.id;
    gridpowerIncident = (await hub.http().post('/api/v1/incidents').set(bearer(hub.token('gridpower', 'handler'))).send(incidentBody).expect(201)).body.id;
  });
  afterAll(async () => {
    await hub.close();
  });

  const context = () => organisationContext(hub.orgId('northbank'), hub.userId('northbank', 'handler'), 'member');
  const SESSION = `SELECT pg_backend_pid() AS pid, current_setting('hub.org_id', true) AS org, pg_current_xact_id_if_assigned() IS NULL AS no_xid,
                          current_setting('transaction_read_only') AS read_only, (SELECT count(*)::int FROM incidents) AS incidents`;

  /** The connection a read used, then the next statement on that same pooled connection. */
  async function readThenNext(work: () => Promise<unknown>) {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const [inside] = await db.read<{ pid: number; org: string; read_only: string; incidents: number }>(context(), SESSION);
      await work();
      const [after] = await db.statement<{ pid: number; org: string | null; incidents: number }>(SESSION);
      if (after.pid === inside.pid) return { inside, after };
    }
    throw new Error('the pool never handed back the same connection');
  }

  it('applies the context inside the read and leaves none behind on the pooled connection', async () => {
    const { inside, after } = await readThenNext(async () => undefined);
    expect(inside).toMatchObject({ org: hub.orgId('northbank'), read_only: 'on' });
    expect(inside.incidents).toBeGreaterThan(0);
    expect(after.org ?? '').toBe('');
    expect(after.incidents).toBe(0);
  });

  it('holds row-level security: a statement that forgets the filter sees only its own organisation', async () => {
    const rows = await db.read<{ org_id: string }>(context(), 'SELECT DISTINCT org_id FROM incidents');
    expect(rows).toEqual([{ org_id: hub.orgId('northbank') }]);
    expect(await db.read(context(), 'SELECT id FROM incidents WHERE id = $1', [gridpowerIncident])).toEqual([]);
  });

  it('refuses writes, and a failed statement rolls back and leaves the connection clean', async () => {
    await expect(db.read(context(), "UPDATE incidents SET title = 'owned' WHERE id = $1", [northbankIncident])).rejects.toThrow(/read-only transaction/);
    await expect(db.read(context(), 'SELECT 1 / 0')).rejects.toThrow(/division by zero/);
    // A prepared read failing on a later run: the connection goes back clean and is used again.
    const divide = 'SELECT 1 / $1::int AS quotient';
    const { after } = await readThenNext(async () => {
      await db.read(context(), divide, [1]);
      await db.read(context(), divide, [0]).catch(() => undefined);
    });
    expect(after.org ?? '').toBe('');
    expect(after.incidents).toBe(0);
    const [row] = await db.read<{ title: string }>(context(), 'SELECT title FROM incidents WHERE id = $1', [northbankIncident]);
    expect(row.title).toBe(incidentBody.title);
  });

  it('walks the register index for a page read in index order, and the setting ends with the read', async () => {
    const page = 'SELECT id FROM incidents i WHERE i.org_id = $1 ORDER BY i.updated_at DESC, i.id DESC LIMIT 51';
    const plan = await db.read<{ 'QUERY PLAN': string }>(context(), `EXPLAIN ${page}`, [hub.orgId('northbank')], { inIndexOrder: true });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan using incidents_register_idx/);
    expect(text).not.toMatch(/Sort/);
    const setting = "SELECT current_setting('enable_sort') AS enable_sort";
    expect(await db.read(context(), setting, [], { inIndexOrder: true })).toEqual([{ enable_sort: 'off' }]);
    expect(await db.read(context(), setting)).toEqual([{ enable_sort: 'on' }]);
    const [after] = await db.statement<{ enable_sort: string }>("SELECT current_setting('enable_sort') AS enable_sort");
    expect(after.enable_sort).toBe('on');
  });

  it("answers 404 for another organisation's incident and for its page, and 200 for its own", async () => {
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(handler)).expect(200);
    await hub.http().get(`/api/v1/incidents/${gridpowerIncident}`).set(bearer(handler)).expect(404);
    const page = await hub.http().get('/api/v1/incidents?limit=50').set(bearer(handler)).expect(200);
    expect(page.body.items.map((i: { id: string }) => i.id)).toContain(northbankIncident);
    expect(page.body.items.map((i: { id: string }) => i.id)).not.toContain(gridpowerIncident);
  });

  it('refuses a revoked session on the read path at once', async () => {
    const pair = await hub.login('viewer@northbank.demo');
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(pair.accessToken)).expect(200);
    await hub.http().post('/api/v1/auth/logout').set(bearer(pair.accessToken)).expect(204);
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(pair.accessToken)).expect(401);
    await hub.http().get('/api/v1/incidents?limit=50').set(bearer(pair.accessToken)).expect(401);
  });

  it('refuses a disabled user on the read path at once', async () => {
    const admin = hub.token('northbank', 'admin');
    const created = await inviteUser(hub, 'northbank', { email: 'reader@northbank.demo', displayName: 'Reader', roles: ['viewer'] }, 'a-long-password-1', admin);
    const pair = await hub.login('reader@northbank.demo', 'a-long-password-1');
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(pair.accessToken)).expect(200);
    await hub.http().patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ version: created.version, status: 'disabled' }).expect(200);
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(pair.accessToken)).expect(401);
    await hub.http().get('/api/v1/incidents?limit=50').set(bearer(pair.accessToken)).expect(401);
  });

  it('refuses every user of a disabled organisation on the read path, and reads again after a fresh login once enabled', async () => {
    const operator = bearer(hub.token('operator'));
    await hub.http().post(`/api/v1/organisations/${hub.orgId('northbank')}/disable`).set(operator).expect(200);
    try {
      await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(handler)).expect(401);
      await hub.http().get('/api/v1/incidents?limit=50').set(bearer(handler)).expect(401);
    } finally {
      await hub.http().post(`/api/v1/organisations/${hub.orgId('northbank')}/enable`).set(operator).expect(200);
    }
    // Disabling revoked the organisation's sessions for good: the old token stays refused, a new login reads.
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(handler)).expect(401);
    handler = (await hub.login(demoEmail('northbank', 'handler'))).accessToken;
    await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(handler)).expect(200);
  });

  it('keeps hostile text in a filter a value: the register searches for it and finds nothing', async () => {
    for (const q of ["it's", "'; SET hub.org_id = 'x'; --", 'back\\slash', '$1 $$']) {
      const page = await hub.http().get('/api/v1/incidents').query({ limit: 50, q }).set(bearer(handler)).expect(200);
      expect(page.body.items).toEqual([]);
    }
    const found = await hub.http().get('/api/v1/incidents').query({ limit: 50, q: 'phishing' }).set(bearer(handler)).expect(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toEqual([northbankIncident]);
  });

  it('re-reads the context on every run of a prepared read, past the switch to a generic plan', async () => {
    const gridpower = organisationContext(hub.orgId('gridpower'), hub.userId('gridpower', 'handler'), 'member');
    const sql = "SELECT DISTINCT org_id, pg_backend_pid() AS pid FROM incidents WHERE title <> $1";
    const pids = new Set<number>();
    for (let i = 0; i < 16; i += 1) {
      const ctx = i % 2 === 0 ? context() : gridpower;
      const rows = await db.read<{ org_id: string; pid: number }>(ctx, sql, ['no such title']);
      expect(rows.map((r) => r.org_id)).toEqual([ctx.orgId]);
      rows.forEach((r) => pids.add(r.pid));
    }
    expect(pids.size).toBeLessThan(16);
  });

  it('runs many reads of different organisations at once on the pool without mixing them up', async () => {
    const gridpower = organisationContext(hub.orgId('gridpower'), hub.userId('gridpower', 'handler'), 'member');
    const reads = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? context() : gridpower));
    const seen = await Promise.all(reads.map((ctx) => db.read<{ org_id: string }>(ctx, 'SELECT DISTINCT org_id FROM incidents')));
    seen.forEach((rows, i) => expect(rows).toEqual([{ org_id: reads[i].orgId }]));
  });

  describe('the principal check riding in the request\'s first database message', () => {
    const password = 'a-long-password-1';
    let seq = 0;
    // A fresh admin login: an earlier test disabled Northbank, which revoked its pre-minted sessions for good.
    let admin: string;
    beforeAll(async () => {
      admin = (await hub.login(demoEmail('northbank', 'admin'))).accessToken;
    });
    /** A fresh user with a session this process has confirmed once (its first request ran the full check). */
    async function confirmedUser(roles: string[]) {
      seq += 1;
      const email = `rider-${seq}@northbank.demo`;
      const user = await inviteUser(hub, 'northbank', { email, displayName: `Rider ${seq}`, roles }, password, admin);
      const token = (await hub.login(email, password)).accessToken;
      await hub.http().get('/api/v1/me').set(bearer(token)).expect(200);
      return { user, token };
    }

    it('refuses a logged-out session on a route that reads nothing, on one that fails before it reads, and on a read', async () => {
      // Each on a session of its own: the first refusal of a session makes the next request take the full check.
      const loggedOut = async () => {
        const { token } = await confirmedUser(['handler']);
        await hub.http().post('/api/v1/auth/logout').set(bearer(token)).expect(204);
        return token;
      };
      await hub.http().get('/api/v1/categories').set(bearer(await loggedOut())).expect(401);
      // A body the validation pipe refuses: the answer is still the principal's 401, not the body's 400.
      await hub.http().post('/api/v1/incidents').set(bearer(await loggedOut())).send({ title: 42 }).expect(401);
      await hub.http().get('/api/v1/me').set(bearer(await loggedOut())).expect(401);
    });

    it('refuses a disabled user on a write, and writes nothing', async () => {
      const { user, token } = await confirmedUser(['handler']);
      const before = (await hub.http().get('/api/v1/incidents?limit=200').set(bearer(handler)).expect(200)).body.items.length;
      await hub.http().patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ version: user.version, status: 'disabled' }).expect(200);
      await hub.http().post('/api/v1/incidents').set(bearer(token)).send(incidentBody).expect(401);
      expect((await hub.http().get('/api/v1/incidents?limit=200').set(bearer(handler)).expect(200)).body.items).toHaveLength(before);
    });

    it('refuses a demoted user at once, with what its new roles allow, and writes nothing', async () => {
      const { user, token } = await confirmedUser(['handler']);
      await hub.http().patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ version: user.version, roles: ['viewer'] }).expect(200);
      const before = (await hub.http().get('/api/v1/incidents?limit=200').set(bearer(handler)).expect(200)).body.items.length;
      await hub.http().post('/api/v1/incidents').set(bearer(token)).send(incidentBody).expect(403);
      await hub.http().post('/api/v1/incidents').set(bearer(token)).send(incidentBody).expect(403);
      await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(token)).expect(200);
      expect((await hub.http().get('/api/v1/incidents?limit=200').set(bearer(handler)).expect(200)).body.items).toHaveLength(before);
    });

    it('refuses a session whose organisation was disabled on a read, before any row is answered', async () => {
      const { token } = await confirmedUser(['viewer']);
      await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(token)).expect(200);
      // With the revocation trigger switched off, only the check itself can refuse.
      const admin = new pg.Client({ connectionString: hub.db.adminUrl });
      await admin.connect();
      try {
        await admin.query('BEGIN');
        await admin.query('SET LOCAL session_replication_role = replica');
        await admin.query("UPDATE organisations SET status = 'disabled' WHERE id = $1", [hub.orgId('northbank')]);
        await admin.query('COMMIT');
        await hub.http().get(`/api/v1/incidents/${northbankIncident}`).set(bearer(token)).expect(401);
        await hub.http().get('/api/v1/incidents?limit=50').set(bearer(token)).expect(401);
      } finally {
        await admin.query('BEGIN');
        await admin.query('SET LOCAL session_replication_role = replica');
        await admin.query("UPDATE organisations SET status = 'active' WHERE id = $1", [hub.orgId('northbank')]);
        await admin.query('COMMIT');
        await admin.end();
      }
    });
  });
});
