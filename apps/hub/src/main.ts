import { ConfigError, createRootLogger, DEMO_PASSWORD, loadConfig, resolveKeyEncryptionKey } from '#common';
import { prepareDatabase } from '#database';
import { createApp } from './create-app.js';
import { DEMO_JOINT_TITLE, seedDemoCoordination } from './demo-coordination.js';
import { demoLogins, seedDemo } from './demo-seed.js';

/**
 * Starts the hub: validated configuration (with the key-encryption key, generated into the data folder
 * outside production), the database (embedded unless DATABASE_URL is set) migrated,
 * the demo seeded on first start, then HTTP on PORT.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = await resolveKeyEncryptionKey(loadConfig());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel);
  const database = await prepareDatabase(config, logger);
  const app = await createApp({ config, logger, appUrl: database.appUrl });
  const stop = async () => {
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const seeded = config.seedDemo && database.ownerUrl ? await seedDemo(app, database.ownerUrl) : false;
  if (seeded) await seedDemoCoordination(app);
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  logger.info({ url, embedded: config.embedded, mode: config.mode }, 'hub listening');
  printWelcome(url, config.embedded ? config.dataDir : null, seeded, config.seedDemo, config.apiDocs);
}

/** The one human-readable block of the start-up, on stdout beside the JSON log. */
function printWelcome(url: string, embeddedDataDir: string | null, seeded: boolean, demo: boolean, apiDocs: boolean): void {
  const lines = [
    '',
    `Coordination hub listening on ${url}`,
    apiDocs ? `  API docs:  ${url}/api/docs   (OpenAPI JSON at ${url}/api/docs-json)` : '  API docs:  not served (API_DOCS=off)',
    `  Health:    ${url}/health/ready`,
    `  Database:  ${embeddedDataDir ? `embedded PostgreSQL, data in ${embeddedDataDir}` : 'DATABASE_URL'}`,
  ];
  if (demo) {
    lines.push(
      seeded ? '  Demo seeded now. Log in as any of:' : '  Demo was seeded on an earlier start. Logins:',
      `  password for every demo login: ${DEMO_PASSWORD}`,
      '',
      ...demoLogins().map((l) => `    ${l.email.padEnd(36)} ${l.role.padEnd(12)} ${l.organisation} (${l.kind})`),
      '',
      `  Try: curl -s ${url}/api/v1/auth/login -H 'content-type: application/json' \\`,
      `         -d '{"email":"handler@northbank.demo","password":"${DEMO_PASSWORD}"}'`,
      '',
      `  Coordination demo: the joint incident "${DEMO_JOINT_TITLE}" (GET /api/v1/joint-incidents),`,
      "  run by coordinator@national-csirt.demo with Northbank, GridPower and St Mary's (as a pseudonym) under an",
      '  accepted agreement; Northbank\'s AMBER incident is passed on into it. The README lists what to try.',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

await main();
