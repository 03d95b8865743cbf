import { SHAREABLE_TYPES } from '#sharing';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The registry of shareable types (libs/sharing) and the database agree: every registered type has its
 * `shareable_types` row with the same container, the columns the policy compiles against, and a shared view that
 * is the only way another organisation's row reaches the application role.
 */
describe('the registry of shareable types, against the database', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
    // Something of northbank's released to gridpower, so "no rows through the table" is not vacuous.
    const owner = hub.token('northbank', 'handler');
    const incident = (
      await hub.http().post('/api/v1/incidents').set(bearer(owner)).send({ title: 'Registry probe', summary: 's', category: 'fraud', subType: 'phishing', severity: 2, marking: 'GREEN' }).expect(201)
    ).body;
    await hub.http().post(`/api/v1/incidents/${incident.id}/releases`).set(bearer(owner)).send({ recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }] }).expect(201);
  });
  afterAll(async () => {
    await hub.close();
  });

  async function asApp<T>(work: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>, context?: { slug: 'gridpower'; reads: string }) {
    const client = await hub.appClient();
    await client.query('BEGIN');
    try {
      if (context) {
        await client.query(
          "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true), set_config('hub.user_id', $2, true), set_config('hub.reads', $3, true)",
          [hub.orgId(context.slug), hub.userId(context.slug, 'viewer'), context.reads],
        );
      }
      return await work(async (sql, params = []) => (await client.query(sql, params)).rows);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  }

  it.each(SHAREABLE_TYPES.map((type) => [type.type, type] as const))('%s: its row, its columns and its shared view', async (_name, type) => {
    await asApp(async (q) => {
      expect(await q('SELECT container_type, table_name, container_column FROM shareable_types WHERE type = $1', [type.type])).toEqual([
        { container_type: type.container.type, table_name: type.table, container_column: type.container.column },
      ]);
      const columns = (await q('SELECT column_name FROM information_schema.columns WHERE table_name = $1', [type.table])).map((r) => r.column_name);
      const needed = [type.ownerColumn, type.markingColumn, type.container.column, ...(type.sortColumn ? [type.sortColumn] : [])];
      expect(columns).toEqual(expect.arrayContaining(needed));
      const [privileges] = await q("SELECT has_table_privilege(current_user, $1, 'SELECT') AS view, has_table_privilege(current_user, $1, 'UPDATE') AS writes", [type.sharedView]);
      expect(privileges).toEqual({ view: true, writes: false });
    });
  });

  it.each(SHAREABLE_TYPES.map((type) => [type.type, type] as const))('%s: another organisation\'s rows never come through the table, even in a shared read', async (_name, type) => {
    for (const reads of ['shared', '']) {
      const rows = await asApp((q) => q(`SELECT count(*)::int AS n FROM ${type.table} WHERE ${type.ownerColumn} <> $1`, [hub.orgId('gridpower')]), { slug: 'gridpower', reads });
      expect(rows).toEqual([{ n: 0 }]);
    }
    const viaView = await asApp((q) => q(`SELECT count(*)::int AS n FROM ${type.sharedView}`), { slug: 'gridpower', reads: 'shared' });
    expect(viaView[0].n).toBeGreaterThanOrEqual(type.type === 'incident' ? 1 : 0);
  });
});
