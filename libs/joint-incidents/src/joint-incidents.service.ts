import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, type Page, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { LogService, readLog, verifyLog } from '#audit';
import { TenantDatabase, type TenantTransaction } from '#database';
import { isKnownClassification, PHASE_TRANSITIONS } from '#incidents';
import { abilityOf, compilePolicy, isTightening, keysOf, type PolicySubject, shareableType, SqlParams, type TlpMarking } from '#sharing';
import type { ChangeJointPhaseDto, CreateJointIncidentDto, JointRegisterQueryDto, UpdateJointIncidentDto } from './dto/joint-incident.dto.js';
import { JointIncidentException } from './joint-incident.exception.js';
import { JointReviewException } from './review/joint-review.exception.js';
import {
  coordinatorJointView,
  JOINT_COLUMNS_OF,
  type JointIncidentRow,
  jointRegisterItemView,
  type LinkedIncidentRow,
  type ParticipantRow,
  participantJointView,
  type SharedJointIncidentRow,
  type SharedParticipantRow,
} from './joint-incident.view.js';
import { emitJointEvent, findOwnJoint, logJoint, requireCoordinator, syncJointAccess } from './joint-workspace.js';

/** Fields a create or update may set, by DTO name, with their column. */
const FIELD_COLUMNS = {
  title: 'title',
  summary: 'summary',
  category: 'category',
  subType: 'sub_type',
  severity: 'severity',
  marking: 'marking',
  exercise: 'exercise',
} as const satisfies Partial<Record<keyof CreateJointIncidentDto, string>>;

type SettableField = keyof typeof FIELD_COLUMNS;

/**
 * Joint incidents (DESIGN section 5): opened and run by the coordinator tenant, read by its accepted
 * participants through `shared_joint_incidents`. Every change: a log entry in the joint incident's chain and an
 * outbox row with the grantee keys that may read it afterwards, in the change's transaction.
 */
@Injectable()
export class JointIncidentsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly logs: LogService,
  ) {}

  /** From scratch, or escalating incidents that members released to the coordinator (linked, not passed on). */
  async create(principal: OrgPrincipal, dto: CreateJointIncidentDto) {
    requireCoordinator(principal);
    checkClassification(dto.category, dto.subType);
    const escalate = dto.escalate ?? [];
    // Reading shared_incidents needs a shared-read transaction; the writes are the coordinator's own rows.
    const context = escalate.length > 0 ? sharedReadContextOf(principal) : tenantContextOf(principal);
    return this.db.run(context, async (tx) => {
      const released = escalate.length === 0 ? [] : await tx.query<{ id: string; org_id: string }>(
        'SELECT i.id, i.org_id FROM shared_incidents i WHERE i.id = ANY ($1::uuid[]) AND i.org_id <> $2',
        [escalate, principal.orgId],
      );
      const missing = escalate.find((id) => !released.some((r) => r.id === id));
      if (missing) throw JointIncidentException.notReleased(missing);

      const fields = Object.entries(FIELD_COLUMNS).filter(([field]) => dto[field as SettableField] !== undefined);
      const columns = ['org_id', 'created_by', ...fields.map(([, column]) => column)];
      const values = [principal.orgId, principal.kind === 'user' ? principal.id : null, ...fields.map(([field]) => dto[field as SettableField])];
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO joint_incidents (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        values,
      );
      for (const incident of released) {
        await tx.query(
          `INSERT INTO joint_linked_incidents (org_id, joint_incident_id, incident_id, incident_org_id, passed_on, linked_by)
           VALUES ($1, $2, $3, $4, false, $5)`,
          [principal.orgId, row.id, incident.id, incident.org_id, principal.id],
        );
      }
      await logJoint(tx, principal, row.id, {
        action: 'joint_incident.created',
        details: { severity: dto.severity, marking: dto.marking, exercise: dto.exercise ?? false, escalated: released.map((r) => r.id) },
      });
      await syncJointAccess(tx, row.id);
      await emitJointEvent(tx, row.id, { type: 'joint_incident.created', aggregateType: 'joint_incident', aggregateId: row.id });
      return coordinatorView(tx, await findOwnJoint(tx, row.id));
    });
  }

  /** The coordinator's joint register, or for any other organisation the joint incidents it reads as a participant. */
  async list(principal: OrgPrincipal, query: JointRegisterQueryDto): Promise<Page<ReturnType<typeof jointRegisterItemView>>> {
    if (principal.orgKind === 'coordinator') {
      const { sql, params } = jointRegisterPageSql(principal, query);
      const rows = await this.db.read<JointIncidentRow>(tenantContextOf(principal), sql, params, { inIndexOrder: true });
      return toPage(rows, query.limit, (row) => row.sort_key).map(jointRegisterItemView);
    }
    const { sql, params } = myJointIncidentsPageSql(principal, query);
    const rows = await this.db.read<JointIncidentRow>(sharedReadContextOf(principal), sql, params, { inIndexOrder: true });
    return toPage(rows, query.limit, (row) => row.sort_key).map(jointRegisterItemView);
  }

  /** The coordinator: everything. An accepted participant: the shared projection. Anyone else: 404. */
  async get(principal: OrgPrincipal, id: string) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const [own] = await tx.query<JointIncidentRow>(`SELECT ${JOINT_COLUMNS_OF('j')} FROM joint_incidents j WHERE j.id = $1 AND j.org_id = $2`, [
        id,
        principal.orgId,
      ]);
      if (own) return coordinatorView(tx, own);
      const shared = await findSharedJoint(tx, principal, id);
      const participants = await tx.query<SharedParticipantRow>(
        `SELECT * FROM shared_joint_participants p WHERE p.joint_incident_id = $1 ORDER BY p.answered_at, p.id`,
        [id],
      );
      return participantJointView(shared, participants);
    });
  }

  async update(principal: OrgPrincipal, id: string, dto: UpdateJointIncidentDto) {
    requireCoordinator(principal);
    const nulled = Object.keys(FIELD_COLUMNS).find((field) => dto[field as SettableField] === null);
    if (nulled) throw HubException.invalid(nulled, 'notNull', `${nulled} cannot be emptied with null; send a value`);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const tighteningOnly = dto.marking !== undefined && Object.keys(FIELD_COLUMNS).every((f) => f === 'marking' || dto[f as SettableField] === undefined);
      const current = await lockForChange(tx, id, dto.version, tighteningOnly ? dto.marking : undefined);
      checkClassification(dto.category ?? current.category, dto.subType ?? current.sub_type);
      const fields = Object.entries(FIELD_COLUMNS).filter(([field]) => dto[field as SettableField] !== undefined);
      if (fields.length === 0) throw HubException.invalid('body', 'notEmpty', 'name at least one field to change');
      const sets = fields.map(([, column], i) => `${column} = $${i + 2}`);
      await tx.query(`UPDATE joint_incidents SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`, [
        id,
        ...fields.map(([field]) => dto[field as SettableField]),
      ]);
      const details: Record<string, unknown> = { fields: fields.map(([field]) => field) };
      const markingMoved = dto.marking !== undefined && dto.marking !== current.marking;
      if (markingMoved) details.marking = { from: current.marking, to: dto.marking };
      if (dto.severity !== undefined && dto.severity !== current.severity) details.severity = { from: current.severity, to: dto.severity };
      await logJoint(tx, principal, id, { action: 'joint_incident.updated', reason: dto.reason ?? '', details });
      // Tightening withdraws at once; loosening (the coordinator owns it) may widen the keys again.
      if (markingMoved) await syncJointAccess(tx, id);
      const row = await findOwnJoint(tx, id);
      await emitJointEvent(tx, id, { type: 'joint_incident.updated', aggregateType: 'joint_incident', aggregateId: id, payload: { version: row.version } });
      return coordinatorView(tx, row);
    });
  }

  /** The incident phase machine (libs/incidents' PHASE_TRANSITIONS), with a reason; closing needs a closing summary and the published joint report. */
  async changePhase(principal: OrgPrincipal, id: string, dto: ChangeJointPhaseDto) {
    requireCoordinator(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const current = await lockForChange(tx, id, dto.version);
      const allowed = PHASE_TRANSITIONS[current.phase];
      if (!allowed.includes(dto.phase)) throw JointIncidentException.invalidTransition(current.phase, dto.phase, allowed);
      if (dto.phase === 'closed' && !dto.closingSummary) throw JointIncidentException.closingSummaryRequired();
      if (dto.phase === 'closed') {
        // The lessons-learned review comes first: a joint incident closes only once its joint report is published.
        const [report] = await tx.query<{ published: boolean }>('SELECT published_at IS NOT NULL AS published FROM joint_reports WHERE joint_incident_id = $1', [id]);
        if (!report?.published) throw JointReviewException.reportRequiredToClose();
      }
      await tx.query(
        `UPDATE joint_incidents SET phase = $2, closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END,
                closing_summary = CASE WHEN $2 = 'closed' THEN $3 ELSE closing_summary END,
                version = version + 1, updated_at = now() WHERE id = $1`,
        [id, dto.phase, dto.closingSummary ?? null],
      );
      await logJoint(tx, principal, id, { action: 'joint_incident.phase_changed', reason: dto.reason, details: { from: current.phase, to: dto.phase } });
      await emitJointEvent(tx, id, { type: 'joint_incident.phase_changed', aggregateType: 'joint_incident', aggregateId: id, payload: { phase: dto.phase } });
      return coordinatorView(tx, await findOwnJoint(tx, id));
    });
  }

  /**
   * The management log is the coordinator's: it names every participant's organisation, pseudonymous ones too,
   * so it is read by the coordinator tenant only (to everyone else the joint incident's log does not exist).
   */
  async log(principal: OrgPrincipal, id: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findOwnJoint(tx, id);
      return { items: await readLog(tx, { type: 'joint_incident', id }) };
    });
  }

  async verifyLog(principal: OrgPrincipal, id: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findOwnJoint(tx, id);
      return verifyLog(tx, { type: 'joint_incident', id });
    });
  }

  /** Signs the chain head (JWS, the 'log-checkpoint' key); the coordinator that owns the joint incident only. */
  async createCheckpoint(principal: OrgPrincipal, id: string) {
    requireCoordinator(principal);
    await this.db.run(tenantContextOf(principal), (tx) => findOwnJoint(tx, id));
    return this.logs.createCheckpoint(principal, { type: 'joint_incident', id });
  }

  /** The signed checkpoints, to the coordinator and the accepted participants (they name no participant). */
  async listCheckpoints(principal: OrgPrincipal, id: string) {
    await this.db.run(sharedReadContextOf(principal), async (tx) => {
      const [own] = await tx.query('SELECT 1 FROM joint_incidents WHERE id = $1 AND org_id = $2', [id, principal.orgId]);
      if (!own) await findSharedJoint(tx, principal, id);
    });
    return this.logs.listCheckpoints(principal, { type: 'joint_incident', id });
  }
}

function checkClassification(category: string, subType: string): void {
  if (!isKnownClassification(category, subType)) {
    throw HubException.invalid('subType', 'knownClassification', `${category}/${subType} is not a category and sub-type in force (see GET /api/v1/categories)`);
  }
}

async function lockForChange(tx: TenantTransaction, id: string, version: number, tighteningTo?: TlpMarking): Promise<JointIncidentRow> {
  const row = await findOwnJoint(tx, id, true);
  if (row.phase === 'closed' && !(tighteningTo && isTightening(row.marking, tighteningTo))) throw JointIncidentException.closed();
  if (row.version !== version) throw JointIncidentException.stale(row.version);
  return row;
}

/** The joint incident as an accepted participant reads it (the shared view, its grants); else 404. */
export async function findSharedJoint(tx: TenantTransaction, principal: OrgPrincipal, id: string): Promise<SharedJointIncidentRow> {
  const params = new SqlParams();
  const where = sharedJointPolicy('j', 'joint_incident', principal, params);
  const [row] = await tx.query<SharedJointIncidentRow>(
    `SELECT ${JOINT_COLUMNS_OF('j')}, j.author_label FROM shared_joint_incidents j WHERE j.id = ${params.add(id, 'uuid')} AND ${where}`,
    params.values,
  );
  if (!row) throw HubException.notFound('joint incident');
  return row;
}

async function coordinatorView(tx: TenantTransaction, row: JointIncidentRow) {
  const participants = await tx.query<ParticipantRow>(
    `SELECT p.*, o.name AS org_name FROM joint_participants p JOIN organisations o ON o.id = p.participant_org_id
      WHERE p.joint_incident_id = $1 AND p.org_id = $2 ORDER BY p.invited_at, p.id`,
    [row.id, row.org_id],
  );
  const linked = await tx.query<LinkedIncidentRow>(
    `SELECT id, incident_id, incident_org_id, passed_on, linked_at FROM joint_linked_incidents
      WHERE joint_incident_id = $1 AND org_id = $2 AND unlinked_at IS NULL ORDER BY linked_at, id`,
    [row.id, row.org_id],
  );
  return coordinatorJointView(row, participants, linked);
}

/** Another organisation's joint object through a grant: the one policy, compiled for the type's shared subject. */
export function sharedJointPolicy(alias: string, objectType: string, principal: OrgPrincipal, params: SqlParams): string {
  const type = shareableType(objectType);
  if (type.alias !== alias) throw new Error(`${objectType} is read as ${type.alias}, not ${alias}`);
  return compilePolicy(abilityOf(principal), 'read', type.sharedSubject as PolicySubject, params);
}

/** The keys joint grants name (never the community or the public: those take a release): the organisation's and the user's. */
function jointKeysOf(principal: OrgPrincipal): string[] {
  return keysOf(principal).filter((key) => key.startsWith('org:') || key.startsWith('user:'));
}

/** The filters of the register as SQL over `joint_incidents j` (or the shared view under the same alias). */
function registerFilters(query: JointRegisterQueryDto, params: SqlParams): string[] {
  const where: string[] = [];
  if (query.phase) where.push(`j.phase = ${params.add(query.phase)}`);
  if (query.category) where.push(`j.category = ${params.add(query.category)}`);
  if (query.severity) where.push(`j.severity = ${params.add(query.severity, 'int')}`);
  if (query.exercise !== undefined) where.push(`j.exercise = ${params.add(query.exercise, 'boolean')}`);
  return where;
}

/** The coordinator's register page: its own rows walked in joint_incidents_register_idx order (exported for EXPLAIN). */
export function jointRegisterPageSql(principal: OrgPrincipal, query: JointRegisterQueryDto): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const after = decodeTimeCursor(query.cursor);
  const where = [`j.org_id = ${params.add(principal.orgId, 'uuid')}`, ...registerFilters(query, params)];
  if (query.updatedFrom) where.push(`j.updated_at >= ${params.add(query.updatedFrom, 'timestamptz')}`);
  if (query.updatedTo) where.push(`j.updated_at < ${params.add(query.updatedTo, 'timestamptz')}`);
  if (after) where.push(`(j.updated_at, j.id) < (${params.add(after.key, 'timestamptz')}, ${params.add(after.id, 'uuid')})`);
  return {
    sql: `SELECT ${JOINT_COLUMNS_OF('j')} FROM joint_incidents j WHERE ${where.join(' AND ')}
          ORDER BY j.updated_at DESC, j.id DESC LIMIT ${params.add(query.limit + 1, 'int')}`,
    params: params.values,
  };
}

/**
 * "My joint incidents": the caller's grants walked newest first in access_feed_idx, one ordered branch per key
 * (merged, not sorted), each joint incident probed by primary key in the shared view; bounded by the page.
 * access.sort_at follows the joint incident's updated_at (a trigger), so it is the register's order and cursor.
 */
export function myJointIncidentsPageSql(principal: OrgPrincipal, query: JointRegisterQueryDto): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const after = decodeTimeCursor(query.cursor);
  const position: string[] = [];
  if (query.updatedFrom) position.push(`a.sort_at >= ${params.add(query.updatedFrom, 'timestamptz')}`);
  if (query.updatedTo) position.push(`a.sort_at < ${params.add(query.updatedTo, 'timestamptz')}`);
  if (after) position.push(`(a.sort_at, a.object_id) < (${params.add(after.key, 'timestamptz')}, ${params.add(after.id, 'uuid')})`);
  const branches = jointKeysOf(principal).map(
    (key) => `(SELECT a.object_id, a.sort_at FROM access a
               WHERE a.grantee = ${params.add(key)} AND a.object_type = 'joint_incident'${position.map((p) => ` AND ${p}`).join('')}
               ORDER BY a.sort_at DESC, a.object_id DESC)`,
  );
  // The walk finds candidates; the one policy decides each row, as for every shared read.
  const where = [sharedJointPolicy('j', 'joint_incident', principal, params), ...registerFilters(query, params)];
  return {
    sql: `SELECT ${JOINT_COLUMNS_OF('j', 'c.sort_at::text')}
            FROM (${branches.join(' UNION ALL ')}) c JOIN shared_joint_incidents j ON j.id = c.object_id
           WHERE ${where.join(' AND ')}
           ORDER BY c.sort_at DESC, c.object_id DESC LIMIT ${params.add(query.limit + 1, 'int')}`,
    params: params.values,
  };
}
