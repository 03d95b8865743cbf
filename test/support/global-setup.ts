import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRootLogger, freePort } from '#common';
import { type EmbeddedCluster, provisionDatabase, runMigrations, startEmbeddedPostgres } from '#database';
import type { TestDatabaseEnv } from './test-database.js';

declare global {
  var __hubTestCluster: { cluster: EmbeddedCluster; dir: string } | undefined;
}

/**
 * Jest runs this file outside its module system, so `#common` and `#database` resolve to the built
 * libraries in dist/ (npm test builds before the suites run).
 *
 * Starts one PostgreSQL for the whole run (embedded, from the npm registry) unless TEST_DATABASE_URL or
 * DATABASE_URL names a server with rights to create roles and databases; then migrates a template
 * database that each suite copies.
 */
export default async function globalSetup(): Promise<void> {
  const logger = createRootLogger('warn');
  let adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hub-test-pg-'));
    const cluster = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), logger });
    globalThis.__hubTestCluster = { cluster, dir };
    adminUrl = cluster.adminUrl;
  }
  const runId = randomBytes(4).toString('hex');
  const env: TestDatabaseEnv = {
    adminUrl,
    runId,
    template: `hub_tpl_${runId}`,
    ownerPassword: randomBytes(18).toString('base64url'),
    appPassword: randomBytes(18).toString('base64url'),
  };
  const urls = await provisionDatabase({ adminUrl, database: env.template, ownerPassword: env.ownerPassword, appPassword: env.appPassword });
  await runMigrations(urls.ownerUrl, logger);
  process.env.HUB_TEST_DATABASE = JSON.stringify(env);
}
