import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, type Page, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { emitOutbox, TenantDatabase } from '#database';
import type { CreateEventReportDto, TriageDto } from './dto/event-report.dto.js';
import { IncidentErrorCode, IncidentException } from './incident.exception.js';
import { IncidentsService } from './incidents.service.js';
import { canonicalJson } from '#audit';

interface EventReportRow {
  id: string;
  reporter_name: string;
  reporter_contact: string;
  observed_at: Date | null;
  reported_at: Date;
  description: string;
  affected_asset: string;
  detection_method: string;
  status: string;
  triage_reason: string | null;
  incident_id: string | null;
  triaged_at: Date | null;
  request_hash: string | null;
  version: number;
  created_at: Date;
  sort_key: string;
}

const COLUMNS = '*, created_at::text AS sort_key';

function eventReportView(row: EventReportRow) {
  return {
    id: row.id,
    reporterName: row.reporter_name,
    reporterContact: row.reporter_contact,
    observedAt: row.observed_at?.toISOString() ?? null,
    reportedAt: row.reported_at.toISOString(),
    description: row.description,
    affectedAsset: row.affected_asset,
    detectionMethod: row.detection_method,
    status: row.status,
    triageReason: row.triage_reason,
    incidentId: row.incident_id,
    triagedAt: row.triaged_at?.toISOString() ?? null,
    version: row.version,
  };
}

/**
 * Event reports (ISO/IEC 27035-1 4.7.2): submitted once even when retried (Idempotency-Key), then
 * triaged into an incident, dismissed with a reason, or kept as a near miss.
 */
@Injectable()
export class EventReportsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly incidents: IncidentsService,
  ) {}

  /** Returns the report and whether this call created it; a retry with the same key replays the first result. */
  async submit(principal: OrgPrincipal, dto: CreateEventReportDto, idempotencyKey: string | undefined) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw HubException.invalid('Idempotency-Key', 'isIdempotencyKey', 'the Idempotency-Key header must be 1 to 200 visible ASCII characters');
    }
    const requestHash = createHash('sha256').update(canonicalJson(dto)).digest('hex');
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const [created] = await tx.query<EventReportRow>(
        `INSERT INTO event_reports (org_id, reporter_name, reporter_contact, observed_at, description, affected_asset,
                                    detection_method, submitted_by, idempotency_key, request_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (org_id, submitted_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          principal.orgId,
          dto.reporterName,
          dto.reporterContact ?? '',
          dto.observedAt ?? null,
          dto.description,
          dto.affectedAsset ?? '',
          dto.detectionMethod ?? '',
          principal.id,
          idempotencyKey ?? null,
          requestHash,
        ],
      );
      if (created) {
        await emitOutbox(tx, { type: 'event_report.submitted', aggregateType: 'event_report', aggregateId: created.id });
        return { report: eventReportView(created), replayed: false };
      }
      const [first] = await tx.query<EventReportRow>(
        `SELECT ${COLUMNS} FROM event_reports WHERE org_id = $1 AND submitted_by = $2 AND idempotency_key = $3`,
        [principal.orgId, principal.id, idempotencyKey],
      );
      if (first.request_hash !== requestHash) {
        throw new HubException(IncidentErrorCode.IdempotencyMismatch, 'this Idempotency-Key was already used for a different report; use a new key', {
          status: 422,
        });
      }
      return { report: eventReportView(first), replayed: true };
    });
  }

  async list(principal: OrgPrincipal, query: PageQueryDto): Promise<Page<ReturnType<typeof eventReportView>>> {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.query<EventReportRow>(
        `SELECT ${COLUMNS} FROM event_reports WHERE org_id = $1
            AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
          ORDER BY created_at DESC, id DESC LIMIT $4`,
        [principal.orgId, after?.key ?? null, after?.id ?? null, query.limit + 1],
      ),
    );
    return toPage(rows, query.limit, (row) => row.sort_key).map(eventReportView);
  }

  async get(principal: OrgPrincipal, id: string) {
    const [row] = await this.db.run(tenantContextOf(principal), (tx) => tx.query<EventReportRow>(`SELECT ${COLUMNS} FROM event_reports WHERE id = $1`, [id]));
    if (!row) throw HubException.notFound('event report');
    return eventReportView(row);
  }

  async triage(principal: OrgPrincipal, id: string, dto: TriageDto) {
    if (dto.outcome === 'promote' && !dto.incident) {
      throw HubException.invalid('incident', 'requiredToPromote', 'incident is required to promote a report: give its title, category, subType, severity and marking');
    }
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const [report] = await tx.query<EventReportRow>(`SELECT ${COLUMNS} FROM event_reports WHERE id = $1 FOR UPDATE`, [id]);
      if (!report) throw HubException.notFound('event report');
      if (report.status !== 'new') {
        throw new HubException(IncidentErrorCode.AlreadyTriaged, `the report was already triaged (${report.status})`, { status: 409 });
      }
      if (report.version !== dto.version) throw IncidentException.stale('event report', report.version);
      let incidentId: string | null = null;
      if (dto.outcome === 'promote' && dto.incident) {
        const incident = await this.incidents.createIn(
          tx,
          principal,
          {
            ...dto.incident,
            reporter: dto.incident.reporter ?? { name: report.reporter_name, contact: report.reporter_contact },
            affectedAssets: dto.incident.affectedAssets ?? report.affected_asset,
            detectedAt: dto.incident.detectedAt ?? report.observed_at?.toISOString(),
            reportedAt: dto.incident.reportedAt ?? report.reported_at.toISOString(),
          },
          id,
          `promoted from event report: ${dto.reason}`,
        );
        incidentId = incident.id;
      }
      const status = dto.outcome === 'promote' ? 'promoted' : dto.outcome === 'dismiss' ? 'dismissed' : 'near_miss';
      const [updated] = await tx.query<EventReportRow>(
        `UPDATE event_reports SET status = $2, triage_reason = $3, incident_id = $4, triaged_by = $5, triaged_at = now(),
                version = version + 1, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, status, dto.reason, incidentId, principal.id],
      );
      await emitOutbox(tx, { type: 'event_report.triaged', aggregateType: 'event_report', aggregateId: id, payload: { status, incidentId } });
      return eventReportView(updated);
    });
  }
}
