import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations replace direct user creation: an admin names an email; the invitee sets its password with a
 * single-use, expiring token whose SHA-256 alone is stored. Nothing tells the admin whether the email has an
 * account elsewhere.
 */
export class Credentials1764230400000 implements MigrationInterface {
  name = 'Credentials1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        roles text[] NOT NULL CHECK (
          cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'handler', 'viewer', 'coordinator']::text[]
        ),
        secret_hash bytea NOT NULL,
        -- NULL: made by the operator's CLI, not by a user of the organisation.
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        user_id uuid REFERENCES users (id),
        revoked_at timestamptz,
        revoked_reason text,
        CHECK ((accepted_at IS NULL) = (user_id IS NULL))
      );
      CREATE INDEX invitations_org_idx ON invitations (org_id, created_at, id);
      ALTER TABLE invitations ENABLE ROW LEVEL SECURITY; ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
      CREATE POLICY invitations_tenant ON invitations
        USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      GRANT SELECT, INSERT, UPDATE ON invitations TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE invitations');
  }
}
