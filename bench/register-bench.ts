import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createRootLogger, DEMO_PASSWORD, freePort } from '#common';
import { provisionDatabase, runMigrations, startEmbeddedPostgres, withDatabase } from '#database';
import { benchSharedViews } from './shared-views.js';

/**
 * The register benchmark (issue 3, DESIGN section 10). Builds a hub with 500 organisations, measures the
 * register's first page for one organisation at 100k and at 1M incidents in total, then the throughput of
 * reading one incident through the full stack beside a bare node:http + pg server doing the same
 * primary-key select, in the same run. Then, on the same 1M incidents, it adds ~100k releases and measures the
 * shared views (`shared-views.ts`). Prints figures; asserts nothing. Loopback only.
 *
 *   npm run bench            (embedded PostgreSQL in a temporary folder)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench
 */
const ORGS = 500;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const logger = createRootLogger('warn');

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  let cleanup = async () => {};
  try {
    let adminUrl = process.env.BENCH_DATABASE_URL;
    if (!adminUrl) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'hub-bench-'));
      const cluster = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), logger });
      adminUrl = cluster.adminUrl;
      cleanup = async () => {
        await cluster.stop();
        await rm(dir, { recursive: true, force: true });
      };
    }
    const database = `hub_bench_${randomBytes(4).toString('hex')}`;
    const secrets = { ownerPassword: randomBytes(18).toString('base64url'), appPassword: randomBytes(18).toString('base64url') };
    const urls = await provisionDatabase({ adminUrl, database, ...secrets });
    await runMigrations(urls.ownerUrl, logger);
    const superuser = new pg.Client({ connectionString: withDatabase(adminUrl, database) });
    // Stopping the cluster after a failure ends this connection too; that must not hide the failure.
    superuser.on('error', () => {});
    await superuser.connect();

    const hubPort = await freePort();
    children.push(
      await startChild('dist/apps/hub/src/main.js', 'Coordination hub listening', {
        DATABASE_URL: urls.appUrl,
        MIGRATION_DATABASE_URL: urls.ownerUrl,
        SEED_DEMO: 'true',
        PORT: String(hubPort),
        LOG_LEVEL: 'warn',
        HUB_MODE: 'development',
      }),
    );
    const hub = `http://127.0.0.1:${hubPort}`;
    const login = await fetch(`${hub}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'handler@northbank.demo', password: DEMO_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const [{ id: orgId }] = (await superuser.query("SELECT id FROM organisations WHERE slug = 'northbank'")).rows;

    await superuser.query(`
      INSERT INTO organisations (slug, name, kind, sector, country)
      SELECT 'bench-' || g, 'Bench member ' || g, 'member', 'finance', 'DE' FROM generate_series(1, ${ORGS - 5}) g`);

    const results: string[] = [];
    let total = 0;
    for (const target of [100_000, 1_000_000]) {
      const started = Date.now();
      await insertIncidents(superuser, total, target, orgId);
      total = target;
      await superuser.query('VACUUM ANALYZE incidents');
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const own = (await superuser.query('SELECT count(*)::int AS n FROM incidents WHERE org_id = $1', [orgId])).rows[0].n;
      const page = await latency(`${hub}/api/v1/incidents?limit=50`, auth);
      const filtered = await latency(`${hub}/api/v1/incidents?limit=50&severity=3&marking=AMBER`, auth);
      results.push(
        `register first page at ${target.toLocaleString('en')} incidents (${ORGS} orgs, ${own.toLocaleString('en')} in this org; generated in ${secs} s): ` +
          `p50 ${page.p50.toFixed(1)} ms, p95 ${page.p95.toFixed(1)} ms; filtered (severity+marking) p50 ${filtered.p50.toFixed(1)} ms, p95 ${filtered.p95.toFixed(1)} ms`,
      );
      process.stdout.write(`${results[results.length - 1]}\n`);
    }

    const [{ id: incidentId }] = (await superuser.query('SELECT id FROM incidents WHERE org_id = $1 ORDER BY updated_at DESC LIMIT 1', [orgId])).rows;
    const barePort = await freePort();
    children.push(await startChild('dist/bench/bare-server.js', 'bare listening', { BARE_DATABASE_URL: withDatabase(adminUrl, database), PORT: String(barePort) }));
    const bare = await throughput(`http://127.0.0.1:${barePort}/incidents/${incidentId}`, {});
    const full = await throughput(`${hub}/api/v1/incidents/${incidentId}`, auth);
    results.push(
      `read one incident (${CONNECTIONS} connections, ${DURATION} s each): bare node:http + pg ${bare.rps.toFixed(0)} req/s (p99 ${bare.p99} ms); ` +
        `hub full stack ${full.rps.toFixed(0)} req/s (p99 ${full.p99} ms); ratio ${((100 * full.rps) / bare.rps).toFixed(1)}% (target >= 40%)`,
    );
    process.stdout.write(`${results[results.length - 1]}\n`);

    // After the read-one figures, so those stay measured on a hub without releases, as before.
    await benchSharedViews({
      superuser,
      appUrl: urls.appUrl,
      hub,
      incidents: total,
      latency,
      report: (line, detail) => {
        if (!detail) results.push(line);
        process.stdout.write(`${line}\n`);
      },
    });
    await superuser.end();
    const admin = new pg.Client({ connectionString: adminUrl });
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.end();
    process.stdout.write(`\nsummary (${new Date().toISOString()}, ${os.cpus().length} cores, node ${process.versions.node})\n${results.map((r) => `- ${r}`).join('\n')}\n`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await cleanup();
  }
}

/** Incidents generated in SQL, in batches, spread evenly over the organisations; one in 500 is the measured org's. */
async function insertIncidents(client: pg.Client, from: number, to: number, orgId: string): Promise<void> {
  const batch = 100_000;
  for (let start = from; start < to; start += batch) {
    await client.query(
      `WITH orgs AS (SELECT array_agg(id ORDER BY (id = $4) DESC, id) AS ids FROM organisations)
       INSERT INTO incidents (org_id, title, summary, category, sub_type, severity, phase, marking, aware_at, created_at, updated_at, log_length)
       SELECT orgs.ids[1 + g % array_length(orgs.ids, 1)], 'Generated incident ' || g, 'Load for the register benchmark, number ' || g,
              'availability', 'ddos', 1 + g % 4,
              (ARRAY['detect_report','assess_decide','respond','learn_lessons','closed'])[1 + g % 5],
              (ARRAY['CLEAR','GREEN','AMBER','AMBER+STRICT','RED'])[1 + (g / 7) % 5],
              now() - make_interval(hours => g % 9000), now() - make_interval(secs => g), now() - make_interval(secs => g), 0
         FROM generate_series($1::int + 1, least($2::int, $1::int + $3::int)) g, orgs`,
      [start, to, batch, orgId],
    );
  }
}

/** Sequential requests after 20 warm-up ones (at most 3 s of them); stops early, with fewer samples, once `budgetMs` has passed. */
async function latency(url: string, headers: Record<string, string>, budgetMs = Infinity): Promise<{ p50: number; p95: number; samples: number }> {
  const warm = performance.now() + 3000;
  for (let i = 0; i < 20 && performance.now() < warm; i += 1) await (await fetch(url, { headers })).arrayBuffer();
  const times: number[] = [];
  const until = performance.now() + budgetMs;
  for (let i = 0; i < SAMPLES && performance.now() < until; i += 1) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p95: times[Math.floor(times.length * 0.95)], samples: times.length };
}

async function throughput(url: string, headers: Record<string, string>): Promise<{ rps: number; p99: number }> {
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

function startChild(script: string, ready: string, env: Record<string, string>): Promise<ChildProcess> {
  const { DATABASE_URL: _a, MIGRATION_DATABASE_URL: _b, ...rest } = process.env;
  const child = spawn(process.execPath, [script], { env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(ready)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

await main();
