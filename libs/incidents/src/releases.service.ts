import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, type FieldProblem, HubException, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { emitOutbox, TenantDatabase, type TenantTransaction } from '#database';
import {
  allows,
  RELEASABLE_FIELDS,
  RELEASE_COLUMNS,
  RELEASE_RULES,
  releaseAllowed,
  type ReleaseRow,
  revokeReleases,
  SharingException,
  syncAccess,
  type TlpMarking,
} from '#sharing';
import { abilityOf } from './ability-of.js';
import type { CreateReleaseDto, RecipientDto } from './dto/release.dto.js';
import { findIncident } from './incidents.service.js';
import { appendLog } from '#audit';

export function releaseView(row: ReleaseRow) {
  return {
    id: row.id,
    incidentId: row.incident_id,
    objectType: row.object_type,
    objectId: row.object_id,
    parentReleaseId: row.parent_release_id,
    recipient: recipientOf(row),
    fields: row.fields,
    redact: row.redact,
    reason: row.reason,
    status: row.revoked_at ? 'revoked' : 'live',
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
  };
}

function recipientOf(row: Pick<ReleaseRow, 'recipient_kind' | 'recipient_org_id' | 'recipient_user_id'>) {
  const id = row.recipient_org_id ?? row.recipient_user_id;
  return id ? { kind: row.recipient_kind, id } : { kind: row.recipient_kind };
}

/**
 * Releases: the owner organisation shares an incident, and chosen observables, with recipients the marking
 * allows. Each grant and each withdrawal is a log entry; the access table follows in the same transaction.
 */
@Injectable()
export class ReleasesService {
  constructor(private readonly db: TenantDatabase) {}

  async list(principal: OrgPrincipal, incidentId: string, query: PageQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(tenantContextOf(principal), async (tx) => {
      await findIncident(tx, incidentId);
      return tx.query<ReleaseRow & { sort_key: string }>(
        `SELECT ${RELEASE_COLUMNS}, created_at::text AS sort_key FROM releases
          WHERE org_id = $1 AND incident_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
          ORDER BY created_at, id LIMIT $5`,
        [principal.orgId, incidentId, after?.key ?? null, after?.id ?? null, query.limit + 1],
      );
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(releaseView);
  }

  async create(principal: OrgPrincipal, incidentId: string, dto: CreateReleaseDto) {
    checkRecipientShapes(dto.recipients);
    const redact = Object.fromEntries(Object.entries(dto.redact ?? {}).filter(([, mode]) => mode !== undefined)) as Record<string, 'blank' | 'pseudonymise'>;
    const fields = dto.fields ?? [];
    for (const field of Object.keys(redact)) {
      if ((RELEASABLE_FIELDS as readonly string[]).includes(field) && !(fields as string[]).includes(field)) {
        throw HubException.invalid(`redact.${field}`, 'releasedField', `redact names ${field}, which this release does not include in fields`);
      }
    }
    const ability = abilityOf(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, incidentId, true);
      if (!allows(ability, 'release', 'Incident', { orgId: incident.org_id })) throw HubException.notFound('incident');
      const observables = await observablesOf(tx, incidentId, dto.observables ?? []);
      checkMarkings(incident.marking, observables, dto.recipients);
      await checkRecipientsExist(tx, principal.orgId, dto.recipients);

      const created: ReleaseRow[] = [];
      for (const [index, recipient] of dto.recipients.entries()) {
        // Observables added later ride on the recipient's live incident release, if it releases the same fields.
        const live = observables.length > 0 ? await liveIncidentRelease(tx, incidentId, recipient) : null;
        const sameTerms = live && sameStrings(live.fields, fields) && JSON.stringify(sortedKeys(live.redact)) === JSON.stringify(sortedKeys(redact));
        const parent = sameTerms ? live : await insertRelease(tx, principal, incidentId, 'incident', incidentId, null, recipient, index, fields, redact, dto.reason);
        if (parent !== live) created.push(parent);
        for (const observable of observables) {
          created.push(await insertRelease(tx, principal, incidentId, 'observable', observable.id, parent.id, recipient, index, [], {}, dto.reason));
        }
      }
      await syncAccess(tx, [incidentId, ...observables.map((o) => o.id)]);
      for (const release of created) {
        await appendLog(tx, principal, { type: 'incident', id: incidentId }, {
          action: 'release.granted',
          reason: dto.reason ?? '',
          details: {
            releaseId: release.id,
            object: { type: release.object_type, id: release.object_id },
            recipient: recipientOf(release),
            fields: release.fields,
            redact: release.redact,
          },
        });
      }
      await emitOutbox(tx, { type: 'release.granted', aggregateType: 'incident', aggregateId: incidentId, payload: { releases: created.length } });
      return { items: created.map(releaseView) };
    });
  }

  /** Withdraws a release (and the observable releases riding on it) at once. */
  async revoke(principal: OrgPrincipal, incidentId: string, releaseId: string, reason: string | undefined) {
    const ability = abilityOf(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incident = await findIncident(tx, incidentId, true);
      if (!allows(ability, 'release', 'Incident', { orgId: incident.org_id })) throw HubException.notFound('incident');
      const [release] = await tx.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM releases WHERE id = $1 AND incident_id = $2 AND org_id = $3`, [
        releaseId,
        incidentId,
        principal.orgId,
      ]);
      if (!release) throw HubException.notFound('release');
      if (release.revoked_at) {
        throw new HubException('RELEASE_ALREADY_REVOKED', `the release was already revoked at ${release.revoked_at.toISOString()}`, { status: 409 });
      }
      const ended = await revokeReleases(tx, [releaseId], principal.id, reason ?? 'revoked');
      for (const row of ended) {
        await appendLog(tx, principal, { type: 'incident', id: incidentId }, {
          action: 'release.revoked',
          reason: reason ?? '',
          details: { releaseId: row.id, object: { type: row.object_type, id: row.object_id }, recipient: recipientOf(row) },
        });
      }
      await emitOutbox(tx, { type: 'release.revoked', aggregateType: 'incident', aggregateId: incidentId, payload: { releases: ended.length } });
      return { items: ended.map(releaseView) };
    });
  }
}

async function liveIncidentRelease(tx: TenantTransaction, incidentId: string, recipient: RecipientDto): Promise<ReleaseRow | null> {
  const [row] = await tx.query<ReleaseRow>(
    `SELECT ${RELEASE_COLUMNS} FROM releases
      WHERE object_id = $1 AND object_type = 'incident' AND revoked_at IS NULL AND recipient_kind = $2
        AND coalesce(recipient_org_id, recipient_user_id) IS NOT DISTINCT FROM $3::uuid`,
    [incidentId, recipient.kind, recipient.id ?? null],
  );
  return row ?? null;
}

const sameStrings = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const sortedKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

function checkRecipientShapes(recipients: RecipientDto[]): void {
  const seen = new Set<string>();
  recipients.forEach((recipient, index) => {
    const needsId = recipient.kind === 'organisation' || recipient.kind === 'user';
    if (!needsId && recipient.id !== undefined) {
      throw HubException.invalid(`recipients[${index}].id`, 'noIdForGroup', `a ${recipient.kind} recipient names no id`);
    }
    const key = `${recipient.kind}:${recipient.id ?? ''}`;
    if (seen.has(key)) throw HubException.invalid(`recipients[${index}]`, 'unique', 'recipients must not name the same recipient twice');
    seen.add(key);
  });
}

async function observablesOf(tx: TenantTransaction, incidentId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await tx.query<{ id: string; marking: TlpMarking }>(
    'SELECT id, marking FROM observables WHERE org_id = $1 AND incident_id = $2 AND id = ANY ($3::uuid[])',
    [tx.context.orgId, incidentId, ids],
  );
  const found = new Map(rows.map((row) => [row.id, row]));
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0) {
    throw HubException.invalid(`observables[${missing}]`, 'observableOfIncident', `${ids[missing]} is not an observable of this incident`);
  }
  return ids.map((id) => found.get(id)!);
}

/** Every recipient against the incident's marking and each released observable's own: all refusals at once. */
function checkMarkings(marking: TlpMarking, observables: { id: string; marking: TlpMarking }[], recipients: RecipientDto[]): void {
  const refusals: { marking: TlpMarking; problem: FieldProblem }[] = [];
  recipients.forEach((recipient, index) => {
    if (!releaseAllowed(marking, recipient.kind)) {
      refusals.push({ marking, problem: { field: `recipients[${index}]`, rule: `marking${marking}`, message: RELEASE_RULES[marking].rule } });
    }
    observables.forEach((observable, o) => {
      if (releaseAllowed(observable.marking, recipient.kind)) return;
      const message = `observable ${observable.id} is ${observable.marking}: ${RELEASE_RULES[observable.marking].rule} (recipients[${index}] is ${recipient.kind})`;
      refusals.push({ marking: observable.marking, problem: { field: `observables[${o}]`, rule: `marking${observable.marking}`, message } });
    });
  });
  if (refusals.length === 0) return;
  const first = refusals[0].marking;
  throw SharingException.notAllowedByMarking(first, RELEASE_RULES[first].rule, refusals.map((r) => r.problem));
}

async function checkRecipientsExist(tx: TenantTransaction, ownerOrgId: string, recipients: RecipientDto[]): Promise<void> {
  for (const [index, recipient] of recipients.entries()) {
    if (recipient.kind === 'organisation') {
      const [org] = await tx.query<{ id: string }>("SELECT id FROM organisations WHERE id = $1 AND status = 'active'", [recipient.id]);
      if (!org) throw SharingException.unknownRecipient(`recipients[${index}].id`, `organisation ${recipient.id}`);
      if (org.id === ownerOrgId) throw SharingException.ownRecipient(`recipients[${index}].id`);
    } else if (recipient.kind === 'user') {
      const [user] = await tx.query<{ org_id: string | null }>('SELECT hub_user_org($1) AS org_id', [recipient.id]);
      if (!user?.org_id) throw SharingException.unknownRecipient(`recipients[${index}].id`, `user ${recipient.id}`);
      if (user.org_id === ownerOrgId) throw SharingException.ownRecipient(`recipients[${index}].id`);
    }
  }
}

async function insertRelease(
  tx: TenantTransaction,
  principal: OrgPrincipal,
  incidentId: string,
  objectType: 'incident' | 'observable',
  objectId: string,
  parentId: string | null,
  recipient: RecipientDto,
  index: number,
  fields: string[],
  redact: Record<string, string>,
  reason: string | undefined,
): Promise<ReleaseRow> {
  const [row] = await tx.query<ReleaseRow>(
    `INSERT INTO releases (org_id, incident_id, object_type, object_id, parent_release_id, recipient_kind, recipient_org_id,
                           recipient_user_id, fields, redact, pseudonym_key, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT DO NOTHING RETURNING ${RELEASE_COLUMNS}`,
    [
      principal.orgId,
      incidentId,
      objectType,
      objectId,
      parentId,
      recipient.kind,
      recipient.kind === 'organisation' ? recipient.id : null,
      recipient.kind === 'user' ? recipient.id : null,
      fields,
      redact,
      randomBytes(32),
      reason ?? '',
      principal.id,
    ],
  );
  if (!row) {
    throw SharingException.alreadyReleased([
      { field: `recipients[${index}]`, rule: 'oneLiveRelease', message: `the ${objectType} is already released to this ${recipient.kind}` },
    ]);
  }
  return row;
}
