import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { emitOutbox, TenantDatabase } from '#database';
import { applyMarkingChange, checkMarkingChange, isTightening, type TlpMarking } from '#sharing';
import type { CreateObservableDto, UpdateObservableDto } from './dto/observable.dto.js';
import { IncidentErrorCode, IncidentException } from './incident.exception.js';
import { findIncident } from './incidents.service.js';
import { appendLog } from '#audit';
import { normaliseObservable } from './observable-types.js';

export interface ObservableRow {
  id: string;
  incident_id: string;
  type: string;
  value: string;
  first_seen: Date | null;
  last_seen: Date | null;
  marking: string;
  pap: string;
  version: number;
  created_at: Date;
}

export function observableView(row: ObservableRow) {
  return {
    id: row.id,
    incidentId: row.incident_id,
    type: row.type,
    value: row.value,
    firstSeen: row.first_seen?.toISOString() ?? null,
    lastSeen: row.last_seen?.toISOString() ?? null,
    marking: row.marking,
    pap: row.pap,
    version: row.version,
    createdAt: row.created_at.toISOString(),
  };
}

/** Observables and indicators of an incident, each value checked and stored in its normal form. */
@Injectable()
export class ObservablesService {
  constructor(private readonly db: TenantDatabase) {}

  async list(principal: OrgPrincipal, incidentId: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findIncident(tx, incidentId);
      const rows = await tx.query<ObservableRow>(
        'SELECT * FROM observables WHERE org_id = $1 AND incident_id = $2 ORDER BY created_at, id LIMIT 1000',
        [principal.orgId, incidentId],
      );
      return { items: rows.map(observableView) };
    });
  }

  async create(principal: OrgPrincipal, incidentId: string, dto: CreateObservableDto) {
    const value = normaliseObservable(dto.type, dto.value);
    if (value === null) throw HubException.invalid('value', `valid${dto.type}`, `value is not a valid ${dto.type}`);
    if (dto.firstSeen && dto.lastSeen && Date.parse(dto.firstSeen) > Date.parse(dto.lastSeen)) {
      throw HubException.invalid('lastSeen', 'notBeforeFirstSeen', 'lastSeen must not be before firstSeen');
    }
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, incidentId, true);
      if (incident.phase === 'closed') throw new HubException('INCIDENT_CLOSED', 'the incident is closed; it can no longer be changed', { status: 409 });
      const [row] = await tx.query<ObservableRow>(
        `INSERT INTO observables (org_id, incident_id, type, value, first_seen, last_seen, marking, pap, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (incident_id, type, value) DO NOTHING RETURNING *`,
        [principal.orgId, incidentId, dto.type, value, dto.firstSeen ?? null, dto.lastSeen ?? null, dto.marking, dto.pap ?? 'AMBER', principal.id],
      );
      if (!row) {
        throw new HubException(IncidentErrorCode.DuplicateObservable, `this incident already has the ${dto.type} ${value}`, {
          status: 409,
          details: [{ field: 'value', rule: 'unique', message: 'value is already an observable of this incident' }],
        });
      }
      await tx.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [incidentId]);
      await appendLog(tx, principal, { type: 'incident', id: incidentId }, { action: 'observable.added', details: { observableId: row.id, type: row.type, marking: row.marking } });
      await emitOutbox(tx, { type: 'observable.created', aggregateType: 'observable', aggregateId: row.id, payload: { incidentId } });
      return observableView(row);
    });
  }

  /** Changes the observable's marking or PAP; tightening withdraws what the new marking no longer allows. */
  async update(principal: OrgPrincipal, incidentId: string, observableId: string, dto: UpdateObservableDto) {
    if (dto.marking == null && dto.pap == null) throw HubException.invalid('body', 'notEmpty', 'name marking or pap to change');
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, incidentId, true);
      const [current] = await tx.query<ObservableRow & { org_id: string }>(
        'SELECT * FROM observables WHERE id = $1 AND incident_id = $2 AND org_id = $3 FOR UPDATE',
        [observableId, incidentId, principal.orgId],
      );
      if (!current) throw HubException.notFound('observable');
      if (current.version !== dto.version) throw IncidentException.stale('observable', current.version);
      const from = current.marking as TlpMarking;
      // A closed incident is final, except that an observable's marking may still be tightened.
      if (incident.phase === 'closed' && !(dto.marking && dto.pap == null && isTightening(from, dto.marking))) throw IncidentException.closed();
      if (dto.marking) checkMarkingChange(principal, 'observable', current.org_id, from, dto.marking);
      const [row] = await tx.query<ObservableRow>(
        `UPDATE observables SET marking = coalesce($2, marking), pap = coalesce($3, pap), version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [observableId, dto.marking ?? null, dto.pap ?? null],
      );
      await tx.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [incidentId]);
      await appendLog(tx, principal, { type: 'incident', id: incidentId }, {
        action: 'observable.updated',
        reason: dto.reason ?? '',
        details: { observableId, ...(dto.marking && dto.marking !== from ? { marking: { from, to: dto.marking } } : {}), ...(dto.pap ? { pap: dto.pap } : {}) },
      });
      if (dto.marking) await applyMarkingChange(tx, principal, { type: 'observable', id: observableId, containerId: incidentId }, from, dto.marking);
      await emitOutbox(tx, { type: 'observable.updated', aggregateType: 'observable', aggregateId: observableId, payload: { incidentId } });
      return observableView(row);
    });
  }
}
