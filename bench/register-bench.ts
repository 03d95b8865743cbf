import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createRootLogger, DEMO_PASSWORD, freePort } from '#common';
import { provisionDatabase, runMigrations, startEmbeddedPostgres, withDatabase } from '#database';
import type { OrgPrincipal, Role } from '#auth';
import type { RegisterQueryDto } from '../libs/incidents/src/dto/incident.dto.js';
import { registerPageSql } from '../libs/incidents/src/incidents.service.js';
import { benchJointRegister } from './joint-register.js';
import { benchJointTasks } from './joint-tasks.js';
import { benchManagementReview } from './management-review.js';
import { benchSharedViews } from './shared-views.js';

/**
 * The register benchmark (issue 3, DESIGN section 10). Builds two hubs on two databases, each with 500
 * organisations, one with 100k and one with 1M incidents, and measures the register's first page for one
 * organisation on both, request by request in turn, so both sizes see the same machine at the same moment
 * (the p95 ratio 1M / 100k is the figure: at most 1.5). Then the throughput of reading one incident through
 * the full stack beside a bare node:http + pg server doing the same primary-key select, in the same run. Then,
 * on the 1M hub, it adds ~100k releases and measures the shared views (`shared-views.ts`), then 10k joint incidents
 * with 100k participations and the joint register and "my joint incidents" (`joint-register.ts`), then 100k tasks
 * in them and "my tasks" and the coordinator's view of all tasks (`joint-tasks.ts`), then the figures for management
 * review (`management-review.ts`). Prints figures;
 * asserts nothing. Loopback only.
 *
 *   npm run bench            (embedded PostgreSQL in a temporary folder)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench
 *   BENCH_PLANS=full         prints the register's and the shared views' plans in full
 */
const ORGS = 500;
const SIZES = [100_000, 1_000_000] as const;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SLICES = 5;
const logger = createRootLogger('warn');

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  const databases: string[] = [];
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
    const secrets = { ownerPassword: randomBytes(18).toString('base64url'), appPassword: randomBytes(18).toString('base64url') };
    const results: string[] = [];
    const report = (line: string) => {
      results.push(line);
      process.stdout.write(`${line}\n`);
    };
    const hubs: RegisterHub[] = [];
    for (const size of SIZES) {
      const hub = await registerHub(adminUrl, size, secrets);
      hubs.push(hub);
      databases.push(hub.database);
      children.push(hub.child);
    }
    const [small, large] = hubs;

    // Both sizes in turn, request by request: a busy moment of the machine falls on both alike.
    const pages = [
      { label: 'register first page', path: '/api/v1/incidents?limit=50', query: { limit: 50 } },
      { label: 'filtered first page (severity+marking)', path: '/api/v1/incidents?limit=50&severity=3&marking=AMBER', query: { limit: 50, severity: 3, marking: 'AMBER' } },
    ] as const;
    for (const page of pages) {
      const [a, b] = await interleavedLatency(hubs.map((h) => ({ url: `${h.url}${page.path}`, headers: h.auth })));
      report(
        `${page.label}, interleaved: ${sizeLabel(small)} p50 ${a.p50.toFixed(1)} ms, p95 ${a.p95.toFixed(1)} ms; ` +
          `${sizeLabel(large)} p50 ${b.p50.toFixed(1)} ms, p95 ${b.p95.toFixed(1)} ms; p95 ratio 1M / 100k ${(b.p95 / a.p95).toFixed(2)} (target <= 1.5)`,
      );
      for (const hub of hubs) {
        const plan = await explainRegisterPage(hub, page.query as RegisterQueryDto);
        process.stdout.write(`  plan at ${hub.size.toLocaleString('en')} as hub_app: ${plan.summary}\n`);
        if (process.env.BENCH_PLANS === 'full') process.stdout.write(`${plan.text.replace(/^/gm, '      | ')}\n`);
      }
    }
    for (const hub of hubs) {
      report(`${sizeLabel(hub)}: ${ORGS} orgs, ${hub.own.toLocaleString('en')} incidents in the measured org, generated in ${hub.generatedSecs.toFixed(1)} s`);
    }
    // The small hub has served its purpose; the rest of the run uses the 1M one.
    small.child.kill('SIGTERM');
    await small.superuser.end();

    const [{ id: incidentId }] = (await large.superuser.query('SELECT id FROM incidents WHERE org_id = $1 ORDER BY updated_at DESC LIMIT 1', [large.orgId])).rows;
    const barePort = await freePort();
    children.push(await startChild('dist/bench/bare-server.js', 'bare listening', { BARE_DATABASE_URL: withDatabase(adminUrl, large.database), PORT: String(barePort) }));
    const [bare, full] = await interleavedThroughput([
      { url: `http://127.0.0.1:${barePort}/incidents/${incidentId}`, headers: {} },
      { url: `${large.url}/api/v1/incidents/${incidentId}`, headers: large.auth },
    ]);
    report(
      `read one incident (${CONNECTIONS} connections, ${DURATION} s each in ${SLICES} alternating slices): bare node:http + pg ${bare.rps.toFixed(0)} req/s (p99 ${bare.p99} ms); ` +
        `hub full stack ${full.rps.toFixed(0)} req/s (p99 ${full.p99} ms); ratio ${((100 * full.rps) / bare.rps).toFixed(1)}% (target >= 40%)`,
    );

    // After the read-one figures, so those stay measured on a hub without releases, as before.
    await benchSharedViews({
      superuser: large.superuser,
      appUrl: large.urls.appUrl,
      hub: large.url,
      incidents: large.size,
      latency,
      report: (line, detail) => {
        if (!detail) results.push(line);
        process.stdout.write(`${line}\n`);
      },
    });
    // Last: the joint register and "my joint incidents" on the full hub (releases included), beside its register page;
    // then tasks in those joint incidents.
    const jointBench = {
      superuser: large.superuser,
      appUrl: large.urls.appUrl,
      hub: large.url,
      incidents: large.size,
      member: { principal: large.principal, auth: large.auth },
      interleavedLatency,
      report: (line: string, detail?: boolean) => {
        if (!detail) results.push(line);
        process.stdout.write(`${line}\n`);
      },
    };
    await benchJointRegister(jointBench);
    await benchJointTasks(jointBench);
    await benchManagementReview(jointBench);
    await large.superuser.end();
    const admin = new pg.Client({ connectionString: adminUrl });
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await admin.connect();
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.end();
    process.stdout.write(`\nsummary (${new Date().toISOString()}, ${os.cpus().length} cores, node ${process.versions.node})\n${results.map((r) => `- ${r}`).join('\n')}\n`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await cleanup();
  }
}

interface RegisterHub {
  size: number;
  database: string;
  urls: { ownerUrl: string; appUrl: string };
  superuser: pg.Client;
  child: ChildProcess;
  url: string;
  auth: Record<string, string>;
  orgId: string;
  /** The measured caller, handler@northbank.demo, as the register's policy sees it. */
  principal: OrgPrincipal;
  own: number;
  generatedSecs: number;
}

const sizeLabel = (hub: RegisterHub) => `${hub.size.toLocaleString('en')} incidents`;

/** A database of its own with `size` incidents, and a hub process on it (the demo seeded). */
async function registerHub(adminUrl: string, size: number, secrets: { ownerPassword: string; appPassword: string }): Promise<RegisterHub> {
  const database = `hub_bench_${randomBytes(4).toString('hex')}_${size / 1000}k`;
  const urls = await provisionDatabase({ adminUrl, database, ...secrets });
  await runMigrations(urls.ownerUrl, logger);
  const superuser = new pg.Client({ connectionString: withDatabase(adminUrl, database) });
  // Stopping the cluster after a failure ends this connection too; that must not hide the failure.
  superuser.on('error', () => {});
  await superuser.connect();
  const port = await freePort();
  const child = await startChild('dist/apps/hub/src/main.js', 'Coordination hub listening', {
    DATABASE_URL: urls.appUrl,
    MIGRATION_DATABASE_URL: urls.ownerUrl,
    SEED_DEMO: 'true',
    PORT: String(port),
    // As a production deployment runs: the default level, one JSON line per request start and end on stdout.
    LOG_LEVEL: 'info',
    HUB_MODE: 'development',
  });
  const url = `http://127.0.0.1:${port}`;
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'handler@northbank.demo', password: DEMO_PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const [user] = (
    await superuser.query<{ id: string; org_id: string; roles: Role[] }>("SELECT id, org_id, roles FROM users WHERE email = 'handler@northbank.demo'")
  ).rows;
  await superuser.query(`
    INSERT INTO organisations (slug, name, kind, sector, country)
    SELECT 'bench-' || g, 'Bench member ' || g, 'member', 'finance', 'DE' FROM generate_series(1, ${ORGS - 5}) g`);
  const started = Date.now();
  await insertIncidents(superuser, 0, size, user.org_id);
  await superuser.query('VACUUM ANALYZE incidents');
  const generatedSecs = (Date.now() - started) / 1000;
  // The generated rows written out now, not by a checkpoint in the middle of the measurements.
  await superuser.query('CHECKPOINT');
  const own = (await superuser.query('SELECT count(*)::int AS n FROM incidents WHERE org_id = $1', [user.org_id])).rows[0].n;
  const principal: OrgPrincipal = {
    kind: 'user',
    id: user.id,
    orgId: user.org_id,
    orgKind: 'member',
    roles: user.roles,
    email: 'handler@northbank.demo',
    sessionId: '',
  };
  process.stdout.write(`built ${size.toLocaleString('en')} incidents in ${generatedSecs.toFixed(1)} s\n`);
  return { size, database, urls, superuser, child, url, auth: { authorization: `Bearer ${accessToken}` }, orgId: user.org_id, principal, own, generatedSecs };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the register page's statement (the service's own builder) as hub_app, with
 * the tenant context the hub sets: one line by default, the main chain of nodes and the pages it touched.
 */
async function explainRegisterPage(hub: RegisterHub, query: RegisterQueryDto): Promise<{ summary: string; text: string }> {
  const { sql, params } = registerPageSql(hub.principal, query);
  const app = new pg.Client({ connectionString: hub.urls.appUrl });
  await app.connect();
  try {
    await app.query('BEGIN');
    await app.query(
      `SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true),
              set_config('hub.user_id', $2, true), set_config('hub.operator', 'off', true), set_config('hub.reads', 'own', true),
              set_config('enable_sort', 'off', true)`, // as TenantDatabase.read runs a page read in index order
      [hub.orgId, hub.principal.id],
    );
    const text = (await app.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    const [{ 'QUERY PLAN': [plan] }] = (await app.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params)).rows;
    const chain: string[] = [];
    for (let node: PlanNode | undefined = plan.Plan; node; node = node.Plans?.[0]) {
      chain.push(`${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''} (${node['Actual Rows'] * node['Actual Loops']} rows)`);
    }
    const root = plan.Plan as PlanNode;
    const summary = `${chain.join(' > ')}; ${root['Shared Hit Blocks'] + root['Shared Read Blocks']} pages (${root['Shared Read Blocks']} not in shared buffers); execution ${plan['Execution Time'].toFixed(2)} ms`;
    return { summary, text };
  } finally {
    await app.query('ROLLBACK').catch(() => undefined);
    await app.end();
  }
}

/**
 * Sequential requests to each target in turn (the order swapped every round), after 20 warm-up rounds: the
 * targets share every moment of the machine, so their ratio holds on a busy machine too.
 */
async function interleavedLatency(targets: { url: string; headers: Record<string, string> }[]): Promise<{ p50: number; p95: number }[]> {
  const once = async (target: { url: string; headers: Record<string, string> }) => {
    const started = performance.now();
    const res = await fetch(target.url, { headers: target.headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${target.url} answered ${res.status}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 20; i += 1) for (const target of targets) await once(target);
  const times = targets.map(() => [] as number[]);
  for (let i = 0; i < SAMPLES; i += 1) {
    const order = i % 2 === 0 ? targets.map((_, k) => k) : targets.map((_, k) => targets.length - 1 - k);
    for (const k of order) times[k].push(await once(targets[k]));
  }
  return times.map((list) => {
    list.sort((a, b) => a - b);
    return { p50: list[Math.floor(list.length * 0.5)], p95: list[Math.floor(list.length * 0.95)] };
  });
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

/**
 * Throughput of each target over DURATION seconds, in SLICES slices taken in turn (after a 2 s warm-up of
 * each), so a busy moment of a shared machine falls on both sides alike: requests over time, and the
 * median of the slices' p99.
 */
async function interleavedThroughput(targets: { url: string; headers: Record<string, string> }[]): Promise<{ rps: number; p99: number }[]> {
  for (const { url, headers } of targets) await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 });
  const totals = targets.map(() => ({ requests: 0, seconds: 0, p99s: [] as number[] }));
  for (let slice = 0; slice < SLICES; slice += 1) {
    const order = slice % 2 === 0 ? targets.map((_, k) => k) : targets.map((_, k) => targets.length - 1 - k);
    for (const k of order) {
      const { url, headers } = targets[k];
      const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION / SLICES });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      totals[k].requests += result.requests.total;
      totals[k].seconds += result.duration;
      totals[k].p99s.push(result.latency.p99);
    }
  }
  return totals.map((t) => ({ rps: t.requests / t.seconds, p99: t.p99s.sort((a, b) => a - b)[Math.floor(t.p99s.length / 2)] }));
}

function startChild(script: string, ready: string, env: Record<string, string>): Promise<ChildProcess> {
  const { DATABASE_URL: _a, MIGRATION_DATABASE_URL: _b, ...rest } = process.env;
  const child = spawn(process.execPath, [script], { env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    // Kept until the child is ready; after that its output (the hub's request log) is read and dropped.
    let started = false;
    const onData = (chunk: Buffer) => {
      if (started) return;
      output += chunk;
      if (output.includes(ready)) {
        started = true;
        output = '';
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

await main();
