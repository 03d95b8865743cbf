import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { appendLog } from '#audit';
import { emitOutbox, TenantDatabase, type TenantTransaction } from '#database';
import { findIncident } from '#incidents';
import { jointMembership, jointObjectGrantees, recordJointChange, syncJointAccess } from '#joint-incidents';
import { abilityOf, compilePolicy, type PolicySubject, shareableType, SqlParams } from '#sharing';
import type { ActionQueryDto, ActionState, CreateImprovementActionDto, EvidenceDto, UpdateImprovementActionDto } from './dto/improvement-action.dto.js';
import { ImprovementActionException } from './improvement-action.exception.js';
import { type ImprovementActionRow, improvementActionView } from './improvement-action.view.js';

/** Where an action may move next; done and dropped are final. */
export const ACTION_TRANSITIONS: Readonly<Record<ActionState, readonly ActionState[]>> = {
  open: ['in_progress', 'dropped'],
  in_progress: ['done', 'dropped'],
  done: [],
  dropped: [],
};

/** Computed at read, never stored: open or in progress, and due before today (UTC). */
const OVERDUE = `(ia.state IN ('open', 'in_progress') AND ia.due_on < (now() AT TIME ZONE 'UTC')::date)`;
const COMMON_COLUMNS = `ia.owner_user_id, ia.source_type, %INCIDENT%, ia.joint_incident_id, ia.kind, ia.title, ia.description,
  ia.due_on::text AS due_on, ia.marking, ia.state, ia.drop_reason, ia.done_at, ia.share_with_coordinator, ia.evidence, ia.exercise,
  ${OVERDUE} AS overdue, ia.created_at, ia.updated_at, ia.version, ia.created_at::text AS sort_key`;
const OWN_COLUMNS = `ia.id, ia.org_id, (SELECT o.name FROM organisations o WHERE o.id = ia.org_id) AS author_label,
  ${COMMON_COLUMNS.replace('%INCIDENT%', 'ia.incident_id')}, true AS own`;
// The owner's incident stays with the owner: the coordination team reads the joint incident it raised it in.
const SHARED_COLUMNS = `ia.id, ia.org_id, ia.author_label, ${COMMON_COLUMNS.replace('%INCIDENT%', 'NULL::uuid AS incident_id')}, false AS own`;

const ACTION = shareableType('improvement_action');

type Pick = { id?: string; jointId?: string; after?: { key: string; id: string } | null; limit?: number; query?: ActionQueryDto };

/**
 * Improvement actions (ISO/IEC 27035-2 clause 12): what the lessons of an organisation's own incident or of a
 * joint incident's review change, carried out by the organisation that owns the action, which alone writes it.
 * The owner reads its rows from the table; the coordination team reads the follow-through of a joint review's
 * action only through `shared_improvement_actions` under the one policy, where its derived grant (the hook
 * `hub_sync_joint_actions`) names it: while the owner shares it, it is not RED, and the owner takes part.
 */
@Injectable()
export class ImprovementActionsService {
  constructor(private readonly db: TenantDatabase) {}

  /** From the caller's own incident: it has its report, or is in learn_lessons or closed. */
  async createFromIncident(principal: OrgPrincipal, incidentId: string, dto: CreateImprovementActionDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, incidentId);
      if (dto.shareWithCoordinator) throw ImprovementActionException.notFromJointReview();
      if (!incident.report && incident.phase !== 'learn_lessons' && incident.phase !== 'closed') throw ImprovementActionException.incidentNotReviewed();
      const row = await this.insert(tx, principal, dto, { incidentId, jointId: null });
      await recordActionChange(tx, principal, row, { action: 'improvement_action.raised', event: 'improvement_action.created', details: raisedDetails(row) });
      return improvementActionView(row);
    });
  }

  /** From a joint incident's review (learn_lessons or closed), by the coordination team or an accepted participant, for itself. */
  async createFromJoint(principal: OrgPrincipal, jointId: string, dto: CreateImprovementActionDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      // Not taking part answers 404 before anything about the body: the joint incident is none of the caller's business.
      const membership = await jointMembership(tx, principal, jointId);
      if (dto.shareWithCoordinator && dto.marking === 'RED') throw ImprovementActionException.redNotShareable();
      let phase = membership.phase;
      if (phase === null) [{ phase }] = await tx.query<{ phase: string | null }>('SELECT hub_joint_phase($1) AS phase', [jointId]);
      if (phase !== 'learn_lessons' && phase !== 'closed') throw ImprovementActionException.jointNotInReview();
      const row = await this.insert(tx, principal, dto, { incidentId: null, jointId });
      await recordActionChange(tx, principal, row, { action: 'improvement_action.raised', event: 'improvement_action.created', details: raisedDetails(row) });
      return improvementActionView(await findReadable(tx, principal, row.id));
    });
  }

  async list(principal: OrgPrincipal, query: ActionQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(tenantContextOf(principal), (tx) => readActions(tx, principal, { after, limit: query.limit + 1, query }));
    return toPage(rows, query.limit, (row) => row.sort_key).map(improvementActionView);
  }

  async get(principal: OrgPrincipal, id: string) {
    return improvementActionView(await this.db.run(sharedReadContextOf(principal), (tx) => findReadable(tx, principal, id)));
  }

  /** The actions of one joint review the caller reads: its own, and (the coordination team) those shared with it. */
  async listForJoint(principal: OrgPrincipal, jointId: string, query: ActionQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readActions(tx, principal, { jointId, after, limit: query.limit + 1, query });
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(improvementActionView);
  }

  async update(principal: OrgPrincipal, id: string, dto: UpdateImprovementActionDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const current = await findOwn(tx, principal, id, true);
      if (current.version !== dto.version) throw ImprovementActionException.stale(current.version);
      const state = dto.state ?? (current.state as ActionState);
      if (dto.state !== undefined && dto.state !== current.state) {
        const allowed = ACTION_TRANSITIONS[current.state as ActionState];
        if (!allowed.includes(dto.state)) throw ImprovementActionException.invalidTransition(current.state, dto.state, allowed);
      }
      if (dto.dropReason !== undefined && state !== 'dropped') throw HubException.invalid('dropReason', 'onlyWhenDropped', 'dropReason goes with state dropped');
      if (dto.state === 'dropped' && current.state !== 'dropped' && !dto.dropReason) {
        throw HubException.invalid('dropReason', 'requiredWhenDropped', 'dropping an action needs a dropReason');
      }
      const finished = current.state === 'done' || current.state === 'dropped';
      const fieldChanges = (['kind', 'title', 'description', 'dueOn', 'ownerUserId'] as const).filter((f) => dto[f] !== undefined);
      if (finished && (fieldChanges.length > 0 || (dto.state !== undefined && dto.state !== current.state))) throw ImprovementActionException.finished(current.state);
      const marking = dto.marking ?? current.marking;
      const share = dto.shareWithCoordinator ?? current.share_with_coordinator;
      if (dto.shareWithCoordinator && current.source_type !== 'joint_incident') throw ImprovementActionException.notFromJointReview();
      if (share && marking === 'RED') throw ImprovementActionException.redNotShareable();
      if (dto.ownerUserId !== undefined) await requireActiveUser(tx, principal, dto.ownerUserId);

      const before = current.joint_incident_id ? await jointObjectGrantees(tx, current.joint_incident_id, id) : undefined;
      const [row] = await tx.query<{ id: string }>(
        `UPDATE improvement_actions SET kind = coalesce($2, kind), title = coalesce($3, title), description = coalesce($4, description),
                due_on = coalesce($5::date, due_on), owner_user_id = coalesce($6, owner_user_id), marking = $7, share_with_coordinator = $8,
                state = $9, drop_reason = CASE WHEN $9 = 'dropped' THEN coalesce($10, drop_reason) END,
                done_at = CASE WHEN $9 = 'done' THEN coalesce(done_at, now()) END,
                version = version + 1, updated_at = now()
          WHERE id = $1 AND org_id = $11 RETURNING id`,
        [id, dto.kind ?? null, dto.title ?? null, dto.description ?? null, dto.dueOn ?? null, dto.ownerUserId ?? null, marking, share, state,
          dto.dropReason ?? null, principal.orgId],
      );
      const changed = [...fieldChanges, ...(marking !== current.marking ? ['marking'] : []), ...(share !== current.share_with_coordinator ? ['shareWithCoordinator'] : [])];
      const updated = await findOwn(tx, principal, row.id);
      await recordActionChange(tx, principal, updated, {
        action: state !== current.state ? `improvement_action.${state}` : 'improvement_action.updated',
        event: 'improvement_action.updated',
        reason: state === 'dropped' && current.state !== 'dropped' ? (dto.dropReason ?? '') : undefined,
        details: { actionId: id, fields: changed, ...(state !== current.state ? { from: current.state, to: state } : {}), shared: share, marking },
        granteesBefore: before,
      });
      return improvementActionView(await findOwn(tx, principal, row.id));
    });
  }

  /** Appends an entry of evidence (who, when, a note and links); the history is never rewritten. */
  async addEvidence(principal: OrgPrincipal, id: string, dto: EvidenceDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const current = await findOwn(tx, principal, id, true);
      const entry = { note: dto.note, links: dto.links ?? [], addedBy: principal.id, addedAt: new Date().toISOString() };
      if (current.evidence.length >= 200) throw HubException.invalid('note', 'maxEntries', 'an action keeps at most 200 evidence entries');
      await tx.query(
        `UPDATE improvement_actions SET evidence = evidence || jsonb_build_array($2::jsonb), version = version + 1, updated_at = now()
          WHERE id = $1 AND org_id = $3`,
        [id, JSON.stringify(entry), principal.orgId],
      );
      const updated = await findOwn(tx, principal, id);
      await recordActionChange(tx, principal, updated, {
        action: 'improvement_action.evidence_added',
        event: 'improvement_action.updated',
        details: { actionId: id, entry: updated.evidence.length, links: entry.links.length },
      });
      return improvementActionView(updated);
    });
  }

  private async insert(tx: TenantTransaction, principal: OrgPrincipal, dto: CreateImprovementActionDto, source: { incidentId: string | null; jointId: string | null }) {
    const ownerUserId = dto.ownerUserId ?? (principal.kind === 'user' ? principal.id : undefined);
    if (!ownerUserId) throw HubException.invalid('ownerUserId', 'isDefined', 'ownerUserId is required when an API key raises an action');
    await requireActiveUser(tx, principal, ownerUserId);
    const [inserted] = await tx.query<{ id: string }>(
      `INSERT INTO improvement_actions (org_id, owner_user_id, source_type, incident_id, joint_incident_id, kind, title, description, due_on, marking,
                                        share_with_coordinator, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10, $11, $12) RETURNING id`,
      [principal.orgId, ownerUserId, source.jointId ? 'joint_incident' : 'incident', source.incidentId, source.jointId, dto.kind, dto.title,
        dto.description ?? '', dto.dueOn, dto.marking, dto.shareWithCoordinator ?? false, principal.id],
    );
    return findOwn(tx, principal, inserted.id);
  }
}

function raisedDetails(row: ImprovementActionRow) {
  return { actionId: row.id, kind: row.kind, marking: row.marking, dueOn: row.due_on, shared: row.share_with_coordinator };
}

async function requireActiveUser(tx: TenantTransaction, principal: OrgPrincipal, userId: string): Promise<void> {
  const [user] = await tx.query("SELECT 1 FROM users WHERE id = $1 AND org_id = $2 AND status = 'active'", [userId, principal.orgId]);
  if (!user) throw HubException.invalid('ownerUserId', 'activeUserOfOrganisation', 'ownerUserId must be an active user of your organisation');
}

interface ActionChange {
  action: string;
  event: string;
  reason?: string;
  details: Record<string, unknown>;
  granteesBefore?: string[];
}

/**
 * The log entry and outbox row of a change. A joint review's action: the joint incident's chain and its derived
 * grants (`recordJointChange`). An owner no longer taking part (removed) writes no more to that chain: its change
 * still recomputes the grants (the hook grants nothing to a non-participant's action) and goes to the outbox.
 * An incident's action: the incident's own chain.
 */
async function recordActionChange(tx: TenantTransaction, principal: OrgPrincipal, row: ImprovementActionRow, change: ActionChange): Promise<void> {
  const event = { type: change.event, aggregateType: 'improvement_action', aggregateId: row.id };
  if (row.joint_incident_id) {
    const jointId = row.joint_incident_id;
    const [{ member }] = await tx.query<{ member: boolean }>('SELECT hub_joint_member($1) AS member', [jointId]);
    if (member) {
      await recordJointChange(tx, principal, jointId, { action: change.action, reason: change.reason, details: change.details, event, granteesBefore: change.granteesBefore });
      return;
    }
    await syncJointAccess(tx, jointId);
    const grantees = [...new Set([...(change.granteesBefore ?? []), ...(await jointObjectGrantees(tx, jointId, row.id))])].sort();
    await emitOutbox(tx, { ...event, payload: { jointIncidentId: jointId }, grantees });
    return;
  }
  const incidentId = row.incident_id as string;
  await appendLog(tx, principal, { type: 'incident', id: incidentId }, { action: change.action, reason: change.reason ?? '', details: change.details });
  await emitOutbox(tx, { ...event, payload: { incidentId }, grantees: [`org:${principal.orgId}`] });
}

async function findOwn(tx: TenantTransaction, principal: OrgPrincipal, id: string, lock = false): Promise<ImprovementActionRow> {
  const params = new SqlParams();
  const own = compilePolicy(abilityOf(principal), 'read', ACTION.ownSubject as PolicySubject, params);
  const [row] = await tx.query<ImprovementActionRow>(
    `SELECT ${OWN_COLUMNS} FROM improvement_actions ia WHERE ia.id = ${params.add(id, 'uuid')} AND ${own}${lock ? ' FOR UPDATE' : ''}`,
    params.values,
  );
  if (!row) throw HubException.notFound('improvement action');
  return row;
}

async function findReadable(tx: TenantTransaction, principal: OrgPrincipal, id: string): Promise<ImprovementActionRow> {
  const [row] = await readActions(tx, principal, { id, limit: 1 });
  if (!row) throw HubException.notFound('improvement action');
  return row;
}

function readActions(tx: TenantTransaction, principal: OrgPrincipal, pick: Pick): Promise<ImprovementActionRow[]> {
  const statement = improvementActionsSql(principal, pick);
  return tx.query<ImprovementActionRow>(statement.sql, statement.values);
}

/**
 * The statement deciding which actions a caller reads (exported for EXPLAIN): its own from the table, walked in
 * `improvement_actions_own_idx` (or `_joint_idx` for one review), and, for one id or one review, those shared
 * with it through the shared view under the policy compiled for the shared subject.
 */
export function improvementActionsSql(principal: OrgPrincipal, pick: Pick) {
  const params = new SqlParams();
  const ability = abilityOf(principal);
  const own = compilePolicy(ability, 'read', ACTION.ownSubject as PolicySubject, params);
  const filters: string[] = [];
  const q = pick.query;
  if (q?.state) filters.push(`ia.state = ${params.add(q.state)}`);
  if (q?.kind) filters.push(`ia.kind = ${params.add(q.kind)}`);
  if (q?.source) filters.push(`ia.source_type = ${params.add(q.source)}`);
  if (q?.overdue !== undefined) filters.push(q.overdue ? OVERDUE : `NOT ${OVERDUE}`);
  if (pick.id) filters.push(`ia.id = ${params.add(pick.id, 'uuid')}`);
  if (pick.jointId) filters.push(`ia.joint_incident_id = ${params.add(pick.jointId, 'uuid')}`);
  if (pick.after) filters.push(`(ia.created_at, ia.id) < (${params.add(pick.after.key, 'timestamptz')}, ${params.add(pick.after.id, 'uuid')})`);
  const where = filters.map((f) => ` AND ${f}`).join('');
  const limit = params.add(pick.limit ?? 1, 'int');
  const ownSql = `SELECT ${OWN_COLUMNS} FROM improvement_actions ia WHERE ${own}${where} ORDER BY ia.created_at DESC, ia.id DESC LIMIT ${limit}`;
  if (!pick.id && !pick.jointId) return { sql: ownSql, values: params.values };
  const shared = compilePolicy(ability, 'read', ACTION.sharedSubject as PolicySubject, params);
  const sql = `SELECT * FROM (
      (${ownSql})
      UNION ALL
      (SELECT ${SHARED_COLUMNS} FROM shared_improvement_actions ia WHERE ${shared}${where} ORDER BY ia.created_at DESC, ia.id DESC LIMIT ${limit})
    ) x ORDER BY x.created_at DESC, x.id DESC LIMIT ${limit}`;
  return { sql, values: params.values };
}
