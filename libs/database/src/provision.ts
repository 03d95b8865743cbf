import pg from 'pg';

export const OWNER_ROLE = 'hub_owner';
export const APP_ROLE = 'hub_app';

export interface ProvisionedDatabase {
  /** The owner role's connection: runs migrations. */
  ownerUrl: string;
  /** The application role's connection: owns nothing, cannot bypass row-level security. */
  appUrl: string;
}

/**
 * Creates (or updates) the two roles and the database, as a superuser. The owner may not create roles
 * or bypass row-level security; the application role owns nothing and may only connect and use the schema.
 */
export async function provisionDatabase(options: {
  adminUrl: string;
  database: string;
  ownerPassword: string;
  appPassword: string;
  template?: string;
}): Promise<ProvisionedDatabase> {
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  const id = (name: string) => admin.escapeIdentifier(name);
  const literal = (value: string) => admin.escapeLiteral(value);
  try {
    for (const [role, password] of [
      [OWNER_ROLE, options.ownerPassword],
      [APP_ROLE, options.appPassword],
    ] as const) {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await admin.query(
        `${verb} ROLE ${id(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${literal(password)}`,
      );
    }
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (!db.rowCount) {
      const template = options.template ? ` TEMPLATE ${id(options.template)}` : '';
      await admin.query(`CREATE DATABASE ${id(options.database)} OWNER ${id(OWNER_ROLE)}${template}`);
    }
    await admin.query(`REVOKE ALL ON DATABASE ${id(options.database)} FROM PUBLIC`);
    await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${id(options.database)} TO ${id(APP_ROLE)}`);
    await admin.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${id(options.database)} TO ${id(OWNER_ROLE)}`);
  } finally {
    await admin.end();
  }

  const inDb = new pg.Client({ connectionString: withDatabase(options.adminUrl, options.database) });
  await inDb.connect();
  try {
    await inDb.query(`ALTER SCHEMA public OWNER TO ${inDb.escapeIdentifier(OWNER_ROLE)}`);
    await inDb.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    await inDb.query(`GRANT USAGE ON SCHEMA public TO ${inDb.escapeIdentifier(APP_ROLE)}`);
  } finally {
    await inDb.end();
  }

  return {
    ownerUrl: withCredentials(options.adminUrl, options.database, OWNER_ROLE, options.ownerPassword),
    appUrl: withCredentials(options.adminUrl, options.database, APP_ROLE, options.appPassword),
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function withCredentials(url: string, database: string, user: string, password: string): string {
  const parsed = new URL(withDatabase(url, database));
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
