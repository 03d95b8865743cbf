import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { appendLog, type LogSubjectType } from '#audit';
import { decodeTimeCursor, type FieldProblem, HubException, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { emitOutbox, TenantDatabase, type TenantTransaction } from '#database';
import { RELEASE_COLUMNS, type ReleaseRow, revokeReleases, syncAccess } from './access-table.js';
import type { Recipient } from './grantees.js';
import type { TlpMarking } from './markings.js';
import { allows, type PolicySubject } from './policy.js';
import { abilityOf } from './principal-policy.js';
import { RELEASE_RULES, releaseAllowed } from './release-rules.js';
import { containedTypes, type ShareableType, shareableType } from './shareable-types.js';
import { SharingException } from './sharing.exception.js';

export type Redactions = Record<string, 'blank' | 'pseudonymise'>;

/** A release as the API shows it, for any registered container. */
export function releaseView(row: ReleaseRow) {
  return {
    id: row.id,
    containerType: row.container_type,
    containerId: row.container_id,
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
export type ReleaseViewOf = ReturnType<typeof releaseView>;

export function recipientOf(row: Pick<ReleaseRow, 'recipient_kind' | 'recipient_org_id' | 'recipient_user_id'>) {
  const id = row.recipient_org_id ?? row.recipient_user_id;
  return id ? { kind: row.recipient_kind, id } : { kind: row.recipient_kind };
}

/** What the owner releases: the container, with chosen objects it holds, to recipients the markings allow. */
export interface ReleaseRequest {
  recipients: Recipient[];
  /** Internal-only fields of the container released explicitly. */
  fields: string[];
  redact: Redactions;
  reason?: string;
  /** Objects held by the container released with it, each under its own marking; `field` names them in errors. */
  contained: { field: string; ids: string[] };
}

export interface ContainerRef {
  type: string;
  id: string;
}

/**
 * Releases for every registered container type: the owner organisation shares the container, and chosen objects
 * it holds, with recipients the markings allow. Each grant and each withdrawal is a log entry in the container's
 * chain and an outbox row; the access table follows in the same transaction.
 */
@Injectable()
export class ReleasesService {
  constructor(private readonly db: TenantDatabase) {}

  async list(principal: OrgPrincipal, container: ContainerRef, query: PageQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(tenantContextOf(principal), async (tx) => {
      await ownedObject(tx, shareableType(container.type), container.id, false);
      return tx.query<ReleaseRow & { sort_key: string }>(
        `SELECT ${RELEASE_COLUMNS}, created_at::text AS sort_key FROM releases
          WHERE org_id = $1 AND container_id = $2 AND container_type = $3
            AND ($4::timestamptz IS NULL OR (created_at, id) > ($4::timestamptz, $5::uuid))
          ORDER BY created_at, id LIMIT $6`,
        [principal.orgId, container.id, container.type, after?.key ?? null, after?.id ?? null, query.limit + 1],
      );
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(releaseView);
  }

  async create(principal: OrgPrincipal, container: ContainerRef, request: ReleaseRequest) {
    const type = shareableType(container.type);
    checkRecipientShapes(request.recipients);
    checkReleasedFields(type, request.fields, request.redact);
    const ability = abilityOf(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const owned = await ownedObject(tx, type, container.id, true);
      if (!allows(ability, 'release', type.ownSubject as PolicySubject, { orgId: owned.org_id })) throw HubException.notFound(nounOf(type));
      const contained = await containedObjects(tx, type, container.id, request.contained);
      checkMarkings(owned.marking, contained, request.recipients);
      await checkRecipientsExist(tx, principal.orgId, request.recipients);

      const created: ReleaseRow[] = [];
      for (const [index, recipient] of request.recipients.entries()) {
        // Contained objects added later ride on the recipient's live release of the container, if it has the same terms.
        const live = contained.length > 0 ? await liveContainerRelease(tx, container, recipient) : null;
        const sameTerms = live && sameStrings(live.fields, request.fields) && sameJson(sortedKeys(live.redact), sortedKeys(request.redact));
        const insert = (object: { type: string; id: string }, parentId: string | null, fields: string[], redact: Redactions) =>
          insertRelease(tx, principal, container, object, parentId, recipient, index, fields, redact, request.reason);
        const parent = sameTerms ? live : await insert(container, null, request.fields, request.redact);
        if (parent !== live) created.push(parent);
        for (const object of contained) created.push(await insert(object, parent.id, [], {}));
      }
      await syncAccess(tx, [container.id, ...contained.map((o) => o.id)]);
      for (const release of created) {
        await appendLog(tx, principal, logSubjectOf(container), {
          action: 'release.granted',
          reason: request.reason ?? '',
          details: {
            releaseId: release.id,
            object: { type: release.object_type, id: release.object_id },
            recipient: recipientOf(release),
            fields: release.fields,
            redact: release.redact,
          },
        });
      }
      await emitOutbox(tx, { type: 'release.granted', aggregateType: container.type, aggregateId: container.id, payload: { releases: created.length } });
      return { items: created.map(releaseView) };
    });
  }

  /** Withdraws a release (and the releases riding on it) at once. */
  async revoke(principal: OrgPrincipal, container: ContainerRef, releaseId: string, reason: string | undefined) {
    const type = shareableType(container.type);
    const ability = abilityOf(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const owned = await ownedObject(tx, type, container.id, true);
      if (!allows(ability, 'release', type.ownSubject as PolicySubject, { orgId: owned.org_id })) throw HubException.notFound(nounOf(type));
      const [release] = await tx.query<ReleaseRow>(
        `SELECT ${RELEASE_COLUMNS} FROM releases WHERE id = $1 AND container_id = $2 AND container_type = $3 AND org_id = $4`,
        [releaseId, container.id, container.type, principal.orgId],
      );
      if (!release) throw HubException.notFound('release');
      if (release.revoked_at) {
        throw new HubException('RELEASE_ALREADY_REVOKED', `the release was already revoked at ${release.revoked_at.toISOString()}`, { status: 409 });
      }
      const ended = await revokeReleases(tx, [releaseId], principal.id, reason ?? 'revoked');
      for (const row of ended) {
        await appendLog(tx, principal, logSubjectOf(container), {
          action: 'release.revoked',
          reason: reason ?? '',
          details: { releaseId: row.id, object: { type: row.object_type, id: row.object_id }, recipient: recipientOf(row) },
        });
      }
      await emitOutbox(tx, { type: 'release.revoked', aggregateType: container.type, aggregateId: container.id, payload: { releases: ended.length } });
      return { items: ended.map(releaseView) };
    });
  }
}

/** The chain a container's sharing is logged in: the container's own management log. */
export function logSubjectOf(container: ContainerRef): { type: LogSubjectType; id: string } {
  return { type: container.type as LogSubjectType, id: container.id };
}

export const nounOf = (type: ShareableType) => type.type.replaceAll('_', ' ');

/** One object of the caller's own organisation (row-level security shows no other), optionally locked. */
export async function ownedObject(tx: TenantTransaction, type: ShareableType, id: string, lock: boolean) {
  const [row] = await tx.query<{ id: string; org_id: string; marking: TlpMarking }>(
    `SELECT id, ${type.ownerColumn} AS org_id, ${type.markingColumn} AS marking FROM ${type.table}
      WHERE id = $1 AND ${type.ownerColumn} = $2 ${lock ? 'FOR UPDATE' : ''}`,
    [id, tx.context.orgId],
  );
  if (!row) throw HubException.notFound(nounOf(type));
  return row;
}

interface ContainedObject {
  type: string;
  id: string;
  marking: TlpMarking;
}

/** The requested objects, each of a type this container holds and held by it; any other id is a 400 naming it. */
async function containedObjects(tx: TenantTransaction, container: ShareableType, containerId: string, request: ReleaseRequest['contained']) {
  if (request.ids.length === 0) return [];
  const rows: ContainedObject[] = [];
  for (const type of containedTypes(container.type)) {
    rows.push(
      ...(await tx.query<ContainedObject>(
        `SELECT '${type.type}' AS type, id, ${type.markingColumn} AS marking FROM ${type.table}
          WHERE ${type.ownerColumn} = $1 AND ${type.container.column} = $2 AND id = ANY ($3::uuid[])`,
        [tx.context.orgId, containerId, request.ids],
      )),
    );
  }
  const found = new Map(rows.map((row) => [row.id, row]));
  const missing = request.ids.findIndex((id) => !found.has(id));
  if (missing >= 0) {
    const field = `${request.field}[${missing}]`;
    throw HubException.invalid(field, 'heldByContainer', `${request.ids[missing]} is not held by this ${nounOf(container)}`);
  }
  return request.ids.map((id) => found.get(id)!);
}

async function liveContainerRelease(tx: TenantTransaction, container: ContainerRef, recipient: Recipient): Promise<ReleaseRow | null> {
  const [row] = await tx.query<ReleaseRow>(
    `SELECT ${RELEASE_COLUMNS} FROM releases
      WHERE object_id = $1 AND object_type = $2 AND revoked_at IS NULL AND recipient_kind = $3
        AND coalesce(recipient_org_id, recipient_user_id) IS NOT DISTINCT FROM $4::uuid`,
    [container.id, container.type, recipient.kind, recipient.id ?? null],
  );
  return row ?? null;
}

const sameStrings = (a: readonly string[], b: readonly string[]) => sameJson([...a].sort(), [...b].sort());
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sortedKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** Internal-only fields and redactions the type allows, and a redacted internal-only field only if it is released. */
function checkReleasedFields(type: ShareableType, fields: readonly string[], redact: Redactions): void {
  fields.forEach((field, index) => {
    if (!type.releasableFields.includes(field)) {
      throw HubException.invalid(`fields[${index}]`, 'releasableField', `a ${nounOf(type)} release may name only ${type.releasableFields.join(', ') || 'no fields'}`);
    }
  });
  for (const field of Object.keys(redact)) {
    if (!type.redactableFields.includes(field)) {
      throw HubException.invalid(`redact.${field}`, 'redactableField', `a ${nounOf(type)} release may redact only ${type.redactableFields.join(', ') || 'no fields'}`);
    }
    if (type.releasableFields.includes(field) && !fields.includes(field)) {
      throw HubException.invalid(`redact.${field}`, 'releasedField', `redact names ${field}, which this release does not include in fields`);
    }
  }
}

function checkRecipientShapes(recipients: Recipient[]): void {
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

/** Every recipient against the container's marking and each contained object's own: all refusals at once. */
function checkMarkings(marking: TlpMarking, contained: ContainedObject[], recipients: Recipient[]): void {
  const refusals: { marking: TlpMarking; problem: FieldProblem }[] = [];
  recipients.forEach((recipient, index) => {
    if (!releaseAllowed(marking, recipient.kind)) {
      refusals.push({ marking, problem: { field: `recipients[${index}]`, rule: `marking${marking}`, message: RELEASE_RULES[marking].rule } });
    }
    contained.forEach((object, o) => {
      if (releaseAllowed(object.marking, recipient.kind)) return;
      const message = `${nounOf(shareableType(object.type))} ${object.id} is ${object.marking}: ${RELEASE_RULES[object.marking].rule} (recipients[${index}] is ${recipient.kind})`;
      refusals.push({ marking: object.marking, problem: { field: `${object.type}s[${o}]`, rule: `marking${object.marking}`, message } });
    });
  });
  if (refusals.length === 0) return;
  const first = refusals[0].marking;
  throw SharingException.notAllowedByMarking(first, RELEASE_RULES[first].rule, refusals.map((r) => r.problem));
}

async function checkRecipientsExist(tx: TenantTransaction, ownerOrgId: string, recipients: Recipient[]): Promise<void> {
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
  container: ContainerRef,
  object: { type: string; id: string },
  parentId: string | null,
  recipient: Recipient,
  index: number,
  fields: string[],
  redact: Redactions,
  reason: string | undefined,
): Promise<ReleaseRow> {
  const [row] = await tx.query<ReleaseRow>(
    `INSERT INTO releases (org_id, container_type, container_id, object_type, object_id, parent_release_id, recipient_kind,
                           recipient_org_id, recipient_user_id, fields, redact, pseudonym_key, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT DO NOTHING RETURNING ${RELEASE_COLUMNS}`,
    [
      principal.orgId,
      container.type,
      container.id,
      object.type,
      object.id,
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
      { field: `recipients[${index}]`, rule: 'oneLiveRelease', message: `the ${nounOf(shareableType(object.type))} is already released to this ${recipient.kind}` },
    ]);
  }
  return row;
}
