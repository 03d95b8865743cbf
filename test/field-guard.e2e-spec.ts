import { createHmac } from 'node:crypto';
import pg from 'pg';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The database enforces which fields a recipient reads, not only which rows: as the application role, in the
 * shared-read transaction the shared views use, another organisation's rows come only through
 * `shared_incidents` / `shared_observables`, which return a field only where the release names it.
 */
describe('the field guard in the database, as the application role', () => {
  let hub: TestHub;
  let owner: string;
  beforeAll(async () => {
    hub = await startTestHub();
    owner = hub.token('northbank', 'handler');
  });
  afterAll(async () => {
    await hub.close();
  });

  const body = {
    title: 'Ransomware at the branch office',
    summary: 'File server encrypted',
    category: 'fraud',
    subType: 'phishing',
    severity: 3,
    marking: 'AMBER',
    internalNotes: 'backup was six weeks old',
    reporter: { name: 'Bea Example', contact: 'bea@northbank.demo' },
    affectedAssets: 'fs-01.branch.northbank',
  };
  async function releasedIncident(release: Record<string, unknown>) {
    const incident = (await hub.http().post('/api/v1/incidents').set(bearer(owner)).send(body).expect(201)).body;
    const observable = (
      await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(owner)).send({ type: 'domain', value: `c2-${incident.id.slice(0, 8)}.example`, marking: 'AMBER' }).expect(201)
    ).body;
    await hub
      .http()
      .post(`/api/v1/incidents/${incident.id}/releases`)
      .set(bearer(owner))
      .send({ recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }], observables: [observable.id], ...release })
      .expect(201);
    return { incident, observable };
  }

  type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
  /** A transaction as hub_app with gridpower's context, reading shared data as the shared views do. */
  async function asGridpower<T>(work: (q: Query) => Promise<T>, reads = 'shared', slug: 'gridpower' | 'st-marys-hospital' = 'gridpower'): Promise<T> {
    const client = await hub.appClient();
    await client.query('BEGIN');
    try {
      await client.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true), set_config('hub.user_id', $2, true), set_config('hub.reads', $3, true)",
        [hub.orgId(slug), hub.userId(slug, 'viewer'), reads],
      );
      return await work(async (sql, params = []) => (await client.query(sql, params)).rows);
    } finally {
      await client.query('ROLLBACK');
    }
  }

  it('shows a grantee nothing of another organisation in the base tables, even internal fields the release names', async () => {
    const { incident, observable } = await releasedIncident({ fields: ['internalNotes', 'reporter', 'affectedAssets'] });
    await asGridpower(async (q) => {
      expect(await q('SELECT internal_notes, reporter, affected_assets FROM incidents WHERE id = $1', [incident.id])).toEqual([]);
      expect(await q('SELECT count(*)::int AS n FROM incidents WHERE org_id = $1', [hub.orgId('northbank')])).toEqual([{ n: 0 }]);
      expect(await q('SELECT value FROM observables WHERE id = $1', [observable.id])).toEqual([]);
      // ...while the view returns what was released, to the same transaction.
      expect(await q('SELECT internal_notes, affected_assets FROM shared_incidents WHERE id = $1', [incident.id])).toEqual([
        { internal_notes: body.internalNotes, affected_assets: body.affectedAssets },
      ]);
      expect(await q('SELECT value FROM shared_observables WHERE id = $1', [observable.id])).toEqual([{ value: observable.value }]);
    });
  });

  it('keeps the pseudonym key of an access row from the grantee', async () => {
    const { incident } = await releasedIncident({ fields: ['reporter'], redact: { reporter: 'pseudonymise' } });
    await asGridpower(async (q) => {
      expect(await q('SELECT grantee, fields FROM access WHERE object_id = $1', [incident.id])).toEqual([
        { grantee: `org:${hub.orgId('gridpower')}`, fields: ['reporter'] },
      ]);
      await expect(q('SELECT pseudonym_key FROM access WHERE object_id = $1', [incident.id])).rejects.toThrow(/permission denied/);
    });
    await asGridpower((q) => expect(q('SELECT * FROM access WHERE object_id = $1', [incident.id])).rejects.toThrow(/permission denied/));
  });

  it('returns a field through the view only when the release names it, and redacted as the release says', async () => {
    const assetsOnly = (await releasedIncident({ fields: ['affectedAssets'] })).incident;
    const redacted = (await releasedIncident({ fields: ['internalNotes', 'reporter'], redact: { reporter: 'pseudonymise', title: 'blank' } })).incident;
    const nothingInternal = (await releasedIncident({})).incident;
    const read = (id: string) =>
      asGridpower(async (q) => (await q('SELECT title, summary, internal_notes, reporter, affected_assets, report, redactions FROM shared_incidents WHERE id = $1', [id]))[0]);

    expect(await read(assetsOnly.id)).toEqual({
      title: body.title,
      summary: body.summary,
      internal_notes: null,
      reporter: null,
      affected_assets: body.affectedAssets,
      report: null,
      redactions: {},
    });
    const pseudonymous = await read(redacted.id);
    expect(pseudonymous).toMatchObject({ title: '', summary: body.summary, internal_notes: body.internalNotes, affected_assets: null });
    expect(pseudonymous.reporter).toEqual({ name: expect.stringMatching(/^pseudonym-[0-9a-f]{16}$/), contact: expect.stringMatching(/^pseudonym-[0-9a-f]{16}$/) });
    expect(pseudonymous.redactions).toEqual({ title: 'blank', reporter: 'pseudonymise' });
    expect(await read(nothingInternal.id)).toMatchObject({ internal_notes: null, reporter: null, affected_assets: null });
    // What never leaves the owner is not in the view at all.
    await asGridpower(async (q) => {
      const [row] = await q('SELECT clock_profiles, log_head_hash, log_length, source_event_report_id, created_by FROM shared_incidents WHERE id = $1', [assetsOnly.id]);
      expect(Object.values(row)).toEqual([null, null, null, null, null]);
    });
  });

  it('returns nothing through the view outside a shared-read transaction, or to an organisation not released to', async () => {
    const { incident, observable } = await releasedIncident({ fields: ['internalNotes'] });
    expect(await asGridpower((q) => q('SELECT id FROM shared_incidents WHERE id = $1', [incident.id]), 'own')).toEqual([]);
    expect(await asGridpower((q) => q('SELECT id FROM shared_observables WHERE id = $1', [observable.id]), 'own')).toEqual([]);
    expect(await asGridpower((q) => q('SELECT id FROM shared_incidents WHERE id = $1', [incident.id]), 'shared', 'st-marys-hospital')).toEqual([]);
    // The owner meets its own rows in the base table, never through the recipients' view.
    const client = await hub.appClient();
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.reads', 'shared', true)", [hub.orgId('northbank')]);
    expect((await client.query('SELECT internal_notes FROM incidents WHERE id = $1', [incident.id])).rows).toEqual([{ internal_notes: body.internalNotes }]);
    expect((await client.query('SELECT id FROM shared_incidents WHERE id = $1', [incident.id])).rows).toEqual([]);
    await client.query('ROLLBACK');
  });

  it('pseudonymises with HMAC-SHA-256 under the release key: stable within a release, different across releases', async () => {
    const { incident } = await releasedIncident({ fields: ['reporter'], redact: { reporter: 'pseudonymise' } });
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    const keys = (await owner.query("SELECT pseudonym_key FROM releases WHERE object_id = $1 AND object_type = 'incident'", [incident.id])).rows;
    await owner.end();
    expect(keys).toHaveLength(1);
    const expected = (value: string) => `pseudonym-${createHmac('sha256', keys[0].pseudonym_key).update(value).digest('hex').slice(0, 16)}`;
    const read = (id: string) => asGridpower(async (q) => (await q('SELECT reporter FROM shared_incidents WHERE id = $1', [id]))[0].reporter as { name: string });
    expect(await read(incident.id)).toEqual({ name: expected(body.reporter.name), contact: expected(body.reporter.contact) });
    expect(await read(incident.id)).toEqual(await read(incident.id));
    const other = (await releasedIncident({ fields: ['reporter'], redact: { reporter: 'pseudonymise' } })).incident;
    expect((await read(other.id)).name).not.toEqual((await read(incident.id)).name);
  });

  it('sends a field as it is when any grant of the caller covering it does', async () => {
    const { incident } = await releasedIncident({ redact: { title: 'blank' } });
    const read = () => asGridpower(async (q) => (await q('SELECT title, redactions FROM shared_incidents WHERE id = $1', [incident.id]))[0]);
    expect(await read()).toEqual({ title: '', redactions: { title: 'blank' } });
    await hub
      .http()
      .post(`/api/v1/incidents/${incident.id}/releases`)
      .set(bearer(owner))
      .send({ recipients: [{ kind: 'user', id: hub.userId('gridpower', 'viewer') }] })
      .expect(201);
    expect(await read()).toEqual({ title: body.title, redactions: {} });
  });
});
