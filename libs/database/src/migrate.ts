import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { migrations } from './migrations/index.js';

/** Arbitrary but fixed: every hub process migrating the same database takes this advisory lock first. */
const MIGRATION_LOCK = 27035_4;

/**
 * Applies pending migrations as the owner role. Several hub processes may start at once; the advisory
 * lock makes the second wait and then find nothing left to do.
 */
export async function runMigrations(ownerUrl: string, logger: Logger): Promise<string[]> {
  const lock = new pg.Client({ connectionString: ownerUrl });
  await lock.connect();
  const dataSource = new DataSource({ type: 'postgres', url: ownerUrl, migrations, migrationsTransactionMode: 'each', logging: false });
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    // The field guard's views read the tables with their owner's rights: an owner that row-level security
    // does not bind (a superuser, BYPASSRLS) would make them read every organisation's rows.
    const [owner] = (await lock.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user')).rows;
    if (owner?.rolsuper || owner?.rolbypassrls) {
      throw new Error('migrations must run as the owner role (hub_owner), not as a superuser or a role with BYPASSRLS');
    }
    const appRole = await lock.query("SELECT 1 FROM pg_roles WHERE rolname = 'hub_app'");
    if (!appRole.rowCount) {
      throw new Error('role hub_app does not exist: provision the database first (npm run cli -- db:provision)');
    }
    await dataSource.initialize();
    const applied = await dataSource.runMigrations();
    for (const migration of applied) logger.info({ migration: migration.name }, 'migration applied');
    return applied.map((m) => m.name);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}
