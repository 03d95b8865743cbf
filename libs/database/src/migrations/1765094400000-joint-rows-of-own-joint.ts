import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rows the coordinator owns inside a joint incident (participants, decisions, linked incidents) may be written only
 * into a joint incident of the writer's own. Before, the owner policy checked the row's `org_id` alone, so
 * `hub_app` in any tenant's transaction could insert, under its own organisation, a participation into another
 * coordinator's joint incident, and probe `joint_participants_live_key` for who takes part in it.
 */
export class JointRowsOfOwnJoint1765094400000 implements MigrationInterface {
  name = 'JointRowsOfOwnJoint1765094400000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['joint_participants', 'joint_decisions', 'joint_linked_incidents']) {
      await q.query(`
        DROP POLICY ${table}_owner ON ${table};
        CREATE POLICY ${table}_owner ON ${table} USING (org_id = hub_current_org())
          WITH CHECK (org_id = hub_current_org() AND hub_joint_coordinator(joint_incident_id));
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['joint_participants', 'joint_decisions', 'joint_linked_incidents']) {
      await q.query(`
        DROP POLICY ${table}_owner ON ${table};
        CREATE POLICY ${table}_owner ON ${table} USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      `);
    }
  }
}
