import pg from 'pg';
import { type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The joint-incident schema below the API: row-level security, the derived grants of hub_sync_joint_access,
 * the participant's answer as the one cross-tenant write, and pseudonyms masked in the shared views.
 */
describe('joint incidents: the schema', () => {
  let hub: TestHub;
  let client: pg.Client;

  beforeAll(async () => {
    hub = await startTestHub();
    client = await hub.appClient();
  });
  afterAll(async () => hub?.close());

  type Sql = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  /** One committed transaction as a user of `slug`, as TenantDatabase.run sets it. */
  async function as<T>(slug: DemoOrgSlug, role: string, work: (sql: Sql) => Promise<T>, reads: 'own' | 'shared' = 'own'): Promise<T> {
    await client.query('BEGIN');
    try {
      await client.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true), set_config('hub.reads', $4, true)",
        [hub.orgId(slug), slug === 'national-csirt' ? 'coordinator' : slug === 'netwatch-isp' ? 'partner' : 'member', hub.userId(slug, role), reads],
      );
      const result = await work(async (sql, params = []) => (await client.query(sql, params)).rows);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  const shared = <T>(slug: DemoOrgSlug, work: (sql: Sql) => Promise<T>) => as(slug, 'viewer', work, 'shared');
  /** Every grantee of an object, read as the owner role (whose lookup policy reads the whole access table). */
  const grantees = async (id: string) => {
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ grantee: string }>('SELECT grantee FROM access WHERE object_id = $1 ORDER BY grantee', [id]);
      return rows.map((r) => r.grantee);
    } finally {
      await owner.end();
    }
  };

  let jointId: string;

  it('lets the coordinator open a joint incident and invite participants, one pseudonymous', async () => {
    jointId = await as('national-csirt', 'coordinator', async (sql) => {
      const [j] = await sql<{ id: string }>(
        `INSERT INTO joint_incidents (org_id, title, category, sub_type, severity, marking, created_by)
         VALUES (hub_current_org(), 'Phishing wave', 'fraud', 'phishing', 3, 'AMBER', hub_current_user_id()) RETURNING id`,
      );
      await sql(
        `INSERT INTO joint_participants (org_id, joint_incident_id, participant_org_id, role, pseudonym, invited_by)
         VALUES (hub_current_org(), $1, $2, 'lead', NULL, hub_current_user_id()),
                (hub_current_org(), $1, $3, 'affected', 'Participant C', hub_current_user_id()),
                (hub_current_org(), $1, $4, 'observer', NULL, hub_current_user_id())`,
        [j.id, hub.orgId('northbank'), hub.orgId('gridpower'), hub.orgId('st-marys-hospital')],
      );
      await sql('SELECT hub_sync_joint_access($1)', [j.id]);
      return j.id;
    });
    expect(await grantees(jointId)).toEqual([]);
    // An invitee reads its invitation, nothing else.
    await as('northbank', 'admin', async (sql) => {
      expect(await sql('SELECT id FROM joint_incidents WHERE id = $1', [jointId])).toEqual([]);
      expect(await sql('SELECT state FROM joint_participants WHERE joint_incident_id = $1', [jointId])).toEqual([{ state: 'invited' }]);
    });
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([]);
  });

  it('takes a participant answer through the definer function only, and grants the accepted participants', async () => {
    await expect(
      as('northbank', 'admin', (sql) => sql("UPDATE joint_participants SET state = 'accepted', answered_at = now() WHERE joint_incident_id = $1", [jointId])),
    ).resolves.toEqual([]); // no row: the update policy is the owner's
    for (const slug of ['northbank', 'gridpower'] as const) {
      await as(slug, 'admin', async (sql) => {
        const contacts = await sql<{ id: string }>('SELECT id FROM points_of_contact WHERE org_id = hub_current_org() ORDER BY name');
        await sql('SELECT hub_answer_joint_invitation($1, true, $2, NULL)', [jointId, contacts.map((c) => c.id)]);
        await sql('SELECT hub_sync_joint_access($1)', [jointId]);
      });
    }
    await as('st-marys-hospital', 'handler', async (sql) => {
      await sql("SELECT hub_answer_joint_invitation($1, false, NULL, 'not affected')", [jointId]);
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
    });
    // Another organisation's contacts are refused.
    await expect(
      as('st-marys-hospital', 'admin', async (sql) => {
        const [other] = await sql<{ id: string }>('SELECT id FROM points_of_contact WHERE org_id = $1 LIMIT 1', [hub.orgId('northbank')]);
        return sql('SELECT hub_answer_joint_invitation($1, true, $2, NULL)', [jointId, [other.id]]);
      }),
    ).rejects.toThrow(/own directory/);
    expect(await grantees(jointId)).toEqual([`org:${hub.orgId('gridpower')}`, `org:${hub.orgId('northbank')}`].sort());
    expect(await shared('northbank', (sql) => sql('SELECT id, author_label FROM shared_joint_incidents'))).toEqual([
      { id: jointId, author_label: 'National CSIRT' },
    ]);
    expect(await shared('st-marys-hospital', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([]);
    // An outsider cannot recompute another's joint incident.
    await expect(as('netwatch-isp', 'admin', (sql) => sql('SELECT hub_sync_joint_access($1)', [jointId]))).rejects.toThrow(/not found/);
  });

  it('masks a pseudonymous author for the other participants, never for the coordinator', async () => {
    const updateId = await as('gridpower', 'handler', async (sql) => {
      const [u] = await sql<{ id: string }>(
        `INSERT INTO joint_updates (org_id, joint_incident_id, kind, title, body, marking, audience, created_by)
         VALUES (hub_current_org(), $1, 'update', 'Seen here too', 'same sender', 'AMBER', 'all', hub_current_user_id()) RETURNING id`,
        [jointId],
      );
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
      return u.id;
    });
    expect(await grantees(updateId)).toEqual([`org:${hub.orgId('national-csirt')}`, `org:${hub.orgId('northbank')}`].sort());
    const seen = await shared('northbank', (sql) => sql('SELECT * FROM shared_joint_updates'));
    const participants = await shared('northbank', (sql) => sql('SELECT * FROM shared_joint_participants ORDER BY role'));
    const [pseudonymous] = await as('national-csirt', 'coordinator', (sql) =>
      sql<{ id: string }>('SELECT id FROM joint_participants WHERE joint_incident_id = $1 AND pseudonym IS NOT NULL', [jointId]),
    );
    expect(seen).toEqual([expect.objectContaining({ id: updateId, org_id: pseudonymous.id, author_label: 'Participant C', created_by: null })]);
    expect(participants).toEqual([
      expect.objectContaining({ id: pseudonymous.id, participant_org_id: null, org_name: null, pseudonym: 'Participant C', role: 'affected' }),
      expect.objectContaining({ participant_org_id: hub.orgId('northbank'), org_name: 'Northbank', role: 'lead' }),
    ]);
    for (const leak of [hub.orgId('gridpower'), 'GridPower']) expect(JSON.stringify([seen, participants])).not.toContain(leak);
    expect(await shared('national-csirt', (sql) => sql('SELECT org_id, author_label FROM shared_joint_updates'))).toEqual([
      { org_id: hub.orgId('gridpower'), author_label: 'GridPower Energy' },
    ]);
  });

  it('turns a RED joint incident into grants of the named contacts users, and removal withdraws at once', async () => {
    // Northbank names its viewer as one of its points of contact; GridPower's contacts name no user.
    await as('northbank', 'admin', (sql) =>
      sql("UPDATE points_of_contact SET user_id = $1 WHERE org_id = hub_current_org() AND role_title = 'Duty officer'", [hub.userId('northbank', 'viewer')]),
    );
    await as('national-csirt', 'coordinator', async (sql) => {
      await sql("UPDATE joint_incidents SET marking = 'RED', updated_at = now() WHERE id = $1", [jointId]);
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
    });
    expect(await grantees(jointId)).toEqual([`user:${hub.userId('northbank', 'viewer')}`]);
    expect(await as('northbank', 'handler', (sql) => sql('SELECT id FROM shared_joint_incidents'), 'shared')).toEqual([]);
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([{ id: jointId }]);

    await as('national-csirt', 'coordinator', async (sql) => {
      await sql(
        `UPDATE joint_participants SET state = 'removed', removed_at = now(), removed_by = hub_current_user_id(), remove_reason = 'left'
          WHERE joint_incident_id = $1 AND participant_org_id = $2 AND state = 'accepted'`,
        [jointId, hub.orgId('northbank')],
      );
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
    });
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([]);
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_updates'))).toEqual([]);
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_participants'))).toEqual([]);
  });

  it('keeps the outbox grantee keys and the registry rows', async () => {
    const rows = await as('national-csirt', 'viewer', (sql) =>
      sql("SELECT type FROM shareable_types WHERE container_type = 'joint_incident' ORDER BY type"),
    );
    expect(rows.map((r) => r.type)).toEqual(['joint_decision', 'joint_incident', 'joint_observable', 'joint_update']);
    const [event] = await as('national-csirt', 'coordinator', (sql) =>
      sql(
        "INSERT INTO outbox (org_id, event_type, aggregate_type, aggregate_id, grantees) VALUES (hub_current_org(), 'x', 'joint_incident', $1, $2) RETURNING grantees",
        [jointId, ['org:' + hub.orgId('gridpower')]],
      ),
    );
    expect(event).toEqual({ grantees: ['org:' + hub.orgId('gridpower')] });
  });
});
