import pg from 'pg';
import { DEMO_PASSWORD } from '#common';
import type { OrgPrincipal, Role } from '#auth';
import type { OrgKind } from '#sharing';
import type { JointRegisterQueryDto } from '../libs/joint-incidents/src/dto/joint-incident.dto.js';
import { jointRegisterPageSql, myJointIncidentsPageSql } from '../libs/joint-incidents/src/joint-incidents.service.js';

/**
 * The joint register and "my joint incidents" at scale (issue 10, DESIGN section 5), run by register-bench.ts on
 * its 1M-incident hub after the shared views: 10k joint incidents of the coordinator and 100k accepted
 * participations are generated in SQL as the superuser, with the access rows hub_sync_joint_access derives
 * from them; then each first page is measured through HTTP interleaved with the member's incident register
 * (the baseline of the same run), and its statement explained as hub_app with the tenant context the hub sets.
 */
export interface JointRegisterBench {
  superuser: pg.Client;
  /** The application role's connection string: EXPLAIN runs under row-level security, as the hub does. */
  appUrl: string;
  hub: string;
  /** Incidents in the hub when the joint pages are measured. */
  incidents: number;
  /** The member whose incident register is the baseline, and whose "my joint incidents" is measured. */
  member: { principal: OrgPrincipal; auth: Record<string, string> };
  interleavedLatency(targets: { url: string; headers: Record<string, string> }[]): Promise<{ p50: number; p95: number }[]>;
  report(line: string, detail?: boolean): void;
}

const JOINTS = Number(process.env.BENCH_JOINTS ?? 10_000);
/** Accepted participations per joint incident: 10k x 10 = 100k. */
const PARTICIPANTS = 10;
/** Joint incidents whose grants hub_sync_joint_access recomputes, to compare with the generated rows and time it. */
const SYNC_SAMPLE = 20;
/** The tables a first page must not scan whole. */
const BIG_TABLES = ['incidents', 'access', 'joint_incidents', 'joint_participants', 'organisations'];

export async function benchJointRegister(bench: JointRegisterBench): Promise<void> {
  const { superuser } = bench;
  const coordinator = await principalOf(bench, 'coordinator@national-csirt.demo');
  const started = Date.now();
  const shape = await insertJointIncidents(superuser, coordinator.principal.orgId);
  for (const table of ['joint_incidents', 'joint_participants', 'access']) await superuser.query(`VACUUM ANALYZE ${table}`);
  await superuser.query('CHECKPOINT');
  bench.report(
    `joint data on the ${bench.incidents.toLocaleString('en')}-incident hub: ${shape.joints.toLocaleString('en')} joint incidents of the coordinator, ${shape.participations.toLocaleString('en')} accepted participations ` +
      `over ${shape.members} member organisations (${shape.pseudonymous.toLocaleString('en')} pseudonymous), ${shape.access.toLocaleString('en')} joint access rows ` +
      `(access now ${shape.accessTotal.toLocaleString('en')} rows); generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const sync = await compareWithSync(superuser, coordinator.principal.orgId);
  bench.report(
    `  generated access rows against hub_sync_joint_access on ${SYNC_SAMPLE} joint incidents: ${sync.same ? 'identical' : `DIFFER (${sync.detail})`}; ` +
      `one call ${sync.msPerCall.toFixed(1)} ms at this size (${sync.deletePlan})`,
  );

  const member: BenchCaller = { ...bench.member, email: bench.member.principal.kind === 'user' ? bench.member.principal.email : bench.member.principal.id };
  const memberJoints = await countMemberJoints(superuser, member.principal.orgId);
  const register = { url: `${bench.hub}/api/v1/incidents?limit=50`, headers: member.auth };
  const pages = [
    { label: "coordinator's joint register", who: coordinator, query: {} },
    { label: "coordinator's joint register, severity=3", who: coordinator, query: { severity: 3 } },
    { label: `member's "my joint incidents"`, who: member, query: {} },
    { label: `member's "my joint incidents", severity=3`, who: member, query: { severity: 3 } },
  ] as const;
  for (const page of pages) {
    const search = new URLSearchParams({ limit: '50', ...Object.fromEntries(Object.entries(page.query).map(([k, v]) => [k, String(v)])) });
    const url = `${bench.hub}/api/v1/joint-incidents?${search}`;
    const first = await fetch(url, { headers: page.who.auth });
    if (first.status !== 200) throw new Error(`${url} answered ${first.status}`);
    const body = (await first.json()) as { items: unknown[]; nextCursor: string | null };
    const [base, joint] = await bench.interleavedLatency([register, { url, headers: page.who.auth }]);
    const query = { limit: 50, ...page.query } as JointRegisterQueryDto;
    const isCoordinator = page.who.principal.orgKind === 'coordinator';
    const statement = isCoordinator ? jointRegisterPageSql(page.who.principal, query) : myJointIncidentsPageSql(page.who.principal, query);
    const plan = await explainAsApp(bench.appUrl, page.who.principal, !isCoordinator, statement.sql, statement.params);
    const of = isCoordinator ? `${shape.joints.toLocaleString('en')} joint incidents` : `${memberJoints.toLocaleString('en')} joint incidents it takes part in`;
    bench.report(
      `${page.label} (${page.who.email}, ${of}; page of ${body.items.length}${body.nextCursor ? ', more' : ''}), interleaved with the member's register page: ` +
        `p50 ${joint.p50.toFixed(1)} ms, p95 ${joint.p95.toFixed(1)} ms; register p50 ${base.p50.toFixed(1)} ms, p95 ${base.p95.toFixed(1)} ms; ` +
        `p95 ratio joint / register ${(joint.p95 / base.p95).toFixed(2)}`,
    );
    bench.report(`  plan as hub_app: ${plan.summary}`);
    if (process.env.BENCH_PLANS === 'full') process.stdout.write(`${plan.text.replace(/^/gm, '      | ')}\n`);
  }
  bench.report(`joint register part of the run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface BenchCaller {
  email: string;
  principal: OrgPrincipal;
  auth: Record<string, string>;
}

export async function principalOf(bench: JointRegisterBench, email: string): Promise<BenchCaller> {
  const login = await fetch(`${bench.hub}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200 && login.status !== 201) throw new Error(`login as ${email} answered ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const [row] = (
    await bench.superuser.query<{ id: string; roles: Role[]; org_id: string; kind: OrgKind }>(
      'SELECT u.id, u.roles, o.id AS org_id, o.kind FROM users u JOIN organisations o ON o.id = u.org_id WHERE lower(u.email) = $1',
      [email],
    )
  ).rows;
  return {
    email,
    principal: { kind: 'user', id: row.id, orgId: row.org_id, orgKind: row.kind, roles: row.roles, email, sessionId: '' },
    auth: { authorization: `Bearer ${accessToken}` },
  };
}

/**
 * JOINTS joint incidents owned by the coordinator, newest change a minute apart, severity 1 + g % 4, the five
 * phases in turn (closed ones with their closing summary), markings CLEAR / GREEN / AMBER / AMBER+STRICT (not
 * RED: a RED joint incident reaches only the points of contact participants name, and these name none), one
 * in twenty an exercise. Each has PARTICIPANTS accepted participations, spread evenly over the member
 * organisations (Northbank first: the measured member), one in ten pseudonymous. Then the access rows exactly as
 * hub_sync_joint_access writes them for a joint incident with no updates, decisions, observables or links:
 * one 'org:' grant per accepted participant, via 'joint:<id>', sort_at the joint incident's updated_at.
 */
async function insertJointIncidents(client: pg.Client, coordinatorOrg: string) {
  await client.query(
    `INSERT INTO joint_incidents (org_id, title, summary, category, sub_type, severity, phase, marking, exercise,
                                  closing_summary, closed_at, created_at, updated_at)
     SELECT $1, 'Generated joint incident ' || g, 'Load for the joint register benchmark, number ' || g, 'availability', 'ddos',
            1 + g % 4, p.phase, (ARRAY['CLEAR','GREEN','AMBER','AMBER+STRICT'])[1 + (g / 3) % 4], g % 20 = 0,
            CASE WHEN p.phase = 'closed' THEN 'Closed by the benchmark' END, CASE WHEN p.phase = 'closed' THEN now() - make_interval(mins => g) END,
            now() - make_interval(mins => g) - interval '3 days', now() - make_interval(mins => g)
       FROM generate_series(1, $2::int) g
      CROSS JOIN LATERAL (SELECT (ARRAY['detect_report','assess_decide','respond','learn_lessons','closed'])[1 + g % 5] AS phase) p`,
    [coordinatorOrg, JOINTS],
  );
  await client.query(
    `WITH members AS (SELECT array_agg(id ORDER BY (slug = 'northbank') DESC, slug) AS ids FROM organisations WHERE kind = 'member' AND status = 'active'),
          joints AS (SELECT id, created_at, row_number() OVER (ORDER BY created_at DESC, id) AS n FROM joint_incidents
                      WHERE org_id = $1 AND title LIKE 'Generated joint incident %')
     INSERT INTO joint_participants (org_id, joint_incident_id, participant_org_id, role, state, pseudonym, invited_at, answered_at, updated_at)
     SELECT $1, j.id, m.ids[1 + (j.n * $2 + s) % cardinality(m.ids)],
            CASE WHEN s = 0 THEN 'lead' ELSE (ARRAY['affected','responder','observer'])[1 + s % 3] END, 'accepted',
            CASE WHEN (j.n + s) % 10 = 0 THEN 'Participant ' || chr(65 + s::int) END,
            j.created_at + interval '1 hour', j.created_at + interval '2 hours', j.created_at + interval '2 hours'
       FROM joints j CROSS JOIN generate_series(0, $2::int - 1) s CROSS JOIN members m`,
    [coordinatorOrg, PARTICIPANTS],
  );
  await client.query(
    `INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
     SELECT j.org_id, 'joint_incident', j.id, 'joint_incident', j.id, 'org:' || p.participant_org_id, NULL, 'joint:' || j.id, '{}', j.updated_at
       FROM joint_incidents j JOIN joint_participants p ON p.joint_incident_id = j.id AND p.state = 'accepted'
       JOIN organisations o ON o.id = p.participant_org_id AND o.status = 'active'
      WHERE j.org_id = $1 AND j.title LIKE 'Generated joint incident %' AND j.marking <> 'RED'`,
    [coordinatorOrg],
  );
  const [counts] = (
    await client.query(
      `SELECT (SELECT count(*)::int FROM joint_incidents WHERE title LIKE 'Generated joint incident %') AS joints,
              (SELECT count(*)::int FROM joint_participants p JOIN joint_incidents j ON j.id = p.joint_incident_id
                WHERE j.title LIKE 'Generated joint incident %') AS participations,
              (SELECT count(*)::int FROM joint_participants p JOIN joint_incidents j ON j.id = p.joint_incident_id
                WHERE j.title LIKE 'Generated joint incident %' AND p.pseudonym IS NOT NULL) AS pseudonymous,
              (SELECT count(*)::int FROM access WHERE object_type = 'joint_incident') AS access,
              (SELECT count(*)::int FROM access) AS "accessTotal",
              (SELECT count(DISTINCT p.participant_org_id)::int FROM joint_participants p JOIN joint_incidents j ON j.id = p.joint_incident_id
                WHERE j.title LIKE 'Generated joint incident %') AS members`,
    )
  ).rows;
  return counts as { joints: number; participations: number; pseudonymous: number; access: number; accessTotal: number; members: number };
}

/**
 * Recomputes the grants of SYNC_SAMPLE generated joint incidents with hub_sync_joint_access itself, in the
 * coordinator's context, and compares them with the generated rows (then rolls back): the generated rows are
 * what the hub would have written. Also times one call and names how its DELETE finds the joint's rows (the
 * partial index access_via_idx, migration 1764921600000; before it, a scan of the whole access table).
 */
export async function compareWithSync(client: pg.Client, coordinatorOrg: string) {
  const snapshot = async (ids: string[]) =>
    (
      await client.query(
        `SELECT owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, redact, pseudonym_key, sort_at
           FROM access WHERE via = ANY ($1::text[]) ORDER BY object_id, grantee`,
        [ids.map((id) => `joint:${id}`)],
      )
    ).rows.map((r) => JSON.stringify(r));
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'coordinator', true)`, [coordinatorOrg]);
    const ids = (
      await client.query<{ id: string }>(
        `SELECT id FROM joint_incidents WHERE org_id = $1 AND title LIKE 'Generated joint incident %' ORDER BY hashtext(id::text) LIMIT $2`,
        [coordinatorOrg, SYNC_SAMPLE],
      )
    ).rows.map((r) => r.id);
    const before = await snapshot(ids);
    const started = performance.now();
    for (const id of ids) await client.query('SELECT hub_sync_joint_access($1)', [id]);
    const msPerCall = (performance.now() - started) / ids.length;
    const after = await snapshot(ids);
    const same = before.length === after.length && before.every((row, i) => row === after[i]);
    const detail = `${before.length} generated rows, ${after.length} from the function`;
    // The function's first statement on access, planned as the function plans it (a generic plan on via).
    const plan = (await client.query(`EXPLAIN DELETE FROM access WHERE via = $1 AND release_id IS NULL`, [`joint:${ids[0]}`])).rows.map(
      (r: Record<string, string>) => r['QUERY PLAN'].trim(),
    );
    const scan = (plan.find((line: string) => /Scan/.test(line)) ?? plan.join(' ')).replace(/^->\s*/, '').replace(/\s+\(cost.*$/, '');
    return { same, detail, msPerCall, deletePlan: `its DELETE by via: ${scan}` };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** The joint incidents the member reads as a participant: its grants on them. */
async function countMemberJoints(client: pg.Client, orgId: string): Promise<number> {
  const { rows } = await client.query("SELECT count(DISTINCT object_id)::int AS n FROM access WHERE object_type = 'joint_incident' AND grantee = $1", [`org:${orgId}`]);
  return rows[0].n;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) as hub_app in a transaction with the context TenantDatabase.read sets for a page
 * (read-only, sorts off: the page is read in index order), shared reads on for a participant: the indexes
 * used, the rows read from each table, any Seq Scan on a big table, the pages touched and the execution time.
 */
export async function explainAsApp(appUrl: string, principal: OrgPrincipal, shared: boolean, sql: string, params: unknown[]) {
  const app = new pg.Client({ connectionString: appUrl });
  await app.connect();
  try {
    await app.query('BEGIN');
    await app.query(
      `SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true),
              set_config('hub.operator', 'off', true), set_config('hub.reads', $4, true),
              set_config('transaction_read_only', 'on', true), set_config('enable_sort', 'off', true)`,
      [principal.orgId, principal.orgKind, principal.id, shared ? 'shared' : 'own'],
    );
    const text = (await app.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    const [{ 'QUERY PLAN': [plan] }] = (await app.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params)).rows;
    const nodes: PlanNode[] = [];
    const walk = (node: PlanNode) => {
      nodes.push(node);
      node.Plans?.forEach(walk);
    };
    walk(plan.Plan);
    const read = new Map<string, number>();
    for (const n of nodes.filter((n) => n['Relation Name'])) {
      const rows = (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'];
      read.set(n['Relation Name']!, (read.get(n['Relation Name']!) ?? 0) + rows);
    }
    const seq = [...new Set(nodes.filter((n) => n['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(n['Relation Name'] ?? '')).map((n) => n['Relation Name']))];
    const indexes = [...new Set(nodes.filter((n) => n['Index Name']).map((n) => `${n['Node Type']} using ${n['Index Name']}`))];
    const sorts = nodes.filter((n) => n['Node Type'] === 'Sort').length;
    const root = plan.Plan as PlanNode;
    const summary = [
      seq.length ? `Seq Scan on ${seq.join(', ')}` : 'no Seq Scan',
      indexes.join(', '),
      `read ${[...read].map(([table, rows]) => `${Math.round(rows).toLocaleString('en')} ${table}`).join(', ')} rows`,
      sorts ? `${sorts} Sort node(s)` : 'no sort',
      `${(root['Shared Hit Blocks'] ?? 0) + (root['Shared Read Blocks'] ?? 0)} pages`,
      `execution ${plan['Execution Time'].toFixed(2)} ms`,
    ].join('; ');
    return { summary, text };
  } finally {
    await app.query('ROLLBACK').catch(() => undefined);
    await app.end();
  }
}
