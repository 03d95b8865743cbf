import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credentials die with what they stand for. Disabling an organisation revokes, for good, every session (and so
 * its refresh tokens), API key and pending invitation of it; disabling a user revokes its sessions, the API keys
 * it created and the invitations it sent, and an admin who loses the admin role loses its keys and invitations.
 * Triggers do it, so every path that disables (API, CLI, a hand-written UPDATE) revokes in the same transaction.
 *
 * Invitations replace direct user creation: an admin names an email; the invitee sets its password with a
 * single-use, expiring token whose SHA-256 alone is stored. The login throttle counts per account and address.
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
      CREATE INDEX invitations_creator_idx ON invitations (created_by) WHERE accepted_at IS NULL AND revoked_at IS NULL;
      ALTER TABLE invitations ENABLE ROW LEVEL SECURITY; ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
      CREATE POLICY invitations_tenant ON invitations
        USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      GRANT SELECT, INSERT, UPDATE ON invitations TO hub_app;

      CREATE INDEX api_keys_creator_idx ON api_keys (created_by) WHERE revoked_at IS NULL;
      -- The throttle prunes every account's old attempts, oldest first.
      CREATE INDEX login_failures_at_idx ON login_failures (at);
      CREATE INDEX login_failures_pair_idx ON login_failures (email, ip, at);
      DROP INDEX login_failures_email_idx;

      -- Runs in the organisation's own transaction (row-level security applies as to any statement of it).
      CREATE FUNCTION hub_user_credentials_follow() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        BEGIN
          IF NEW.status = 'disabled' THEN
            UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'user disabled'
             WHERE user_id = NEW.id AND revoked_at IS NULL;
          END IF;
          IF NEW.status = 'disabled' OR NOT ('admin' = ANY (NEW.roles)) THEN
            UPDATE api_keys SET revoked_at = now() WHERE created_by = NEW.id AND revoked_at IS NULL;
            UPDATE invitations SET revoked_at = now(), revoked_reason = 'inviter disabled or no longer admin'
             WHERE created_by = NEW.id AND accepted_at IS NULL AND revoked_at IS NULL;
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER users_credentials_follow AFTER UPDATE OF status, roles ON users
        FOR EACH ROW
        WHEN ((NEW.status = 'disabled' AND OLD.status <> 'disabled')
              OR ('admin' = ANY (OLD.roles) AND NOT ('admin' = ANY (NEW.roles))))
        EXECUTE FUNCTION hub_user_credentials_follow();

      -- The operator disables an organisation from a context with no organisation, which sees none of its
      -- credentials. Like hub_user_principal, this steps into the organisation for its three statements and
      -- puts the caller's context back; only an update by the operator context reaches it (the policy on
      -- organisations allows no other).
      CREATE FUNCTION hub_organisation_credentials_follow() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          prev_org text := coalesce(current_setting('hub.org_id', true), '');
          prev_user text := coalesce(current_setting('hub.user_id', true), '');
        BEGIN
          PERFORM set_config('hub.org_id', NEW.id::text, true), set_config('hub.user_id', '', true);
          UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'organisation disabled'
           WHERE org_id = NEW.id AND revoked_at IS NULL;
          UPDATE api_keys SET revoked_at = now() WHERE org_id = NEW.id AND revoked_at IS NULL;
          UPDATE invitations SET revoked_at = now(), revoked_reason = 'organisation disabled'
           WHERE org_id = NEW.id AND accepted_at IS NULL AND revoked_at IS NULL;
          PERFORM set_config('hub.org_id', prev_org, true), set_config('hub.user_id', prev_user, true);
          RETURN NULL;
        END $$;
      CREATE TRIGGER organisations_credentials_follow AFTER UPDATE OF status ON organisations
        FOR EACH ROW WHEN (NEW.status = 'disabled' AND OLD.status <> 'disabled')
        EXECUTE FUNCTION hub_organisation_credentials_follow();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER organisations_credentials_follow ON organisations;
      DROP FUNCTION hub_organisation_credentials_follow();
      DROP TRIGGER users_credentials_follow ON users;
      DROP FUNCTION hub_user_credentials_follow();
      CREATE INDEX login_failures_email_idx ON login_failures (email, at);
      DROP INDEX login_failures_pair_idx; DROP INDEX login_failures_at_idx; DROP INDEX api_keys_creator_idx;
      DROP TABLE invitations;
    `);
  }
}
