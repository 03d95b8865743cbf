import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { provisionDatabase, withDatabase, type ProvisionedDatabase } from '#database';

/** Set by the global setup: where the suites' databases are made, and from which migrated template. */
export interface TestDatabaseEnv {
  adminUrl: string;
  /** Names every database of this run, so a teardown drops only its own. */
  runId: string;
  template: string;
  ownerPassword: string;
  appPassword: string;
}

export function testDatabaseEnv(): TestDatabaseEnv {
  const raw = process.env.HUB_TEST_DATABASE;
  if (!raw) throw new Error('HUB_TEST_DATABASE is not set: run the e2e suites through jest (the global setup sets it)');
  return JSON.parse(raw);
}

export interface TestDatabase extends ProvisionedDatabase {
  name: string;
  adminUrl: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database per suite, copied from the template in a few milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const env = testDatabaseEnv();
  const name = `hub_t_${env.runId}_${randomBytes(4).toString('hex')}`;
  const urls = await provisionDatabase({
    adminUrl: env.adminUrl,
    database: name,
    template: env.template,
    ownerPassword: env.ownerPassword,
    appPassword: env.appPassword,
  });
  return {
    ...urls,
    name,
    adminUrl: withDatabase(env.adminUrl, name),
    drop: async () => {
      const admin = new pg.Client({ connectionString: env.adminUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
