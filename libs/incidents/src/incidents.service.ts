import { Injectable } from '@nestjs/common';
import { HubException, type Page, toPage } from '#common';
import { abilityOf, applyMarkingChange, checkMarkingChange, compilePolicy, isTightening, SqlParams, type TlpMarking } from '#sharing';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { emitOutbox, TenantDatabase, type TenantTransaction } from '#database';
import { clockProfile, clockStates } from './clock-profiles.js';
import type { ChangePhaseDto, CreateIncidentDto, IncidentReportDto, RegisterQueryDto, SubmissionDto, UpdateIncidentDto } from './dto/incident.dto.js';
import { PHASE_TRANSITIONS } from './incident.fields.js';
import { IncidentException } from './incident.exception.js';
import { INCIDENT_COLUMNS, INCIDENT_COLUMNS_OF, type IncidentRow, ownerIncidentView, registerItemView } from './incident.view.js';
import { registerConditions, registerOrder } from './register-query.js';
import { appendLog, readLog, verifyLog } from '#audit';
import { isKnownClassification } from './taxonomy.js';

/** Incident fields a create or update may set, by DTO name, with their column. */
const FIELD_COLUMNS = {
  title: 'title',
  summary: 'summary',
  category: 'category',
  subType: 'sub_type',
  severity: 'severity',
  marking: 'marking',
  impact: 'impact',
  awareAt: 'aware_at',
  detectedAt: 'detected_at',
  reportedAt: 'reported_at',
  containedAt: 'contained_at',
  internalNotes: 'internal_notes',
  reporter: 'reporter',
  affectedAssets: 'affected_assets',
  clockProfiles: 'clock_profiles',
  exercise: 'exercise',
} as const satisfies Partial<Record<keyof CreateIncidentDto, string>>;

type SettableField = keyof typeof FIELD_COLUMNS;

/** What an update may change: everything settable but `exercise`, which is decided when the incident is opened. */
const UPDATABLE_COLUMNS = Object.fromEntries(Object.entries(FIELD_COLUMNS).filter(([field]) => field !== 'exercise')) as Omit<typeof FIELD_COLUMNS, 'exercise'>;
type UpdatableField = keyof typeof UPDATABLE_COLUMNS;

/** The fields an update may clear with null; the others are NOT NULL in the schema. */
const NULLABLE = new Set<SettableField>(['awareAt', 'detectedAt', 'reportedAt', 'containedAt', 'reporter']);

/**
 * An organisation's incident register (ISO/IEC 27035-1 4.7.5): incidents through their phases, every
 * change with a management-log entry and an outbox row in the same transaction.
 */
@Injectable()
export class IncidentsService {
  constructor(private readonly db: TenantDatabase) {}

  create(principal: OrgPrincipal, dto: CreateIncidentDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => ownerIncidentView(await this.createIn(tx, principal, dto, null, 'incident created')));
  }

  /** Also used by triage, inside its transaction, when an event report is promoted. */
  async createIn(tx: TenantTransaction, principal: OrgPrincipal, dto: CreateIncidentDto, sourceEventReportId: string | null, reason: string): Promise<IncidentRow> {
    checkClassification(dto.category, dto.subType);
    const fields = Object.entries(FIELD_COLUMNS).filter(([field]) => dto[field as SettableField] !== undefined);
    const columns = ['org_id', 'created_by', 'source_event_report_id', ...fields.map(([, column]) => column)];
    const values = [principal.orgId, principal.id, sourceEventReportId, ...fields.map(([field]) => dbValue(field as SettableField, dto))];
    const [row] = await tx.query<IncidentRow>(
      `INSERT INTO incidents (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${INCIDENT_COLUMNS}`,
      values,
    );
    const entry = await appendLog(tx, principal, { type: 'incident', id: row.id }, {
      action: 'incident.created',
      reason,
      details: { phase: row.phase, severity: row.severity, marking: row.marking, exercise: row.exercise, sourceEventReportId },
    });
    await emitOutbox(tx, { type: 'incident.created', aggregateType: 'incident', aggregateId: row.id });
    return { ...row, log_length: entry.seq, log_head_hash: entry.hash };
  }

  async get(principal: OrgPrincipal, id: string) {
    const [row] = await this.db.read<IncidentRow>(tenantContextOf(principal), OWN_INCIDENT, [id, principal.orgId]);
    if (!row) throw HubException.notFound('incident');
    return ownerIncidentView(row);
  }

  /** The register: the policy's own-organisation rule, the filters, newest change first, by cursor. */
  async list(principal: OrgPrincipal, query: RegisterQueryDto): Promise<Page<ReturnType<typeof registerItemView>>> {
    const { sql, params } = registerPageSql(principal, query);
    const rows = await this.db.read<IncidentRow>(tenantContextOf(principal), sql, params, { inIndexOrder: true });
    return toPage(rows, query.limit, (row) => row.sort_key).map(registerItemView);
  }

  async update(principal: OrgPrincipal, id: string, dto: UpdateIncidentDto) {
    const nulled = Object.keys(UPDATABLE_COLUMNS).find((field) => dto[field as UpdatableField] === null && !NULLABLE.has(field as UpdatableField));
    if (nulled) throw HubException.invalid(nulled, 'notNull', `${nulled} cannot be emptied with null; send a value`);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      // A closed incident is final, except that its marking may still be tightened (what it shares can shrink).
      const tighteningOnly = dto.marking !== undefined && Object.keys(UPDATABLE_COLUMNS).every((f) => f === 'marking' || dto[f as UpdatableField] === undefined);
      const current = await lockForChange(tx, id, dto.version, tighteningOnly ? dto.marking : undefined);
      if (dto.marking) checkMarkingChange(principal, 'incident', current.org_id, current.marking, dto.marking);
      const next = { category: dto.category ?? current.category, subType: dto.subType ?? current.sub_type };
      checkClassification(next.category, next.subType);
      const fields = Object.entries(UPDATABLE_COLUMNS).filter(([field]) => dto[field as UpdatableField] !== undefined);
      if (fields.length === 0) throw HubException.invalid('body', 'notEmpty', 'name at least one field to change');
      const sets = fields.map(([, column], i) => `${column} = $${i + 2}`);
      const [row] = await tx.query<IncidentRow>(
        `UPDATE incidents SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`,
        [id, ...fields.map(([field]) => dbValue(field as UpdatableField, dto))],
      );
      const changes: Record<string, unknown> = { fields: fields.map(([field]) => field) };
      if (dto.marking && dto.marking !== current.marking) changes.marking = { from: current.marking, to: dto.marking };
      if (dto.severity && dto.severity !== current.severity) changes.severity = { from: current.severity, to: dto.severity };
      await appendLog(tx, principal, { type: 'incident', id }, { action: 'incident.updated', reason: dto.reason ?? '', details: changes });
      if (dto.marking) await applyMarkingChange(tx, principal, { type: 'incident', id, containerId: id }, current.marking, dto.marking);
      await emitOutbox(tx, { type: 'incident.updated', aggregateType: 'incident', aggregateId: id, payload: { version: row.version } });
      return ownerIncidentView(await findIncident(tx, id));
    });
  }

  async changePhase(principal: OrgPrincipal, id: string, dto: ChangePhaseDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const current = await lockForChange(tx, id, dto.version);
      const allowed = PHASE_TRANSITIONS[current.phase];
      if (!allowed.includes(dto.phase)) throw IncidentException.invalidTransition(current.phase, dto.phase, allowed);
      if (dto.phase === 'closed' && !current.report?.lessonsLearned) throw IncidentException.reportRequired();
      await tx.query(
        `UPDATE incidents SET phase = $2, closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END,
                version = version + 1, updated_at = now() WHERE id = $1`,
        [id, dto.phase],
      );
      await appendLog(tx, principal, { type: 'incident', id }, { action: 'incident.phase_changed', reason: dto.reason, details: { from: current.phase, to: dto.phase } });
      await emitOutbox(tx, { type: 'incident.phase_changed', aggregateType: 'incident', aggregateId: id, payload: { phase: dto.phase } });
      return ownerIncidentView(await findIncident(tx, id));
    });
  }

  /** The incident report (ISO/IEC 27035-1 4.7.4), with lessons learned: what closing requires. */
  async putReport(principal: OrgPrincipal, id: string, dto: IncidentReportDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await lockForChange(tx, id, dto.version);
      const report = { summary: dto.summary, lessonsLearned: dto.lessonsLearned, rootCause: dto.rootCause ?? '', actionsTaken: dto.actionsTaken ?? '' };
      await tx.query('UPDATE incidents SET report = $2, version = version + 1, updated_at = now() WHERE id = $1', [id, report]);
      await appendLog(tx, principal, { type: 'incident', id }, { action: 'incident.report_written', details: { fields: Object.keys(report) } });
      await emitOutbox(tx, { type: 'incident.updated', aggregateType: 'incident', aggregateId: id });
      return ownerIncidentView(await findIncident(tx, id));
    });
  }

  async log(principal: OrgPrincipal, id: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findIncident(tx, id);
      return { items: await readLog(tx, { type: 'incident', id }) };
    });
  }

  async verifyLog(principal: OrgPrincipal, id: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findIncident(tx, id);
      return verifyLog(tx, { type: 'incident', id });
    });
  }

  async clocks(principal: OrgPrincipal, id: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, id);
      // An exercise (ISO/IEC 27035-2 clause 11) tests the plan: no authority is waiting, so no clock runs.
      if (incident.exercise) return { awareAt: incident.aware_at?.toISOString() ?? null, exercise: true, items: [] };
      const submissions = await tx.query<{ profile: string; milestone: string; sent_at: Date; reference: string }>(
        'SELECT profile, milestone, sent_at, reference FROM regulatory_submissions WHERE incident_id = $1',
        [id],
      );
      return {
        awareAt: incident.aware_at?.toISOString() ?? null,
        exercise: false,
        items: clockStates(
          incident.clock_profiles,
          incident.aware_at,
          submissions.map((s) => ({ profile: s.profile, milestone: s.milestone, sentAt: s.sent_at, reference: s.reference })),
          new Date(),
        ),
      };
    });
  }

  /** Records what was sent to an authority, and when; once per milestone. */
  async recordSubmission(principal: OrgPrincipal, id: string, dto: SubmissionDto) {
    if (!clockProfile(dto.profile)?.milestones.some((m) => m.id === dto.milestone)) {
      throw HubException.invalid('milestone', 'milestoneOfProfile', `milestone must be one of the ${dto.profile} milestones`);
    }
    await this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, id, true);
      if (incident.exercise) throw IncidentException.exerciseRunsNoClock();
      if (!incident.clock_profiles.includes(dto.profile)) {
        throw HubException.invalid('profile', 'clockOfIncident', `the incident does not run the ${dto.profile} clock; add it to clockProfiles first`);
      }
      const inserted = await tx.query(
        `INSERT INTO regulatory_submissions (org_id, incident_id, profile, milestone, sent_at, reference, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (incident_id, profile, milestone) DO NOTHING RETURNING id`,
        [principal.orgId, id, dto.profile, dto.milestone, dto.sentAt, dto.reference ?? '', principal.id],
      );
      if (inserted.length === 0) {
        throw new HubException('CLOCK_ALREADY_SENT', `the ${dto.profile} ${dto.milestone} is already recorded as sent`, { status: 409 });
      }
      await appendLog(tx, principal, { type: 'incident', id }, { action: 'incident.regulatory_submission', details: { profile: dto.profile, milestone: dto.milestone, sentAt: dto.sentAt } });
      await emitOutbox(tx, { type: 'incident.updated', aggregateType: 'incident', aggregateId: id });
    });
    return this.clocks(principal, id);
  }
}

function dbValue(field: SettableField, dto: Partial<CreateIncidentDto>): unknown {
  const value = dto[field];
  if (field === 'clockProfiles') return [...new Set(value as string[])];
  return value;
}

function checkClassification(category: string, subType: string): void {
  if (!isKnownClassification(category, subType)) {
    throw HubException.invalid('subType', 'knownClassification', `${category}/${subType} is not a category and sub-type in force (see GET /api/v1/categories)`);
  }
}

/** The register page's one statement (exported so the benchmark explains exactly what the hub runs). */
export function registerPageSql(principal: OrgPrincipal, query: RegisterQueryDto): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const where = [compilePolicy(abilityOf(principal), 'read', 'Incident', params), ...registerConditions(query, params)];
  const order = registerOrder(query, params);
  return { sql: `SELECT ${INCIDENT_COLUMNS_OF('i')} FROM incidents i WHERE ${where.join(' AND ')} ${order}`, params: params.values };
}

/**
 * One of the caller's own incidents. Row-level security also lets a grantee read shared incidents, so the
 * owner's paths name the organisation themselves; a shared incident is read through the sharing policy.
 * Not visible and not there answer alike: 404.
 */
const OWN_INCIDENT = `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1 AND org_id = $2`;

export async function findIncident(tx: TenantTransaction, id: string, lock = false): Promise<IncidentRow> {
  const [row] = await tx.query<IncidentRow>(lock ? `${OWN_INCIDENT} FOR UPDATE` : OWN_INCIDENT, [id, tx.context.orgId]);
  if (!row) throw HubException.notFound('incident');
  return row;
}

async function lockForChange(tx: TenantTransaction, id: string, version: number, tighteningTo?: TlpMarking): Promise<IncidentRow> {
  const row = await findIncident(tx, id, true);
  if (row.phase === 'closed' && !(tighteningTo && isTightening(row.marking, tighteningTo))) throw IncidentException.closed();
  if (row.version !== version) throw IncidentException.stale('incident', row.version);
  return row;
}
