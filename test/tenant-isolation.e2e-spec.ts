import type pg from 'pg';
import { assertApplicationRoleConfined } from '#database';
import { startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Proofs below the API: the application role itself cannot cross the tenant boundary, whatever SQL the
 * application sends. Every query here "forgets" its organisation filter on purpose.
 */
describe('row-level security for the application role', () => {
  let hub: TestHub;
  let app: pg.Client;

  beforeAll(async () => {
    hub = await startTestHub();
    app = await hub.appClient();
  });
  afterAll(async () => {
    await hub.close();
  });

  async function asOrg<T extends pg.QueryResultRow>(orgId: string | null, sql: string, params: unknown[] = []): Promise<T[]> {
    await app.query('BEGIN');
    try {
      if (orgId) await app.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true)", [orgId]);
      return (await app.query<T>(sql, params)).rows;
    } finally {
      await app.query('ROLLBACK');
    }
  }

  const tenantTables = ['users', 'points_of_contact', 'auth_sessions', 'refresh_tokens', 'api_keys'];

  it.each(tenantTables)('returns no %s rows at all without a tenant context', async (table) => {
    expect(await asOrg(null, `SELECT * FROM ${table}`)).toEqual([]);
  });

  it('returns no organisations without a tenant context (the directory needs a caller)', async () => {
    // Every column hub_app may select (not time_zone, migration 1765958400000).
    expect(await asOrg(null, 'SELECT id, slug, name, kind, status FROM organisations')).toEqual([]);
  });

  it('sees only its own users with a query that forgets the filter', async () => {
    const northbank = hub.orgId('northbank');
    const rows = await asOrg<{ org_id: string; email: string }>(northbank, 'SELECT org_id, email FROM users');
    expect(rows.length).toBe(3);
    expect(new Set(rows.map((r) => r.org_id))).toEqual(new Set([northbank]));
  });

  it("finds nothing when it asks for another organisation's rows by id", async () => {
    const rows = await asOrg(hub.orgId('northbank'), 'SELECT * FROM users WHERE org_id = $1', [hub.orgId('gridpower')]);
    expect(rows).toEqual([]);
  });

  it('cannot write a row into another organisation', async () => {
    await expect(
      asOrg(hub.orgId('northbank'), "INSERT INTO users (org_id, email, display_name, roles) VALUES ($1, 'x@evil.demo', 'x', '{admin}')", [
        hub.orgId('gridpower'),
      ]),
    ).rejects.toThrow(/row-level security/);
  });

  it("cannot update or delete another organisation's rows (they are invisible to it)", async () => {
    await app.query('BEGIN');
    await app.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    const updated = await app.query("UPDATE users SET display_name = 'owned' WHERE org_id = $1", [hub.orgId('gridpower')]);
    const deleted = await app.query('DELETE FROM points_of_contact WHERE org_id = $1', [hub.orgId('gridpower')]);
    await app.query('ROLLBACK');
    expect(updated.rowCount).toBe(0);
    expect(deleted.rowCount).toBe(0);
  });

  it('keeps the context inside its transaction: the next transaction on the same connection sees nothing', async () => {
    await app.query('BEGIN');
    await app.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    expect((await app.query('SELECT * FROM users')).rowCount).toBe(3);
    await app.query('COMMIT');
    expect((await app.query('SELECT * FROM users')).rowCount).toBe(0);
  });

  it('is no superuser, has no BYPASSRLS, owns no table and cannot become the owner', async () => {
    const role = await app.query('SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user');
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
    const owned = await app.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user");
    expect(owned.rows).toEqual([]);
    await expect(app.query('SET ROLE hub_owner')).rejects.toThrow(/permission denied/);
  });

  it('cannot switch row-level security off, for the session or the table', async () => {
    await app.query('BEGIN');
    await app.query('SET LOCAL row_security = off');
    // With row security off, a query that policies would filter is an error, not a bypass.
    await expect(app.query('SELECT * FROM users')).rejects.toThrow(/row-level security/);
    await app.query('ROLLBACK');
    await expect(app.query('ALTER TABLE users DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
    await expect(app.query('ALTER TABLE users NO FORCE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
    await expect(app.query('DROP POLICY users_tenant ON users')).rejects.toThrow(/must be owner/);
  });

  it('is checked at start: the hub refuses to serve over a connection that could bypass the policies', async () => {
    await expect(assertApplicationRoleConfined(hub.db.appUrl)).resolves.toBeUndefined();
    await expect(assertApplicationRoleConfined(hub.db.ownerUrl)).rejects.toThrow(/refusing to start: .*owns \d+ tables/);
    await expect(assertApplicationRoleConfined(hub.db.adminUrl)).rejects.toThrow(/superuser/);
  });

  it('cannot read the platform operators at all', async () => {
    await expect(app.query('SELECT * FROM platform_operators')).rejects.toThrow(/permission denied/);
  });

  it('has row-level security enabled and forced on every table that carries org_id, present and future', async () => {
    const tables = await app.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)`);
    expect(tables.rows.length).toBeGreaterThanOrEqual(tenantTables.length);
    for (const table of tables.rows) {
      expect({ table: table.relname, enabled: table.relrowsecurity, forced: table.relforcerowsecurity }).toEqual({
        table: table.relname,
        enabled: true,
        forced: true,
      });
    }
  });

  it('checks a principal in one statement without leaving its context behind, even inside a transaction', async () => {
    const rows = await asOrg(null, 'SELECT * FROM hub_user_principal($1, $2, $3)', [
      hub.orgId('northbank'),
      '00000000-0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(rows).toEqual([]);
    await app.query('BEGIN');
    await app.query('SELECT * FROM hub_user_principal($1, $2, $3)', [hub.orgId('northbank'), '00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000000']);
    const after = await app.query("SELECT current_setting('hub.org_id', true) AS org, (SELECT count(*)::int FROM users) AS users");
    await app.query('ROLLBACK');
    expect(after.rows[0]).toEqual({ org: expect.not.stringMatching(/[0-9a-f]{8}-/), users: 0 });
  });

  it('lets the login lookup see across tenants only through its narrow function', async () => {
    const rows = await asOrg<{ principal: string; org_id: string }>(null, 'SELECT principal, org_id FROM hub_login_candidates($1)', [
      'admin@gridpower.demo',
    ]);
    expect(rows).toEqual([{ principal: 'user', org_id: hub.orgId('gridpower') }]);
  });
});
