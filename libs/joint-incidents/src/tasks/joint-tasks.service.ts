import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, parseInstant, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import { checkAudienceShape, resolveAudience } from '../objects/audience.js';
import { recordJointChange } from '../objects/joint-change.js';
import { type JointMembership, jointMembership, requireCoordinator, requireOpen } from '../objects/joint-membership.js';
import { ownReadCondition, sharedReadCondition, SqlParams } from '../objects/shared-read.js';
import { parseDueDate } from './due-date.js';
import {
  type CreateJointTaskDto,
  type MyTasksQueryDto,
  OPEN_TASK_STATES,
  type ReassignJointTaskDto,
  type TaskListQueryDto,
  type JointTaskTransitionDto,
} from './dto/joint-task.dto.js';
import { JointTaskException } from './joint-task.exception.js';
import { type JointTaskRow, jointTaskView } from './joint-task.view.js';

/** The assignee organisation's moves, and the state each needs (the definer function holds the same table). */
export const ASSIGNEE_MOVES = { accept: 'proposed', decline: 'proposed', start: 'accepted', done: 'in_progress' } as const;
export type AssigneeMove = keyof typeof ASSIGNEE_MOVES;
const MOVE_ACTIONS: Record<AssigneeMove, string> = { accept: 'accepted', decline: 'declined', start: 'started', done: 'done' };

const COLUMNS = `jt.id, jt.joint_incident_id, jt.author_participant_id, jt.assignee_participant_id, jt.assignee_contact_id, jt.title,
  jt.description, jt.marking, jt.priority, jt.audience, jt.audience_users, jt.due_at, jt.due_time_zone, jt.state, jt.state_reason,
  jt.outcome, jt.history, jt.created_at, jt.updated_at, jt.version`;
const OPEN = `ARRAY[${OPEN_TASK_STATES.map((s) => `'${s}'`).join(', ')}]`;

/** Which tasks a list walks: one joint incident's, the caller's (assigned to it), or those of the joint incidents it coordinates. */
export type TaskSet = { jointId: string } | { assigned: true } | { coordinated: true };

export interface TaskPick {
  id?: string;
  state?: string;
  overdue?: boolean;
  dueBefore?: Date;
  after?: { key: string; id: string } | null;
  limit?: number;
}

/**
 * Tasks of joint incidents (issue 11 section 1). The assigner owns its task and reads it from the table; the
 * assignee, the coordinator and (audience all) the other participants read it through `shared_joint_tasks` under
 * the one policy, by the grants the hook derives. The assignee organisation moves its task through
 * `hub_move_joint_task`; the assigner cancels and reassigns in its own row. Every change is recorded in the joint
 * chain and the outbox (`recordJointChange`).
 */
@Injectable()
export class JointTasksService {
  constructor(private readonly db: TenantDatabase) {}

  async assign(principal: OrgPrincipal, jointId: string, dto: CreateJointTaskDto) {
    const due = parseDueDate(dto.dueAt, dto.dueTimeZone);
    checkAudienceShape({ marking: dto.marking, audience: 'all', audienceUsers: dto.audienceUsers });
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      await requireAssigner(tx, principal, membership);
      await requireOpen(tx, membership);
      const assignee = await resolveAssignee(tx, membership, dto.assignee, dto.assigneeContactId);
      const audience = await resolveAudience(tx, membership, principal.orgId, { marking: dto.marking, audience: 'all', audienceUsers: dto.audienceUsers });
      const [inserted] = await tx.query<{ id: string }>(
        `INSERT INTO joint_tasks (org_id, joint_incident_id, assignee_participant_id, assignee_contact_id, title, description, marking, priority,
                                  audience, audience_users, due_at, due_time_zone, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         RETURNING id`,
        [
          principal.orgId, jointId, assignee, dto.assigneeContactId ?? null, dto.title, dto.description ?? '', dto.marking, dto.priority,
          dto.audience ?? 'parties', audience.users, due.instant.toString(), due.timeZone, principal.id,
        ],
      );
      await recordJointChange(tx, principal, jointId, {
        action: 'joint_task.assigned',
        details: { taskId: inserted.id, assigneeParticipantId: assignee, marking: dto.marking, priority: dto.priority, audience: dto.audience ?? 'parties' },
        event: { type: 'joint_task.created', aggregateType: 'joint_task', aggregateId: inserted.id },
      });
      return jointTaskView(await readOne(tx, principal, jointId, inserted.id));
    });
  }

  /** accept, decline (reason), start, done (outcome): the assignee organisation only. */
  async move(principal: OrgPrincipal, jointId: string, taskId: string, move: AssigneeMove, dto: JointTaskTransitionDto) {
    const note = move === 'decline' ? required(dto.reason, 'reason', 'declining needs a reason') : move === 'done' ? required(dto.outcome, 'outcome', 'done needs an outcome note') : null;
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      const before = await readOne(tx, principal, jointId, taskId);
      const [moved] = await tx.query<{ result: string; state: string; version: number }>('SELECT * FROM hub_move_joint_task($1, $2, $3, $4, $5)', [
        jointId, taskId, dto.version, move, note,
      ]);
      if (moved.result === 'not_found') throw JointTaskException.assigneeOnly();
      if (moved.result === 'closed') await requireOpen(tx, membership);
      if (moved.result === 'stale') throw JointTaskException.stale();
      if (moved.result === 'state') throw JointTaskException.state(move, before.state);
      await recordJointChange(tx, principal, jointId, {
        action: `joint_task.${MOVE_ACTIONS[move]}`,
        reason: note ?? undefined,
        details: { taskId, from: before.state, to: moved.state },
        event: { type: 'joint_task.moved', aggregateType: 'joint_task', aggregateId: taskId },
      });
      return jointTaskView(await readOne(tx, principal, jointId, taskId));
    });
  }

  /** Any open state to cancelled, with a reason: the assigner only. */
  async cancel(principal: OrgPrincipal, jointId: string, taskId: string, dto: JointTaskTransitionDto) {
    const reason = required(dto.reason, 'reason', 'cancelling needs a reason');
    return this.assignerChange(principal, jointId, taskId, dto.version, async (tx, _membership, before) => {
      if (!(OPEN_TASK_STATES as readonly string[]).includes(before.state)) throw JointTaskException.state('cancel', before.state);
      await updateOwn(tx, taskId, dto.version, `state = 'cancelled', state_reason = $3`, [reason]);
      return { action: 'joint_task.cancelled', reason, details: { taskId, from: before.state, to: 'cancelled' } };
    });
  }

  /** A new assignee, back to proposed, with a reason: the assigner only, while the task is open or declined. */
  async reassign(principal: OrgPrincipal, jointId: string, taskId: string, dto: ReassignJointTaskDto) {
    return this.assignerChange(principal, jointId, taskId, dto.version, async (tx, membership, before) => {
      if (!['proposed', 'accepted', 'in_progress', 'declined'].includes(before.state)) throw JointTaskException.state('reassign', before.state);
      const assignee = await resolveAssignee(tx, membership, dto.assignee, dto.assigneeContactId);
      await updateOwn(
        tx,
        taskId,
        dto.version,
        `state = 'proposed', state_reason = $3, assignee_participant_id = $4, assignee_contact_id = $5, outcome = NULL`,
        [dto.reason, assignee, dto.assigneeContactId ?? null],
      );
      return {
        action: 'joint_task.reassigned',
        reason: dto.reason,
        details: { taskId, from: before.state, to: 'proposed', fromParticipantId: before.assignee_participant_id, toParticipantId: assignee },
      };
    });
  }

  async list(principal: OrgPrincipal, jointId: string, query: TaskListQueryDto) {
    const pick = pickOf(query);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readTasks(tx, principal, { jointId }, pick);
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(jointTaskView);
  }

  /** "My tasks" (assigned to the caller's organisation) or, scope coordinated, every task of the joint incidents it coordinates. */
  async mine(principal: OrgPrincipal, query: MyTasksQueryDto) {
    const pick = pickOf(query);
    const set: TaskSet = query.scope === 'coordinated' ? { coordinated: true } : { assigned: true };
    const rows = await this.db.run(sharedReadContextOf(principal), (tx) => readTasks(tx, principal, set, pick));
    return toPage(rows, query.limit, (row) => row.sort_key).map(jointTaskView);
  }

  async get(principal: OrgPrincipal, jointId: string, taskId: string) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return jointTaskView(await readOne(tx, principal, jointId, taskId));
    });
  }

  private assignerChange(
    principal: OrgPrincipal,
    jointId: string,
    taskId: string,
    version: number,
    change: (
      tx: TenantTransaction,
      membership: JointMembership,
      before: JointTaskRow,
    ) => Promise<{ action: string; reason: string; details: Record<string, unknown>; granteesBefore?: string[] }>,
  ) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      const before = await readOne(tx, principal, jointId, taskId);
      if (!before.own) throw JointTaskException.assignerOnly('the organisation that assigned the task cancels or reassigns it');
      if (membership.as === 'coordinator') requireCoordinator(principal, membership, 'change the tasks it assigned');
      await requireOpen(tx, membership);
      if (before.version !== version) throw JointTaskException.stale();
      // Who read the task before the change (a reassignment takes it from the former assignee).
      const [{ keys }] = await tx.query<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $2) AS keys', [jointId, taskId]);
      const done = await change(tx, membership, before);
      await recordJointChange(tx, principal, jointId, {
        action: done.action,
        reason: done.reason,
        details: done.details,
        event: { type: 'joint_task.moved', aggregateType: 'joint_task', aggregateId: taskId },
        granteesBefore: keys,
      });
      return jointTaskView(await readOne(tx, principal, jointId, taskId));
    });
  }
}

function required(value: string | undefined, field: string, message: string): string {
  if (value === undefined || value.trim() === '') throw HubException.invalid(field, 'required', message);
  return value;
}

/**
 * The assigner's own row, at the version it read; 409 if it moved meanwhile. The trigger `joint_tasks_guard` allows
 * the assigner a cancellation or a reassignment only, and appends the history entry (actor: the assigner's
 * participation, note: the reason), the version and updated_at itself.
 */
async function updateOwn(tx: TenantTransaction, taskId: string, version: number, set: string, values: unknown[]) {
  const updated = await tx.query<{ id: string }>(
    `UPDATE joint_tasks SET ${set} WHERE id = $1 AND version = $2 AND org_id = hub_current_org() RETURNING id`,
    [taskId, version, ...values],
  );
  if (updated.length === 0) throw JointTaskException.stale();
}

/** The coordination team (role coordinator) or an accepted participant taking part as lead. */
async function requireAssigner(tx: TenantTransaction, principal: OrgPrincipal, membership: JointMembership): Promise<void> {
  if (membership.as === 'coordinator') return requireCoordinator(principal, membership, 'assign tasks');
  const [own] = await tx.query<{ role: string }>('SELECT role FROM joint_participants WHERE id = $1', [membership.participantId]);
  if (own?.role !== 'lead') throw JointTaskException.assignerOnly('the coordination team or the participant taking part as lead assigns tasks');
}

/**
 * The assignee as the caller may name it (`hub_joint_audience`: a pseudonymous participant by its participant id
 * only), and its point of contact (`hub_joint_task_contact`: the assignee's own, and one the caller may know).
 */
async function resolveAssignee(tx: TenantTransaction, membership: JointMembership, given: string, contact: string | undefined): Promise<string> {
  const [found] = await tx.query<{ participant_id: string }>('SELECT participant_id FROM hub_joint_audience($1, $2::uuid[])', [membership.jointId, [given]]);
  if (!found) throw JointTaskException.notParticipant('assignee');
  if (contact !== undefined) {
    const [{ ok }] = await tx.query<{ ok: boolean }>('SELECT hub_joint_task_contact($1, $2, $3) AS ok', [membership.jointId, found.participant_id, contact]);
    if (!ok) throw JointTaskException.contact();
  }
  return found.participant_id;
}

function pickOf(query: TaskListQueryDto): TaskPick {
  let dueBefore: Date | undefined;
  if (query.dueBefore !== undefined) {
    const parsed = parseInstant(query.dueBefore);
    if (!parsed) throw HubException.invalid('dueBefore', 'instant', 'dueBefore must be an instant with its offset, such as 2027-03-15T09:00:00Z');
    dueBefore = parsed;
  }
  return {
    state: query.state,
    overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
    dueBefore,
    after: decodeTimeCursor(query.cursor),
    limit: query.limit + 1,
  };
}

async function readOne(tx: TenantTransaction, principal: OrgPrincipal, jointId: string, taskId: string): Promise<JointTaskRow> {
  const [row] = await readTasks(tx, principal, { jointId }, { id: taskId });
  if (!row) throw HubException.notFound('task');
  return row;
}

function readTasks(tx: TenantTransaction, principal: OrgPrincipal, set: TaskSet, pick: TaskPick): Promise<JointTaskRow[]> {
  const statement = jointTasksSql(principal, set, pick);
  return tx.query<JointTaskRow>(statement.sql, statement.values);
}

/**
 * The statement that decides which tasks a caller reads: its own rows from the table and the others' through
 * the shared view, soonest due first; the parties resolved per reader. It runs in two steps, so that the view's
 * masking and the parties are computed for the page only: first the page's ids from plain columns (each branch
 * walking one index: `joint_tasks_joint_idx` for a joint incident, `joint_tasks_assignee_idx` for "my tasks",
 * `joint_tasks_assigner_idx` for the coordinator's own tasks and its grants in `access` for the tasks its leads
 * assigned), then those rows in full.
 */
export function jointTasksSql(principal: OrgPrincipal, set: TaskSet, pick: TaskPick) {
  const params = new SqlParams();
  let ownScope: string;
  let sharedScope: string;
  if ('jointId' in set) {
    ownScope = sharedScope = `jt.joint_incident_id = ${params.add(set.jointId, 'uuid')}`;
  } else if ('assigned' in set) {
    // The caller's live participations only: a removed participant's tasks (even one it assigned itself) are no longer its.
    ownScope = sharedScope = `jt.assignee_participant_id = ANY (ARRAY(SELECT p.id FROM joint_participants p WHERE p.participant_org_id = ${params.add(principal.orgId, 'uuid')} AND p.state = 'accepted'))`;
  } else {
    const org = params.add(principal.orgId, 'uuid');
    const coordinated = `EXISTS (SELECT 1 FROM joint_incidents j WHERE j.id = jt.joint_incident_id AND j.org_id = ${org})`;
    // Its own tasks in due order from the assigner index; the others' (a lead's) are those the policy grants it.
    ownScope = `jt.org_id = ${org} AND ${coordinated}`;
    sharedScope = coordinated;
  }
  const own = ownReadCondition(principal, 'joint_task', params);
  const shared = sharedReadCondition(principal, 'joint_task', params);
  const where: string[] = [];
  if (pick.id) where.push(`u.id = ${params.add(pick.id, 'uuid')}`);
  if (pick.state) where.push(`u.state = ${params.add(pick.state, 'text')}`);
  if (pick.overdue !== undefined) where.push(`${pick.overdue ? '' : 'NOT '}(u.due_at < now() AND u.state = ANY (${OPEN}))`);
  if (pick.dueBefore) where.push(`u.due_at < ${params.add(pick.dueBefore.toISOString(), 'timestamptz')}`);
  if (pick.after) where.push(`(u.due_at, u.id) > (${params.add(pick.after.key, 'timestamptz')}, ${params.add(pick.after.id, 'uuid')})`);
  const sql = `WITH page AS (
      SELECT u.id, u.own FROM (
        SELECT jt.id, jt.due_at, jt.state, true AS own FROM joint_tasks jt WHERE ${ownScope} AND ${own}
        UNION ALL
        SELECT jt.id, jt.due_at, jt.state, false FROM shared_joint_tasks jt WHERE ${sharedScope} AND ${shared}
      ) u ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY u.due_at, u.id LIMIT ${params.add(pick.limit ?? 1, 'int')}
    )
    SELECT x.*, x.due_at::text AS sort_key, (x.due_at < now() AND x.state = ANY (${OPEN})) AS overdue,
         hub_joint_is_exercise(x.joint_incident_id) AS exercise,
         asg.party_id AS assigner_id, asg.label AS assigner_label, asg.time_zone AS assigner_zone,
         ase.party_id AS assignee_id, ase.label AS assignee_label, ase.time_zone AS assignee_zone,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('at', h.e->'at', 'action', h.e->'action', 'from', h.e->'from', 'to', h.e->'to',
                                                       'note', h.e->'note', 'actorId', ap.party_id, 'actorLabel', ap.label) ORDER BY h.n), '[]')
            FROM jsonb_array_elements(x.history) WITH ORDINALITY AS h (e, n)
            LEFT JOIN LATERAL hub_joint_party(x.joint_incident_id, (h.e->>'actor')::uuid) ap ON true) AS history_view
    FROM page p
    CROSS JOIN LATERAL (
      SELECT ${COLUMNS}, true AS own FROM joint_tasks jt WHERE p.own AND jt.id = p.id AND ${own}
      UNION ALL
      SELECT ${COLUMNS}, false FROM shared_joint_tasks jt WHERE NOT p.own AND jt.id = p.id AND ${shared}
    ) x
    LEFT JOIN LATERAL hub_joint_party(x.joint_incident_id, x.author_participant_id) asg ON true
    LEFT JOIN LATERAL hub_joint_party(x.joint_incident_id, x.assignee_participant_id) ase ON true
    ORDER BY x.due_at, x.id`;
  return { sql, values: params.values };
}
