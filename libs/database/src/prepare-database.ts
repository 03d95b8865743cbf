import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { HubConfig } from '#common';
import { assertApplicationRoleConfined } from './confined-role.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { runMigrations } from './migrate.js';
import { provisionDatabase } from './provision.js';

export interface PreparedDatabase {
  appUrl: string;
  /** Null when this process neither migrates nor seeds (migrations run as a separate job). */
  ownerUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Brings the database to a state the hub can serve from: the embedded cluster started and provisioned
 * when no `DATABASE_URL` is set, then migrations applied as the owner role.
 */
export async function prepareDatabase(config: HubConfig, logger: Logger): Promise<PreparedDatabase> {
  let prepared: PreparedDatabase;
  if (config.embedded) {
    const cluster = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPostgresPort,
      logger,
    });
    const secrets = await roleSecrets(config.dataDir);
    const urls = await provisionDatabase({ adminUrl: cluster.adminUrl, database: 'hub', ...secrets });
    prepared = { ...urls, stop: cluster.stop };
  } else {
    prepared = {
      appUrl: config.databaseUrl as string,
      ownerUrl: config.migrationDatabaseUrl,
      stop: async () => {},
    };
  }
  if (config.migrateOnStart && prepared.ownerUrl) await runMigrations(prepared.ownerUrl, logger);
  await assertApplicationRoleConfined(prepared.appUrl);
  return prepared;
}

/** Passwords of the two roles of the embedded cluster: generated once, kept in the data folder. */
async function roleSecrets(dataDir: string): Promise<{ ownerPassword: string; appPassword: string }> {
  const file = path.join(dataDir, 'roles.secret.json');
  if (!existsSync(file)) {
    const fresh = { ownerPassword: randomBytes(24).toString('base64url'), appPassword: randomBytes(24).toString('base64url') };
    await writeFile(file, JSON.stringify(fresh), { mode: 0o600 });
  }
  return JSON.parse(await readFile(file, 'utf8'));
}
