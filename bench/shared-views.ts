import pg from 'pg';
import { DEMO_PASSWORD } from '#common';
import type { OrgPrincipal, Role } from '#auth';
import { abilityFor, allowedPairs, completeDownTo, granteeKeys, type OrgKind, shareableType, sharedCandidatesSql } from '#sharing';
import type { SharedQueryDto } from '../libs/incidents/src/dto/release.dto.js';
import { sharedPageSql } from '../libs/incidents/src/shared-incidents.service.js';

/**
 * The shared views at scale (DESIGN sections 4 and 10), run by register-bench.ts on its 1M-incident hub:
 * releases and their access rows are generated in SQL as the superuser, then the coordinator's inbox and a
 * member's shared view are measured through HTTP, and their statements explained as `hub_app` with the
 * tenant context set, as the hub runs them.
 */
export interface SharedViewsBench {
  superuser: pg.Client;
  /** The application role's connection string: EXPLAIN runs under row-level security, as the hub does. */
  appUrl: string;
  hub: string;
  /** Incidents in the hub when the shared views are measured. */
  incidents: number;
  latency(url: string, headers: Record<string, string>, budgetMs?: number): Promise<{ p50: number; p95: number; samples: number }>;
  /** A figure for the run's summary; `detail` lines are printed only as they come. */
  report(line: string, detail?: boolean): void;
}

/** A slow view is sampled for this long at most (fewer samples, said in the figure) to keep the run short. */
const BUDGET_MS = 1000 * Number(process.env.BENCH_SHARED_SECONDS ?? 8);

interface Reader {
  label: string;
  email: string;
  userId: string;
  orgId: string;
  orgKind: OrgKind;
  roles: string[];
  token: string;
}

export async function benchSharedViews(bench: SharedViewsBench): Promise<void> {
  const { superuser } = bench;
  const started = Date.now();
  const shape = await insertReleases(superuser);
  await superuser.query('VACUUM ANALYZE releases');
  await superuser.query('VACUUM ANALYZE access');
  bench.report(
    `shared-views data: ${shape.releases.toLocaleString('en')} releases, ${shape.access.toLocaleString('en')} access rows over ${shape.incidents.toLocaleString('en')} incidents ` +
      `(${shape.mix}); releases the rules would refuse ${shape.disallowed}; generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const readers = [
    await readerOf(bench, "coordinator's inbox", 'coordinator@national-csirt.demo'),
    await readerOf(bench, "member's shared view", 'viewer@northbank.demo'),
  ];
  for (const reader of readers) {
    const visible = await visibleTo(superuser, reader);
    const headers = { authorization: `Bearer ${reader.token}` };
    for (const filter of [{}, { severity: 3 }] as const) {
      const search = new URLSearchParams({ limit: '50', ...Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)])) });
      const url = `${bench.hub}/api/v1/shared/incidents?${search}`;
      const first = (await (await fetch(url, { headers })).json()) as { items: unknown[]; nextCursor: string | null };
      const steps = await sharedListStatements(bench, reader, { limit: 50, ...filter } as SharedQueryDto);
      const pageStep = steps[steps.length - 1];
      const same = await matchesHubStatement(bench, url, headers, pageStep.sql);
      const times = await bench.latency(url, headers, BUDGET_MS);
      const plans = [];
      for (const step of steps) plans.push(await explainAsApp(bench.appUrl, reader, step.sql, step.params));
      const plan = {
        summary: `${steps.length} statements (${steps.length === 2 ? 'candidates, page' : 'widened while the filter thinned the page'}): ${plans.map((p) => p.summary).join(' | ')}`,
        top: plans.flatMap((p) => p.top),
        text: plans.map((p) => p.text).join('\n'),
        bounded: plans.every((p) => p.bounded),
      };
      const label = `${reader.label} (${reader.email}${'severity' in filter ? ', severity=3' : ''})`;
      bench.report(
        `${label} first page at ${bench.incidents.toLocaleString('en')} incidents, ${shape.releases.toLocaleString('en')} releases (${visible.toLocaleString('en')} shared with it; page of ${first.items.length}): ` +
          `p50 ${times.p50.toFixed(1)} ms, p95 ${times.p95.toFixed(1)} ms (${times.samples} samples)`,
      );
      bench.report(`  plan as hub_app: ${plan.summary}; statement ${same}`);
      // Short by default: the summary above, and the main chain of nodes for a plan not bounded by the page.
      if (process.env.BENCH_PLANS === 'full') process.stdout.write(`${plan.text.replace(/^/gm, '      | ')}\n`);
      else if (!plan.bounded) for (const line of plan.top) bench.report(`    ${line}`, true);
    }
  }
}

/**
 * About 104k releases (one access row each) spread over the 1M incidents at random, each from the owner to
 * a recipient its marking allows and never to the owner itself: ~70k to the coordinator (not RED), ~20k
 * GREEN to the community, ~2k CLEAR to the public, ~12k to single organisations (not RED) and ~2k to named
 * users (any marking, RED included). Sampling hashes the incident id, so one incident may be released to
 * several recipients, as in life.
 */
async function insertReleases(client: pg.Client) {
  const ids = (await client.query<{ slug: string; id: string }>('SELECT slug, id FROM organisations')).rows;
  const org = (slug: string) => ids.find((o) => o.slug === slug)!.id;
  const coordinator = org('national-csirt');
  const direct = [org('northbank'), org('st-marys-hospital'), org('gridpower'), org('netwatch-isp'), ...ids.filter((o) => o.slug.startsWith('bench-')).slice(0, 16).map((o) => o.id)];
  const users = (
    await client.query<{ id: string; org_id: string }>(
      `SELECT id, org_id FROM users WHERE lower(email) = ANY ($1::text[]) ORDER BY email`,
      [['viewer@northbank.demo', 'handler@northbank.demo', 'handler@st-marys-hospital.demo', 'viewer@gridpower.demo', 'coordinator@national-csirt.demo']],
    )
  ).rows;
  // A stable pseudo-random number in [0, 10000) per incident and purpose; random() in a subquery may be evaluated twice.
  const draw = (salt: string) => `(abs(hashtext(i.id::text || '${salt}')::bigint) % 10000)`;
  const insert = (kind: string, recipientOrg: string, recipientUser: string, from: string, reason: string) =>
    `INSERT INTO releases (org_id, container_type, container_id, object_type, object_id, recipient_kind, recipient_org_id, recipient_user_id, pseudonym_key, reason, created_at)
     SELECT i.org_id, 'incident', i.id, 'incident', i.id, '${kind}', ${recipientOrg}, ${recipientUser}, decode(md5(random()::text || i.id::text), 'hex'),
            'bench: ${reason}', least(now(), i.created_at + interval '10 minutes')
       FROM ${from}`;

  await client.query(insert('organisation', '$1::uuid', 'NULL', `incidents i WHERE i.org_id <> $1 AND i.marking <> 'RED' AND ${draw('c')} < 875`, 'to the coordinator'), [
    coordinator,
  ]);
  await client.query(insert('community', 'NULL', 'NULL', `incidents i WHERE i.marking = 'GREEN' AND ${draw('g')} < 1000`, 'to the community'));
  await client.query(insert('public', 'NULL', 'NULL', `incidents i WHERE i.marking = 'CLEAR' AND ${draw('p')} < 100`, 'to the public'));
  await client.query(
    `${insert('organisation', 'i.recipient', 'NULL', `(SELECT i.*, ($1::uuid[])[1 + ${draw('r')} % cardinality($1::uuid[])] AS recipient
        FROM incidents i WHERE i.marking <> 'RED' AND ${draw('o')} < 150) i WHERE i.recipient <> i.org_id`, 'to one organisation')}`,
    [direct],
  );
  await client.query(
    `${insert('user', 'NULL', 'i.recipient', `(SELECT i.*, ($1::uuid[])[1 + ${draw('r')} % cardinality($1::uuid[])] AS recipient,
        ($2::uuid[])[1 + ${draw('r')} % cardinality($1::uuid[])] AS recipient_org
        FROM incidents i WHERE ${draw('u')} < 20) i WHERE i.recipient_org <> i.org_id`, 'to a named user')}`,
    [users.map((u) => u.id), users.map((u) => u.org_id)],
  );
  // The access rows exactly as syncAccess derives them from live releases.
  await client.query(
    `INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, fields, redact, pseudonym_key, sort_at)
     SELECT r.org_id, r.object_type, r.object_id, r.container_type, r.container_id,
            CASE r.recipient_kind WHEN 'organisation' THEN 'org:' || r.recipient_org_id
                                  WHEN 'user' THEN 'user:' || r.recipient_user_id ELSE r.recipient_kind END,
            r.id, r.fields, r.redact, r.pseudonym_key, i.updated_at
       FROM releases r JOIN incidents i ON i.id = r.object_id WHERE r.reason LIKE 'bench: %'`,
  );

  const pairs = allowedPairs();
  const [counts] = (
    await client.query(
      `SELECT (SELECT count(*)::int FROM releases) AS releases, (SELECT count(*)::int FROM access) AS access,
              (SELECT count(DISTINCT container_id)::int FROM access) AS incidents,
              (SELECT count(*)::int FROM access a JOIN incidents i ON i.id = a.container_id JOIN releases r ON r.id = a.release_id
                WHERE (i.marking, r.recipient_kind) NOT IN (SELECT * FROM unnest($1::text[], $2::text[]))
                   OR r.org_id = r.recipient_org_id
                   OR EXISTS (SELECT 1 FROM users u WHERE u.id = r.recipient_user_id AND u.org_id = r.org_id)) AS disallowed`,
      [pairs.markings, pairs.kinds],
    )
  ).rows;
  const byKind = (
    await client.query<{ recipient: string; n: number }>(
      `SELECT CASE WHEN recipient_org_id = $1 THEN 'coordinator' WHEN recipient_kind = 'organisation' THEN 'single organisations'
                   WHEN recipient_kind = 'user' THEN 'named users' ELSE recipient_kind END AS recipient, count(*)::int AS n
         FROM releases GROUP BY 1 ORDER BY 2 DESC`,
      [coordinator],
    )
  ).rows;
  return { ...counts, mix: byKind.map((k) => `${k.n.toLocaleString('en')} ${k.recipient}`).join(', ') } as {
    releases: number;
    access: number;
    incidents: number;
    disallowed: number;
    mix: string;
  };
}

async function readerOf(bench: SharedViewsBench, label: string, email: string): Promise<Reader> {
  const login = await fetch(`${bench.hub}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200 && login.status !== 201) throw new Error(`login as ${email} answered ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const [row] = (
    await bench.superuser.query(
      'SELECT u.id AS user_id, u.roles, o.id AS org_id, o.kind FROM users u JOIN organisations o ON o.id = u.org_id WHERE lower(u.email) = $1',
      [email],
    )
  ).rows;
  return { label, email, userId: row.user_id, orgId: row.org_id, orgKind: row.kind, roles: row.roles, token: accessToken };
}

/** How many incidents of other organisations the reader holds a grant on: the size of its whole shared view. */
async function visibleTo(client: pg.Client, reader: Reader): Promise<number> {
  const { rows } = await client.query(
    "SELECT count(DISTINCT container_id)::int AS n FROM access WHERE object_type = 'incident' AND grantee = ANY ($1::text[]) AND owner_org_id <> $2",
    [keysOf(reader), reader.orgId],
  );
  return rows[0].n;
}

function keysOf(reader: Reader): string[] {
  return granteeKeys({ orgId: reader.orgId, orgKind: reader.orgKind, userId: reader.userId });
}

/**
 * The statements SharedIncidentsService.list sends for this page, built by the service's own exported
 * builders: the candidate step (run here as hub_app, to feed the next step the same ids) and the page step,
 * widening as the service does while a filter thins the page out.
 */
async function sharedListStatements(bench: SharedViewsBench, reader: Reader, query: SharedQueryDto) {
  const principal: OrgPrincipal = { kind: 'user', id: reader.userId, orgId: reader.orgId, orgKind: reader.orgKind, roles: reader.roles as Role[], email: reader.email, sessionId: '' };
  const ability = abilityFor({ orgId: reader.orgId, orgKind: reader.orgKind, userId: reader.userId, roles: reader.roles });
  const steps: { sql: string; params: unknown[] }[] = [];
  for (let cap = query.limit + 1; cap <= 5000; cap *= 8) {
    const candidates = sharedCandidatesSql(principal, shareableType('incident'), query, cap);
    steps.push({ sql: candidates.sql, params: candidates.values });
    const rows = await runAsApp(bench.appUrl, reader, candidates.sql, candidates.values);
    const floor = completeDownTo(rows as never, cap);
    const page = sharedPageSql(ability, principal, query, { ids: [...new Set(rows.map((r) => String(r.object_id)))], floor });
    steps.push({ sql: page.sql, params: page.values });
    const found = await runAsApp(bench.appUrl, reader, page.sql, page.values);
    if (!floor || found.length > query.limit) return steps;
  }
  const page = sharedPageSql(ability, principal, query, null);
  steps.push({ sql: page.sql, params: page.values });
  return steps;
}

/** Work as hub_app inside a transaction with the tenant context the hub sets for this reader, rolled back. */
async function asApp<T>(appUrl: string, reader: Reader, work: (app: pg.Client) => Promise<T>): Promise<T> {
  const app = new pg.Client({ connectionString: appUrl });
  await app.connect();
  try {
    await app.query('BEGIN');
    await app.query(
      `SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true),
              set_config('hub.user_id', $3, true), set_config('hub.operator', 'off', true), set_config('hub.reads', 'shared', true)`,
      [reader.orgId, reader.orgKind, reader.userId],
    );
    return await work(app);
  } finally {
    await app.query('ROLLBACK').catch(() => undefined);
    await app.end();
  }
}

async function runAsApp(appUrl: string, reader: Reader, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  return asApp(appUrl, reader, async (app) => (await app.query(sql, params)).rows);
}

/**
 * Catches the hub's own statement in pg_stat_activity while a few requests run, and compares it with the
 * one explained here (pg_stat_activity keeps the first track_activity_query_size bytes of it).
 */
async function matchesHubStatement(bench: SharedViewsBench, url: string, headers: Record<string, string>, sql: string): Promise<string> {
  let seen: string | null = null;
  let running = true;
  const requests = (async () => {
    for (let i = 0; i < 200 && !seen; i += 1) await (await fetch(url, { headers })).arrayBuffer();
    running = false;
  })();
  while (running && !seen) {
    const { rows } = await bench.superuser.query(
      "SELECT query FROM pg_stat_activity WHERE usename = 'hub_app' AND state = 'active' AND query LIKE 'SELECT i.id, i.org_id%FROM access a WHERE%'",
    );
    seen = rows[0]?.query ?? null;
  }
  await requests;
  if (!seen) return 'not caught in pg_stat_activity';
  const { rows } = await bench.superuser.query("SELECT setting::int AS size FROM pg_settings WHERE name = 'track_activity_query_size'");
  const truncated = Buffer.byteLength(seen) >= rows[0].size - 1;
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
  const hub = flat(seen);
  const ours = flat(sql);
  const same = truncated ? ours.startsWith(hub.slice(0, -1)) : ours === hub;
  return same ? `is the hub's (${truncated ? `first ${hub.length} of ${ours.length} chars` : 'whole text'} compared)` : `DIFFERS from the hub's: ${hub}`;
}

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Sort Method'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Actual Total Time': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Filter?: string;
  Plans?: PlanNode[];
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) as hub_app, in a transaction with the tenant context the hub sets: the text
 * plan to print, and from the JSON plan what a first page costs: rows read from each table, sorts (by the
 * rows going in, not the 51 coming out) and hashed subplans, which read the caller's whole grant set.
 */
async function explainAsApp(appUrl: string, reader: Reader, sql: string, params: unknown[]) {
  const { text, json } = await asApp(appUrl, reader, async (app) => {
    const { rows } = await app.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    const [{ 'QUERY PLAN': [plan] }] = (await app.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)).rows;
    return { text: rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'), json: plan };
  });
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    node.Plans?.forEach(walk);
  };
  walk(json.Plan);
  const total = (n: PlanNode) => n['Actual Rows'] * n['Actual Loops'];
  const read = (table: string) =>
    nodes
      .filter((n) => n['Relation Name'] === table)
      .reduce((sum, n) => sum + total(n) + ((n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * n['Actual Loops'], 0);
  const seqScans = [...new Set(nodes.filter((n) => n['Node Type'] === 'Seq Scan' && ['incidents', 'access'].includes(n['Relation Name'] ?? '')).map((n) => n['Relation Name']))];
  // Sorts by the rows going in per loop (the per-row sort of each incident's grants feeds it one or two).
  const sorts = nodes
    .filter((n) => n['Node Type'] === 'Sort' && n.Plans?.[0])
    .map((n) => ({ rows: n.Plans![0]['Actual Rows'], ms: n['Actual Total Time'] }))
    .filter((sort) => sort.rows > 100);
  const hashed = nodes
    .filter((n) => n['Subplan Name'] && nodes.some((m) => m.Filter?.includes(`hashed ${n['Subplan Name']}`)))
    .map((n) => ({ rows: total(n), ms: n['Actual Total Time'] * n['Actual Loops'] }));
  const incidents = read('incidents');
  const access = read('access');
  // A first page of 51 rows that reads a few thousand rows at most is bounded by the page, whatever the hub's size.
  const bounded = seqScans.length === 0 && incidents + access <= 5000 && sorts.every((x) => x.rows <= 1000) && hashed.every((x) => x.rows <= 1000);
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const summary = [
    seqScans.length ? `Seq Scan on ${seqScans.join(', ')}` : 'no Seq Scan',
    `read ${fmt(incidents)} incident rows and ${fmt(access)} access rows`,
    ...sorts.map((x) => `a sort over ${fmt(x.rows)} rows to keep 51 (${x.ms.toFixed(1)} ms with its input)`),
    ...hashed.map((x) => `hashed SubPlan over ${fmt(x.rows)} access rows (${x.ms.toFixed(1)} ms)`),
    `execution ${json['Execution Time'].toFixed(1)} ms`,
    bounded ? 'bounded by the page' : 'NOT bounded by the page size',
  ].join('; ');
  return { text, summary, top: renderTop(json.Plan), bounded };
}

/** The main chain of the plan and its subplans, one line a node, InitPlans left out. */
function renderTop(root: PlanNode): string[] {
  const lines: string[] = [];
  const render = (node: PlanNode, depth: number) => {
    if (lines.length >= 12 || node['Parent Relationship'] === 'InitPlan') return;
    const what = [
      node['Subplan Name'] ? `${node['Subplan Name']}: ` : '',
      node['Node Type'],
      node['Sort Method'] ? ` (${node['Sort Method']})` : '',
      node['Index Name'] ? ` using ${node['Index Name']}` : '',
      node['Relation Name'] ? ` on ${node['Relation Name']}` : '',
    ].join('');
    const rows = node['Actual Rows'] * node['Actual Loops'];
    const ms = node['Actual Total Time'] * node['Actual Loops'];
    lines.push(`${'  '.repeat(depth)}${what}: ${Math.round(rows).toLocaleString('en')} rows in ${node['Actual Loops']} loops, ${ms.toFixed(1)} ms`);
    node.Plans?.forEach((child) => render(child, depth + 1));
  };
  render(root, 0);
  return lines;
}
