import pg from 'pg';

/**
 * Refuses to serve when the application's connection could bypass row-level security: a superuser, a
 * role with BYPASSRLS, the owner of the tables, or a member of the owner role. Misconfiguration fails closed.
 */
export async function assertApplicationRoleConfined(appUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string; rolsuper: boolean; rolbypassrls: boolean; owns: number; in_owner: boolean }>(`
      SELECT r.rolname AS role, r.rolsuper, r.rolbypassrls,
             (SELECT count(*)::int FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user) AS owns,
             coalesce((SELECT pg_has_role(current_user, t.tableowner, 'USAGE') FROM pg_tables t
                        WHERE t.schemaname = 'public' AND t.tablename = 'organisations'), false) AS in_owner
        FROM pg_roles r WHERE r.rolname = current_user`);
    const role = rows[0];
    const problems = [
      role.rolsuper && 'is a superuser',
      role.rolbypassrls && 'has BYPASSRLS',
      role.owns > 0 && `owns ${role.owns} tables`,
      role.in_owner && 'is (a member of) the owner role',
    ].filter(Boolean);
    if (problems.length > 0) {
      throw new Error(
        `refusing to start: the application's database role ${role.role} ${problems.join(', ')}, so row-level security ` +
          'would not hold; connect DATABASE_URL as hub_app (see docs/operations.md)',
      );
    }
  } finally {
    await client.end();
  }
}
