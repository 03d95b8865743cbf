import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { TestDatabaseEnv } from './test-database.js';

export default async function globalTeardown(): Promise<void> {
  const raw = process.env.HUB_TEST_DATABASE;
  if (raw) {
    const env: TestDatabaseEnv = JSON.parse(raw);
    const admin = new pg.Client({ connectionString: env.adminUrl });
    await admin.connect();
    // Databases of suites that crashed before dropping theirs, and the template.
    const leftovers = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)',
      [env.template, `hub_t_${env.runId}_`],
    );
    for (const { datname } of leftovers.rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await admin.end();
  }
  const embedded = globalThis.__hubTestCluster;
  if (embedded) {
    await embedded.cluster.stop();
    await rm(embedded.dir, { recursive: true, force: true });
  }
}
