import type { OrgPrincipal } from '#auth';
import { appendLog, type LogEntryInput } from '#audit';
import { HubException } from '#common';
import { emitOutbox, type TenantTransaction } from '#database';
import { JointIncidentException } from './joint-incident.exception.js';
import { JOINT_COLUMNS_OF, type JointIncidentRow } from './joint-incident.view.js';

/**
 * What every change in the joint-incident workspace does besides its own write, in the same transaction:
 * recompute the derived grants when they may move, append to the joint incident's management log, and write
 * an outbox row carrying the grantee keys that may read the object afterwards. Shared with the updates,
 * decisions and observables of the workspace.
 */

/** Recomputes every 'joint:<id>' access row of the joint incident (hub_sync_joint_access, migration 1764662400000). */
export async function syncJointAccess(tx: TenantTransaction, jointId: string): Promise<void> {
  await tx.query('SELECT hub_sync_joint_access($1)', [jointId]);
}

/** The grantee keys that may read an object of the joint incident now: its owner's and its access rows'. */
export async function jointObjectGrantees(tx: TenantTransaction, jointId: string, objectId: string): Promise<string[]> {
  const [row] = await tx.query<{ keys: string[] }>('SELECT hub_joint_object_grantees($1, $2) AS keys', [jointId, objectId]);
  return row?.keys ?? [];
}

/** An outbox row for a change of an object of the joint incident, routed by the keys that may read it afterwards. */
export async function emitJointEvent(
  tx: TenantTransaction,
  jointId: string,
  event: { type: string; aggregateType: string; aggregateId: string; payload?: Record<string, string | number | null>; grantees?: string[] },
): Promise<void> {
  const grantees = event.grantees ?? (await jointObjectGrantees(tx, jointId, event.aggregateId));
  await emitOutbox(tx, { ...event, payload: { jointIncidentId: jointId, ...event.payload }, grantees });
}

/** An entry in the joint incident's chain (the coordinator's; participants append their answers to it). */
export async function logJoint(tx: TenantTransaction, principal: OrgPrincipal, jointId: string, entry: LogEntryInput): Promise<void> {
  await appendLog(tx, principal, { type: 'joint_incident', id: jointId }, entry);
}

/** The coordinator tenant's users with the coordinator role run joint incidents; nobody else. */
export function requireCoordinator(principal: OrgPrincipal): void {
  if (principal.orgKind !== 'coordinator' || !principal.roles.includes('coordinator')) throw JointIncidentException.coordinatorOnly();
}

const OWN_JOINT = `SELECT ${JOINT_COLUMNS_OF('j')} FROM joint_incidents j WHERE j.id = $1 AND j.org_id = $2`;

/** One of the caller's own joint incidents (the coordinator's); anything else answers 404. */
export async function findOwnJoint(tx: TenantTransaction, id: string, lock = false): Promise<JointIncidentRow> {
  const [row] = await tx.query<JointIncidentRow>(lock ? `${OWN_JOINT} FOR UPDATE` : OWN_JOINT, [id, tx.context.orgId]);
  if (!row) throw HubException.notFound('joint incident');
  return row;
}

/** The caller organisation's participation in a joint incident (its own row: readable to it in every state). */
export async function findOwnParticipation(tx: TenantTransaction, jointId: string) {
  const [row] = await tx.query<{ id: string; org_id: string; state: string; pseudonym: string | null }>(
    `SELECT id, org_id, state, pseudonym FROM joint_participants
      WHERE joint_incident_id = $1 AND participant_org_id = $2 ORDER BY invited_at DESC, id DESC LIMIT 1`,
    [jointId, tx.context.orgId],
  );
  return row ?? null;
}
