import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisations, users, points of contact and the authentication tables, each tenant table behind
 * forced row-level security that reads the organisation from transaction-local settings.
 * The application role `hub_app` is granted rows, never ownership.
 */
export class Foundation1763884800000 implements MigrationInterface {
  name = 'Foundation1763884800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION hub_current_org() RETURNS uuid LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('hub.org_id', true), '')::uuid $$;
      CREATE FUNCTION hub_current_user_id() RETURNS uuid LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('hub.user_id', true), '')::uuid $$;
      CREATE FUNCTION hub_current_org_kind() RETURNS text LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('hub.org_kind', true), '') $$;
      CREATE FUNCTION hub_is_operator() RETURNS boolean LANGUAGE sql STABLE
        AS $$ SELECT coalesce(current_setting('hub.operator', true) = 'on', false) $$;
    `);

    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('member', 'coordinator', 'partner')),
        sector text CHECK (length(sector) <= 100),
        country char(2) CHECK (country ~ '^[A-Z]{2}$'),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      );
      CREATE UNIQUE INDEX organisations_slug_key ON organisations (slug);
      CREATE INDEX organisations_directory_idx ON organisations (name, id);

      CREATE TABLE platform_operators (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX platform_operators_email_key ON platform_operators (lower(email));

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        password_hash text,
        roles text[] NOT NULL CHECK (
          cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'handler', 'viewer', 'coordinator']::text[]
        ),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      CREATE INDEX users_org_idx ON users (org_id, lower(email), id);

      CREATE TABLE points_of_contact (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role_title text CHECK (length(role_title) <= 200),
        user_id uuid REFERENCES users (id),
        channels jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(channels) = 'array'),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX points_of_contact_org_idx ON points_of_contact (org_id, name, id);

      -- A login session: the family of its rotating refresh tokens. Operators have no organisation.
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid REFERENCES organisations (id),
        user_id uuid REFERENCES users (id),
        operator_id uuid REFERENCES platform_operators (id),
        CHECK ((org_id IS NOT NULL AND user_id IS NOT NULL AND operator_id IS NULL)
            OR (org_id IS NULL AND user_id IS NULL AND operator_id IS NOT NULL)),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text
      );
      CREATE INDEX auth_sessions_user_idx ON auth_sessions (org_id, user_id) WHERE revoked_at IS NULL;

      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid REFERENCES organisations (id),
        session_id uuid NOT NULL REFERENCES auth_sessions (id),
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        secret_hash bytea NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['handler', 'viewer']::text[]),
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at, id);

      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('access-token')),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );

      CREATE TABLE login_failures (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        ip text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX login_failures_email_idx ON login_failures (email, at);
      CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);
    `);

    // Row-level security, forced so that not even the table owner reads across tenants by accident.
    for (const table of ['organisations', 'users', 'points_of_contact', 'auth_sessions', 'refresh_tokens', 'api_keys']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
    }
    for (const table of ['users', 'api_keys']) {
      await q.query(`
        CREATE POLICY ${table}_tenant ON ${table}
          USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      `);
    }
    for (const table of ['auth_sessions', 'refresh_tokens']) {
      await q.query(`
        CREATE POLICY ${table}_tenant ON ${table}
          USING (org_id = hub_current_org() OR (org_id IS NULL AND hub_is_operator()))
          WITH CHECK (org_id = hub_current_org() OR (org_id IS NULL AND hub_is_operator()));
      `);
    }
    await q.query(`
      CREATE POLICY organisations_directory ON organisations FOR SELECT
        USING (hub_current_org() IS NOT NULL OR hub_is_operator());
      CREATE POLICY organisations_operator_insert ON organisations FOR INSERT WITH CHECK (hub_is_operator());
      CREATE POLICY organisations_operator_update ON organisations FOR UPDATE
        USING (hub_is_operator()) WITH CHECK (hub_is_operator());

      -- The community (members and coordinators) reads each other's points of contact; each edits its own.
      CREATE POLICY points_of_contact_read ON points_of_contact FOR SELECT
        USING (org_id = hub_current_org() OR hub_current_org_kind() IN ('member', 'coordinator'));
      CREATE POLICY points_of_contact_insert ON points_of_contact FOR INSERT WITH CHECK (org_id = hub_current_org());
      CREATE POLICY points_of_contact_update ON points_of_contact FOR UPDATE
        USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      CREATE POLICY points_of_contact_delete ON points_of_contact FOR DELETE USING (org_id = hub_current_org());

      -- Login happens before any tenant is known. These two functions run as the owner, which alone
      -- may read across tenants, and return only what a login or a token check needs.
      CREATE POLICY organisations_owner_lookup ON organisations FOR SELECT TO CURRENT_USER USING (true);
      CREATE POLICY users_owner_lookup ON users FOR SELECT TO CURRENT_USER USING (true);

      -- An email names one account across users and operators; an ambiguous one logs nobody in.
      CREATE FUNCTION hub_login_candidates(p_email text)
        RETURNS TABLE (principal text, id uuid, org_id uuid, password_hash text, active boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          WITH candidates AS (
            SELECT 'user' AS principal, u.id, u.org_id, u.password_hash, (u.status = 'active' AND o.status = 'active') AS active
              FROM users u JOIN organisations o ON o.id = u.org_id
             WHERE lower(u.email) = lower(p_email)
            UNION ALL
            SELECT 'operator', p.id, NULL::uuid, p.password_hash, p.status = 'active'
              FROM platform_operators p
             WHERE lower(p.email) = lower(p_email)
          )
          SELECT * FROM candidates WHERE (SELECT count(*) FROM candidates) = 1
      $$;

      -- Users and operators share one email namespace, so a tenant admin cannot shadow an operator's login.
      CREATE FUNCTION hub_email_not_an_operator() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM platform_operators p WHERE lower(p.email) = lower(NEW.email)) THEN
            RAISE EXCEPTION 'email % is in use', NEW.email USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_email_key';
          END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER users_email_not_an_operator BEFORE INSERT OR UPDATE OF email ON users
        FOR EACH ROW EXECUTE FUNCTION hub_email_not_an_operator();
      CREATE FUNCTION hub_operator(p_id uuid)
        RETURNS TABLE (id uuid, email text, display_name text, active boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT p.id, p.email, p.display_name, p.status = 'active' FROM platform_operators p WHERE p.id = p_id
      $$;
      REVOKE ALL ON FUNCTION hub_login_candidates(text) FROM PUBLIC;
      REVOKE ALL ON FUNCTION hub_operator(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_login_candidates(text) TO hub_app;
      GRANT EXECUTE ON FUNCTION hub_operator(uuid) TO hub_app;

      GRANT SELECT, INSERT, UPDATE ON organisations, users, auth_sessions, refresh_tokens, api_keys TO hub_app;
      GRANT SELECT, INSERT, UPDATE, DELETE ON points_of_contact TO hub_app;
      GRANT SELECT, INSERT, UPDATE ON signing_keys TO hub_app;
      GRANT SELECT, INSERT, DELETE ON login_failures TO hub_app;
      GRANT USAGE ON SEQUENCE login_failures_id_seq TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER users_email_not_an_operator ON users;
      DROP FUNCTION hub_email_not_an_operator();
      DROP FUNCTION hub_operator(uuid);
      DROP FUNCTION hub_login_candidates(text);
      DROP TABLE login_failures, signing_keys, api_keys, refresh_tokens, auth_sessions, points_of_contact, users,
        platform_operators, organisations;
      DROP FUNCTION hub_is_operator(); DROP FUNCTION hub_current_org_kind();
      DROP FUNCTION hub_current_user_id(); DROP FUNCTION hub_current_org();
    `);
  }
}
