import type pg from 'pg';
import { jointTasksSql, type TaskPick, type TaskSet } from '../libs/joint-incidents/src/tasks/joint-tasks.service.js';
import { type BenchCaller, compareWithSync, explainAsApp, type JointRegisterBench, principalOf } from './joint-register.js';

/**
 * "My tasks" and the coordinator's view of every task (issue 11 section 1) at scale, run by register-bench.ts
 * after the joint register, on the same 1M-incident hub and its 10k generated joint incidents: TASKS_PER_JOINT
 * tasks each, assigned by the coordination team to the joint incident's participations in turn, generated in SQL
 * as the superuser with the access rows `hub_sync_joint_tasks` derives (checked against the function on a sample).
 * Each first page is measured through HTTP, interleaved with the member's incident register (the baseline of the
 * same run), and its statement explained as hub_app.
 */
const TASKS_PER_JOINT = Number(process.env.BENCH_TASKS_PER_JOINT ?? 10);

export async function benchJointTasks(bench: JointRegisterBench): Promise<void> {
  const { superuser } = bench;
  const started = Date.now();
  const coordinator = await principalOf(bench, 'coordinator@national-csirt.demo');
  const shape = await insertTasks(superuser, coordinator.principal.orgId);
  for (const table of ['joint_tasks', 'access']) await superuser.query(`VACUUM ANALYZE ${table}`);
  await superuser.query('CHECKPOINT');
  // A fresh login: the run's first token may have expired by now (ACCESS_TOKEN_TTL_SECONDS).
  const member = await principalOf(bench, bench.member.principal.kind === 'user' ? bench.member.principal.email : '');
  const memberTasks = await countAssigned(superuser, member.principal.orgId);
  bench.report(
    `tasks on the ${bench.incidents.toLocaleString('en')}-incident hub: ${shape.tasks.toLocaleString('en')} tasks in ${shape.joints.toLocaleString('en')} joint incidents ` +
      `(${shape.access.toLocaleString('en')} task access rows), ${memberTasks.total.toLocaleString('en')} assigned to ${member.email}'s organisation ` +
      `(${memberTasks.open.toLocaleString('en')} open, ${memberTasks.overdue.toLocaleString('en')} of them overdue); ` +
      `generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const sync = await compareWithSync(superuser, coordinator.principal.orgId);
  bench.report(`  generated access rows (joint incidents and tasks) against hub_sync_joint_access on a sample: ${sync.same ? 'identical' : `DIFFER (${sync.detail})`}; one call ${sync.msPerCall.toFixed(1)} ms`);

  const register = { url: `${bench.hub}/api/v1/incidents?limit=50`, headers: member.auth };
  const pages: { label: string; who: BenchCaller; query: Record<string, string>; set: TaskSet; pick: TaskPick }[] = [
    { label: `member's "my tasks"`, who: member, query: {}, set: { assigned: true }, pick: {} },
    { label: `member's "my tasks", overdue=true`, who: member, query: { overdue: 'true' }, set: { assigned: true }, pick: { overdue: true } },
    { label: `member's "my tasks", state=accepted`, who: member, query: { state: 'accepted' }, set: { assigned: true }, pick: { state: 'accepted' } },
    { label: "coordinator's view of all tasks", who: coordinator, query: { scope: 'coordinated' }, set: { coordinated: true }, pick: {} },
    { label: "coordinator's view, overdue=true", who: coordinator, query: { scope: 'coordinated', overdue: 'true' }, set: { coordinated: true }, pick: { overdue: true } },
  ];
  for (const page of pages) {
    const url = `${bench.hub}/api/v1/tasks?${new URLSearchParams({ limit: '50', ...page.query })}`;
    const first = await fetch(url, { headers: page.who.auth });
    if (first.status !== 200) throw new Error(`${url} answered ${first.status}: ${await first.text()}`);
    const body = (await first.json()) as { items: unknown[]; nextCursor: string | null };
    const [base, tasks] = await bench.interleavedLatency([register, { url, headers: page.who.auth }]);
    const statement = jointTasksSql(page.who.principal, page.set, { ...page.pick, limit: 51 });
    const plan = await explainAsApp(bench.appUrl, page.who.principal, true, statement.sql, statement.values);
    bench.report(
      `${page.label} (${page.who.email}; page of ${body.items.length}${body.nextCursor ? ', more' : ''}), interleaved with the member's register page: ` +
        `p50 ${tasks.p50.toFixed(1)} ms, p95 ${tasks.p95.toFixed(1)} ms; register p50 ${base.p50.toFixed(1)} ms, p95 ${base.p95.toFixed(1)} ms; ` +
        `p95 ratio tasks / register ${(tasks.p95 / base.p95).toFixed(2)}`,
    );
    bench.report(`  plan as hub_app: ${plan.summary}`);
    if (process.env.BENCH_PLANS === 'full') process.stdout.write(`${plan.text.replace(/^/gm, '      | ')}\n`);
  }
  bench.report(`tasks part of the run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * TASKS_PER_JOINT tasks in every generated joint incident, assigned by the coordination team (so no author
 * stamp) to its participations in turn, due from two weeks ago to a month ahead (a third of the open ones
 * overdue), in the six states in turn, audience `parties`, the joint incident's marking. Then the access rows
 * as `hub_sync_joint_tasks` writes them for such a task: one `org:` grant to the assignee's organisation.
 */
async function insertTasks(client: pg.Client, coordinatorOrg: string) {
  await client.query(
    `INSERT INTO joint_tasks (org_id, joint_incident_id, assignee_participant_id, title, description, marking, priority, audience,
                             due_at, due_time_zone, state, state_reason, outcome, created_at, updated_at)
     SELECT j.org_id, j.id, p.id, 'Generated task ' || t, 'Load for the tasks benchmark', j.marking, (ARRAY['low','medium','high','critical'])[1 + t % 4], 'parties',
            now() + make_interval(hours => ((hashtext(j.id::text) + t * 97) % 1080 + 1080) % 1080 - 360), 'Europe/Berlin',
            s.state, CASE WHEN s.state IN ('declined', 'cancelled') THEN 'Generated' END, CASE WHEN s.state = 'done' THEN 'Generated' END,
            j.created_at, j.updated_at
       FROM joint_incidents j
      CROSS JOIN generate_series(0, $2::int - 1) t
      CROSS JOIN LATERAL (SELECT (ARRAY['proposed','accepted','in_progress','done','cancelled','declined'])[1 + t % 6] AS state) s
      CROSS JOIN LATERAL (SELECT jp.id FROM joint_participants jp WHERE jp.joint_incident_id = j.id AND jp.state = 'accepted'
                           ORDER BY jp.invited_at, jp.id OFFSET t % 10 LIMIT 1) p
      WHERE j.org_id = $1 AND j.title LIKE 'Generated joint incident %' AND j.marking <> 'RED'`,
    [coordinatorOrg, TASKS_PER_JOINT],
  );
  await client.query(
    `INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
     SELECT t.org_id, 'joint_task', t.id, 'joint_incident', t.joint_incident_id, 'org:' || p.participant_org_id, NULL, 'joint:' || t.joint_incident_id, '{}', t.updated_at
       FROM joint_tasks t JOIN joint_participants p ON p.id = t.assignee_participant_id AND p.state = 'accepted'
       JOIN organisations o ON o.id = p.participant_org_id AND o.status = 'active'
      WHERE t.org_id = $1 AND t.title LIKE 'Generated task %' AND p.participant_org_id <> t.org_id`,
    [coordinatorOrg],
  );
  const [counts] = (
    await client.query(
      `SELECT (SELECT count(*)::int FROM joint_tasks WHERE title LIKE 'Generated task %') AS tasks,
              (SELECT count(DISTINCT joint_incident_id)::int FROM joint_tasks WHERE title LIKE 'Generated task %') AS joints,
              (SELECT count(*)::int FROM access WHERE object_type = 'joint_task') AS access`,
    )
  ).rows;
  return counts as { tasks: number; joints: number; access: number };
}

/** The tasks assigned to the member's accepted participations: all, open, and overdue. */
async function countAssigned(client: pg.Client, orgId: string) {
  const { rows } = await client.query(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE t.state IN ('proposed', 'accepted', 'in_progress'))::int AS open,
            count(*) FILTER (WHERE t.state IN ('proposed', 'accepted', 'in_progress') AND t.due_at < now())::int AS overdue
       FROM joint_tasks t JOIN joint_participants p ON p.id = t.assignee_participant_id AND p.state = 'accepted' AND p.participant_org_id = $1`,
    [orgId],
  );
  return rows[0] as { total: number; open: number; overdue: number };
}
