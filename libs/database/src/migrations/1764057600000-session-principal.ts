import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Authentication on every request in one round trip instead of four: the function sets the tenant context
 * itself and reads the user, organisation and session under row-level security (SECURITY INVOKER, so the
 * policies apply exactly as to hub_app), and puts back whatever context the caller had before it returns.
 */
export class SessionPrincipal1764057600000 implements MigrationInterface {
  name = 'SessionPrincipal1764057600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION hub_user_principal(p_org uuid, p_user uuid, p_session uuid)
        RETURNS TABLE (email text, roles text[], kind text)
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
        DECLARE
          prev_org text := coalesce(current_setting('hub.org_id', true), '');
          prev_user text := coalesce(current_setting('hub.user_id', true), '');
          prev_kind text := coalesce(current_setting('hub.org_kind', true), '');
          prev_operator text := coalesce(current_setting('hub.operator', true), '');
        BEGIN
          PERFORM set_config('hub.org_id', p_org::text, true), set_config('hub.user_id', p_user::text, true),
                  set_config('hub.org_kind', '', true), set_config('hub.operator', 'off', true);
          RETURN QUERY
            SELECT u.email, u.roles, o.kind
              FROM users u
              JOIN organisations o ON o.id = u.org_id AND o.status = 'active'
              JOIN auth_sessions s ON s.id = p_session AND s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now()
             WHERE u.id = p_user AND u.org_id = p_org AND u.status = 'active';
          -- Whatever context the caller had comes back, so the check never leaks into later statements.
          PERFORM set_config('hub.org_id', prev_org, true), set_config('hub.user_id', prev_user, true),
                  set_config('hub.org_kind', prev_kind, true), set_config('hub.operator', prev_operator, true);
        END $$;
      REVOKE ALL ON FUNCTION hub_user_principal(uuid, uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_user_principal(uuid, uuid, uuid) TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION hub_user_principal(uuid, uuid, uuid)');
  }
}
